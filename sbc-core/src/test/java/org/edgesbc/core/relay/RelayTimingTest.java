package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RelayTimingTest {
    private long now = 5_000;
    private final RecordingRelayMetrics counts = new RecordingRelayMetrics();
    private final RelayTiming timing = new RelayTiming(counts, () -> now);

    @Test
    void aForkedRequestIsTimedOnceFromItsArrival() {
        timing.reading(4_000);
        now = 4_750;
        timing.requestRelayed("INVITE");
        timing.requestRelayed("INVITE");
        timing.done();
        assertThat(counts.calls()).containsExactly("requestRelayed INVITE", "relayed REQUEST 750",
                "requestRelayed INVITE");
    }

    @Test
    void relaysOutsideAReadMessageAreCountedButNotTimed() {
        timing.reading(4_000);
        timing.done();
        timing.responseRelayed(200);
        timing.requestRelayed("BYE");
        assertThat(counts.calls()).containsExactly("responseRelayed 200", "requestRelayed BYE");
    }

    @Test
    void eachMessageReadIsTimedFromItsOwnArrival() {
        timing.reading(1_000);
        timing.responseRelayed(180);
        timing.done();
        timing.reading(4_900);
        timing.responseRelayed(200);
        timing.done();
        assertThat(counts.calls()).containsExactly("responseRelayed 180", "relayed RESPONSE 4000",
                "responseRelayed 200", "relayed RESPONSE 100");
    }

    @Test
    void everyOtherCallPassesThroughUntimed() {
        timing.reading(1_000);
        timing.localResponse(503);
        timing.dropped(RelayDropReason.STALE);
        timing.callSetUp(true, 42);
        timing.done();
        assertThat(counts.calls()).containsExactly("localResponse 503", "dropped STALE", "callSetUp answered 42");
    }
}
