package org.edgesbc.policy.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SecurityEventTest {
    @Test
    void rendersOneJsonLineWithCountersInOrderAndOmitsNulls() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("failures", 10L);
        counters.put("threshold", 10L);
        counters.put("window_seconds", 600L);
        SecurityEvent event = new SecurityEvent(Instant.parse("2026-01-01T00:00:00Z"), "127.0.0.50", "phones", null,
                SecurityRule.AUTH_FAILURES, "failed authentications", counters, SecurityAction.BAN,
                Instant.parse("2026-01-01T01:00:00Z"));
        assertThat(event.toJson()).isEqualTo("{\"time\":\"2026-01-01T00:00:00Z\",\"source\":\"127.0.0.50\","
                + "\"zone\":\"phones\",\"rule\":\"auth_failures\",\"reason\":\"failed authentications\","
                + "\"counters\":{\"failures\":10,\"threshold\":10,\"window_seconds\":600},\"action\":\"ban\","
                + "\"expires\":\"2026-01-01T01:00:00Z\"}");
    }

    @Test
    void escapesQuotesBackslashesAndControlCharacters() {
        SecurityEvent event = new SecurityEvent(Instant.EPOCH, null, null, "a\"b\\c\nd\u0001\u2028", SecurityRule.MANUAL,
                null, Map.of(), SecurityAction.UNBAN, null);
        assertThat(event.toJson()).isEqualTo("{\"time\":\"1970-01-01T00:00:00Z\",\"user\":\"a\\\"b\\\\c\\nd\\u0001"
                + "\\u2028\",\"rule\":\"manual\",\"counters\":{},\"action\":\"unban\"}");
        assertThat(event.toJson()).doesNotContain("\n");
    }
}
