package org.edgesbc.policy.ban;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;

class FailureCounterTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void countsWithinAWindowAndStartsOverAfterIt() {
        FailureCounter<String> counter = new FailureCounter<>(Duration.ofMinutes(10), 10, clock);
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
        FailureCounter<Integer> counter = new FailureCounter<>(Duration.ofMinutes(1), 2, clock);
        counter.record(1);
        counter.record(2);
        assertThat(counter.record(3)).as("untracked, so treated as over any threshold").isEqualTo(Integer.MAX_VALUE);
        clock.advance(Duration.ofMinutes(2));
        assertThat(counter.record(3)).as("closed windows make room").isEqualTo(1);
    }
}
