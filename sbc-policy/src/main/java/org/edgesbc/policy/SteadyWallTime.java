package org.edgesbc.policy;

import java.time.Instant;
import java.time.InstantSource;
import java.util.function.LongSupplier;

/**
 * Wall time read once and then carried forward by a monotonic clock ({@link System#nanoTime} in the daemon): an
 * {@link InstantSource} for tables whose entries expire at instants (registrations), so that a step of the wall
 * clock (NTP, an operator, a VM resumed) neither expires them all at once nor keeps them past their time. Its
 * readings drift from the wall clock by the steps taken since it was made, which is what they are for.
 */
public final class SteadyWallTime implements InstantSource {
    private final Instant start;
    private final long startNanos;
    private final LongSupplier monotonic;

    private SteadyWallTime(Instant start, long startNanos, LongSupplier monotonic) {
        this.start = start;
        this.startNanos = startNanos;
        this.monotonic = monotonic;
    }

    /** Starts at {@code wall}'s reading now. */
    public static SteadyWallTime from(InstantSource wall, LongSupplier monotonic) {
        return new SteadyWallTime(wall.instant(), monotonic.getAsLong(), monotonic);
    }

    @Override
    public Instant instant() {
        return start.plusNanos(monotonic.getAsLong() - startNanos);
    }
}
