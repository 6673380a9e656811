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
    void fullTableEvictsTheLeastRecentlyUsedBucketAndCountsTheOverflow() {
        RateLimitTable<Integer> table = new RateLimitTable<>(2, Duration.ofSeconds(10).toNanos(), clock::nanos);
        assertThat(table.tryTake(1, 1, 1)).isTrue();
        clock.advance(Duration.ofMillis(10));
        assertThat(table.tryTake(2, 1, 1)).isTrue();
        clock.advance(Duration.ofMillis(10));
        assertThat(table.tryTake(1, 1, 1)).as("key 1 is over budget but busy").isFalse();
        clock.advance(Duration.ofMillis(10));
        assertThat(table.tryTake(3, 1, 1)).isTrue();
        assertThat(table.size()).isEqualTo(2);
        assertThat(table.overflows()).isEqualTo(1);
        assertThat(table.tryTake(1, 1, 1)).as("the busy key kept its empty bucket").isFalse();
        assertThat(table.tryTake(2, 1, 1)).as("key 2 was evicted and starts afresh").isTrue();
    }

    @Test
    void idleBucketsExpireBeforeAnyBusyOneIsEvicted() {
        RateLimitTable<Integer> table = new RateLimitTable<>(2, Duration.ofSeconds(10).toNanos(), clock::nanos);
        assertThat(table.tryTake(1, 1, 1)).isTrue();
        assertThat(table.tryTake(2, 1, 1)).isTrue();
        clock.advance(Duration.ofSeconds(11));
        assertThat(table.tryTake(3, 1, 1)).isTrue();
        assertThat(table.size()).isEqualTo(1);
        assertThat(table.overflows()).as("expiry is not an overflow").isZero();
    }

    @Test
    void tokenBucketRefillsByElapsedNanosUpToItsBurstAndIgnoresAClockStepBack() {
        TokenBucket bucket = new TokenBucket(2, 3, 1_000);
        assertThat(bucket.available(1_000)).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            assertThat(bucket.tryTake(1_000)).isTrue();
        }
        assertThat(bucket.tryTake(1_000)).isFalse();
        assertThat(bucket.tryTake(1_000 + 499_999_999L)).as("just short of one token").isFalse();
        assertThat(bucket.tryTake(1_000 + 500_000_000L)).isTrue();
        assertThat(bucket.tryTake(-5_000_000_000L)).as("a clock stepping back adds nothing").isFalse();
        assertThat(bucket.available(1_000 + 3_600_000_000_000L)).as("capped at the burst").isEqualTo(3);
    }

    @Test
    void aOneKeyTableIsAGlobalBudgetThatAnIdleSpellRefillsOnlyToItsBurst() {
        RateLimitTable<String> global = new RateLimitTable<>(1, Duration.ofHours(1).toNanos(), clock::nanos);
        for (int i = 0; i < 3; i++) {
            assertThat(global.tryTake("global", 10, 3)).isTrue();
        }
        assertThat(global.tryTake("global", 10, 3)).isFalse();
        clock.advance(Duration.ofMillis(100));
        assertThat(global.tryTake("global", 10, 3)).isTrue();
        assertThat(global.tryTake("global", 10, 3)).isFalse();
        clock.advance(Duration.ofHours(2));
        int admitted = 0;
        for (int i = 0; i < 10; i++) {
            admitted += global.tryTake("global", 10, 3) ? 1 : 0;
        }
        assertThat(admitted).as("two idle hours give back the burst, never more").isEqualTo(3);
        assertThat(global.overflows()).as("one key never overflows its own table").isZero();
    }
}
