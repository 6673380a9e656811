package org.edgesbc.policy.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;

class SharedRateLimiterTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void admitsTheBurstThenTheRateAndAnIdleSpellRestoresOnlyTheBurst() {
        SharedRateLimiter limiter = new SharedRateLimiter(10, 3, clock.nanos());
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.tryTake(clock.nanos())).isTrue();
        }
        assertThat(limiter.tryTake(clock.nanos())).isFalse();
        clock.advance(Duration.ofMillis(100));
        assertThat(limiter.tryTake(clock.nanos())).isTrue();
        assertThat(limiter.tryTake(clock.nanos())).isFalse();
        clock.advance(Duration.ofHours(1));
        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            admitted += limiter.tryTake(clock.nanos()) ? 1 : 0;
        }
        assertThat(admitted).as("an idle hour restores only the burst").isEqualTo(3);
    }

    @Test
    void refusesARateOrBurstThatAdmitsNothing() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SharedRateLimiter(0, 3, 0))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SharedRateLimiter(10, 0.5, 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
