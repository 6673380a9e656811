package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RegistrationScheduleTest {
    private final SplittableRandom random = new SplittableRandom(7);

    @Test
    void aRefreshFallsBetweenHalfAndFourFifthsOfTheGrantedExpiry() {
        long lowest = Long.MAX_VALUE;
        long highest = 0;
        for (int i = 0; i < 1_000; i++) {
            long refresh = RegistrationSchedule.refreshMillis(600, random);
            lowest = Math.min(lowest, refresh);
            highest = Math.max(highest, refresh);
        }
        assertThat(lowest).isGreaterThanOrEqualTo(300_000).isLessThan(310_000);
        assertThat(highest).isLessThanOrEqualTo(480_000).isGreaterThan(470_000);
    }

    @Test
    void retriesBackOffExponentiallyUpToTheCap() {
        long first = RegistrationSchedule.FIRST_RETRY.toMillis();
        long cap = RegistrationSchedule.MAX_RETRY.toMillis();
        assertThat(RegistrationSchedule.retryMillis(1, random)).isBetween(first * 4 / 5, first);
        assertThat(RegistrationSchedule.retryMillis(2, random)).isBetween(first * 2 * 4 / 5, first * 2);
        assertThat(RegistrationSchedule.retryMillis(4, random)).isBetween(first * 8 * 4 / 5, first * 8);
        assertThat(RegistrationSchedule.retryMillis(6, random)).isBetween(cap * 4 / 5, cap);
        assertThat(RegistrationSchedule.retryMillis(Integer.MAX_VALUE, random)).isBetween(cap * 4 / 5, cap);
    }
}
