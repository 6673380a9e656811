package org.edgesbc.policy;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.function.LongSupplier;

/**
 * When a ban or a hold ends, on a monotonic nanosecond clock ({@link System#nanoTime} in the daemon): a wall clock
 * stepped forward or back (NTP, an operator, a VM resumed) neither lifts a ban early nor stretches it. The wall time
 * stays what people and files read; {@link #wallExpiry} gives the end as a wall instant at the moment it is written,
 * so a ban file written after a step still names the right moment.
 *
 * @param nanos the end on the monotonic clock; compared by difference, as {@link System#nanoTime} requires
 */
public record Deadline(long nanos) {
    /** The end {@code duration} from now. */
    public static Deadline in(Duration duration, LongSupplier monotonic) {
        return new Deadline(monotonic.getAsLong() + saturatedNanos(duration));
    }

    /** The end at the wall instant {@code expires} (from a state file, an operator, another node), as seen now. */
    public static Deadline at(Instant expires, InstantSource wall, LongSupplier monotonic) {
        Duration left = Duration.between(wall.instant(), expires);
        return in(left.isNegative() ? Duration.ZERO : left, monotonic);
    }

    /** Whether the end has come at monotonic time {@code now} (the end itself is already past). */
    public boolean passedAt(long now) {
        return now - nanos >= 0;
    }

    /** The end as a wall instant, given the wall and monotonic times of one moment. */
    public Instant wallExpiry(Instant wallNow, long monotonicNow) {
        return wallNow.plusNanos(nanos - monotonicNow);
    }

    /** Durations beyond about 292 years (a far-off operator ban) are cut to that, where nanoseconds overflow. */
    private static long saturatedNanos(Duration duration) {
        return duration.compareTo(Duration.ofNanos(Long.MAX_VALUE / 2)) > 0 ? Long.MAX_VALUE / 2 : duration.toNanos();
    }
}
