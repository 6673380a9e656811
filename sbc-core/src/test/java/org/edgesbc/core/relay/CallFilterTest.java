package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class CallFilterTest {
    private static final Instant STARTED = Instant.parse("2026-01-05T10:00:00Z");
    private static final CallSnapshot CALL = new CallSnapshot("s1.abc-0", "orig@pbx", "confirmed", STARTED,
            STARTED.plusSeconds(3), "201", "00441632960123", "441632960123", "201",
            new CallSnapshot.Leg("pbx", "orig@pbx", "ft", "tt"), new CallSnapshot.Leg("trunk", "s1.abc-0", "ft", "tt"),
            List.of(), null, null);

    @Test
    void emptyFilterMatchesEveryCall() {
        assertThat(CallFilter.ALL.matches(CALL, STARTED)).isTrue();
    }

    @Test
    void zoneMatchesEitherLeg() {
        assertThat(new CallFilter("pbx", null, null, null).matches(CALL, STARTED)).isTrue();
        assertThat(new CallFilter("trunk", null, null, null).matches(CALL, STARTED)).isTrue();
        assertThat(new CallFilter("phones", null, null, null).matches(CALL, STARTED)).isFalse();
    }

    @Test
    void accountMatchesExactly() {
        assertThat(new CallFilter(null, "201", null, null).matches(CALL, STARTED)).isTrue();
        assertThat(new CallFilter(null, "20", null, null).matches(CALL, STARTED)).isFalse();
    }

    @Test
    void numberIsFoundInTheCallingCalledOrNormalisedNumber() {
        assertThat(new CallFilter(null, null, "1632960", null).matches(CALL, STARTED)).isTrue();
        assertThat(new CallFilter(null, null, "441632960123", null).matches(CALL, STARTED)).isTrue();
        assertThat(new CallFilter(null, null, "201", null).matches(CALL, STARTED)).isTrue();
        assertThat(new CallFilter(null, null, "999", null).matches(CALL, STARTED)).isFalse();
    }

    @Test
    void minimumAgeCountsFromTheInvite() {
        CallFilter oldCalls = new CallFilter(null, null, null, Duration.ofMinutes(2));
        assertThat(oldCalls.matches(CALL, STARTED.plusSeconds(119))).isFalse();
        assertThat(oldCalls.matches(CALL, STARTED.plusSeconds(120))).isTrue();
    }

    @Test
    void everyCriterionMustHold() {
        assertThat(new CallFilter("trunk", "201", "4416", Duration.ZERO).matches(CALL, STARTED)).isTrue();
        assertThat(new CallFilter("trunk", "202", "4416", Duration.ZERO).matches(CALL, STARTED)).isFalse();
    }
}
