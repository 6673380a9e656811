package org.edgesbc.core.cdr;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class CallRecordTest {
    private static final Instant START = Instant.parse("2026-01-05T10:00:00Z");

    @Test
    void carriesEachLegsCallIdAndTheMediaLossAndJitter() {
        CallRecord record = new CallRecord("s1a2b3c4d.feed-1", "a84b4c76e66710@pbx.example", "s1a2b3c4d.feed-1", START,
                START.plusSeconds(2), START.plusSeconds(62), "201", "5551234", null, null, "pbx", "trunk",
                "answered", 200, "caller", null, 3000, 2, 17, 4.126, null, null);

        assertThat(record.toJson()).startsWith("{\"call_id\":\"s1a2b3c4d.feed-1\","
                + "\"caller_call_id\":\"a84b4c76e66710@pbx.example\",\"callee_call_id\":\"s1a2b3c4d.feed-1\",")
                .contains("\"duration_seconds\":60",
                        "\"media\":{\"packets_relayed\":3000,\"packets_dropped\":2,\"lost\":17,\"jitter_ms\":4.13}");
    }

    @Test
    void aCallRefusedBeforeItHadACalleeLegHasNoCalleeCallId() {
        CallRecord refused = new CallRecord("x@pbx", "x@pbx", null, START, null, START, "201", "0900123", "49900123",
                "premium", "pbx", "trunk", "blocked", 403, "sbc:blocked_class", "blocked_class", 0, 0, 0, 0, null,
                null);

        assertThat(refused.toJson()).contains("\"caller_call_id\":\"x@pbx\",\"callee_call_id\":null",
                "\"lost\":0,\"jitter_ms\":0.0");
    }
}
