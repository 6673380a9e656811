package org.edgesbc.policy.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;

class RateLimitTableTest {
    private final ManualClock clock = new ManualClock();

    @Test
    void bucketAllowsBurstThenRefillsAtItsRate() {
        RateLimitTable<String> table = new RateLimitTable<>(10, Duration.ofMinutes(1).toNanos(), clock::nanos);
        for (int i = 0; i < 5; i++) {
            assertThat(table.tryTake("a", 10, 5)).isTrue();
        }
        assertThat(table.tryTake("a", 10, 5)).isFalse();
        assertThat(table.tryTake("b", 10, 5)).as("keys are independent").isTrue();
        clock.advance(Duration.ofMillis(100));
        assertThat(table.tryTake("a", 10, 5)).isTrue();
        assertThat(table.tryTake("a", 10, 5)).isFalse();
    }

    @Test
    void fullTableRefusesNewKeysUntilIdleOnesExpire() {
        RateLimitTable<Integer> table = new RateLimitTable<>(2, Duration.ofSeconds(10).toNanos(), clock::nanos);
        assertThat(table.tryTake(1, 1, 1)).isTrue();
        assertThat(table.tryTake(2, 1, 1)).isTrue();
        assertThat(table.tryTake(3, 1, 1)).isFalse();
        assertThat(table.overflows()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(11));
        assertThat(table.tryTake(3, 1, 1)).isTrue();
        assertThat(table.size()).isEqualTo(1);
    }
}
