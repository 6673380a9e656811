package org.edgesbc.core.security;

import java.time.Instant;
import java.time.InstantSource;
import java.util.function.LongSupplier;

/**
 * Nanoseconds from the daemon's injected clock, for token buckets: one source of time for every control, so that a
 * test's manual clock moves budgets and bans together. A wall-clock step moves the buckets with it, which at worst
 * refills or drains one burst.
 */
final class ClockNanos {
    private ClockNanos() { }

    static LongSupplier of(InstantSource clock) {
        return () -> {
            Instant now = clock.instant();
            return now.getEpochSecond() * 1_000_000_000L + now.getNano();
        };
    }
}
