package org.edgesbc.policy.ban;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;

class FailureCounterTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void countsWithinAWindowAndStartsOverAfterIt() {
        FailureCounter<String> counter = new FailureCounter<>(Duration.ofMinutes(10), 10, clock::nanos);
        assertThat(counter.record("a")).isEqualTo(1);
        clock.advance(Duration.ofMinutes(9));
        assertThat(counter.record("a")).isEqualTo(2);
        clock.advance(Duration.ofMinutes(2));
        assertThat(counter.record("a")).as("the first window closed").isEqualTo(1);
        counter.reset("a");
        assertThat(counter.size()).isZero();
    }

    @Test
    void aFullTableCannotHideNewOffenders() {
        FailureCounter<Integer> counter = new FailureCounter<>(Duration.ofMinutes(1), 2, clock::nanos);
        counter.record(1);
        counter.record(2);
        assertThat(counter.record(3)).as("untracked, so treated as over any threshold").isEqualTo(Integer.MAX_VALUE);
        clock.advance(Duration.ofMinutes(2));
        assertThat(counter.record(3)).as("closed windows make room").isEqualTo(1);
    }

    @Test
    void eachKeyCountsApartAndAResetStartsItsCountOver() {
        FailureCounter<String> counter = new FailureCounter<>(Duration.ofMinutes(10), 10, clock::nanos);
        for (int i = 1; i <= 9; i++) {
            assertThat(counter.record("guesser")).isEqualTo(i);
        }
        assertThat(counter.record("phone")).as("another source's failures are its own").isEqualTo(1);
        assertThat(counter.record("guesser")).as("the threshold of 10 reached").isEqualTo(10);
        counter.reset("guesser");
        assertThat(counter.record("guesser")).as("after a ban or a success").isEqualTo(1);
        assertThat(counter.record("phone")).isEqualTo(2);
    }

    @Test
    void failuresSpreadWiderThanTheWindowNeverAddUpToMoreThanOneWindowHolds() {
        FailureCounter<String> counter = new FailureCounter<>(Duration.ofMinutes(10), 10, clock::nanos);
        int most = 0;
        for (int i = 0; i < 20; i++) {
            most = Math.max(most, counter.record("slow"));
            clock.advance(Duration.ofMinutes(3));
        }
        assertThat(most).as("one failure every 3 minutes in 10-minute windows").isEqualTo(4);
    }

    @Test
    void aWindowLastsItsLengthWhenTheWallClockStepsForwardOrBack() {
        FailureCounter<String> counter = new FailureCounter<>(Duration.ofMinutes(1), 10, clock::nanos);
        assertThat(counter.record("guesser")).isEqualTo(1);
        clock.stepWall(Duration.ofHours(1));
        assertThat(counter.record("guesser")).as("a step forward closes no window").isEqualTo(2);
        clock.stepWall(Duration.ofHours(-3));
        clock.advance(Duration.ofMinutes(1));
        assertThat(counter.record("guesser")).as("a step back keeps no window open").isEqualTo(1);
    }
}
