package org.edgesbc.transport;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Lets at most one log line per key through per interval and counts the lines it held back, so that anything a
 * remote peer can trigger is logged without a peer being able to flood the log. Keys are small dense integers (enum
 * ordinals), so the state is two fixed arrays.
 *
 * <p>Thread-safe and lock-free.
 */
final class LogLimiter {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong[] lastLine;
    private final AtomicLong[] suppressed;

    /**
     * @param keys number of distinct keys, {@code 0..keys-1}
     * @param intervalNanos minimum time between two lines of one key
     * @param nanoClock a monotonic nanosecond clock
     */
    LogLimiter(int keys, long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
        this.lastLine = new AtomicLong[keys];
        this.suppressed = new AtomicLong[keys];
        long now = nanoClock.getAsLong();
        for (int i = 0; i < keys; i++) {
            lastLine[i] = new AtomicLong(now - intervalNanos);
            suppressed[i] = new AtomicLong();
        }
    }

    /**
     * @return -1 when the line must be suppressed, otherwise how many lines of this key were suppressed since the
     *     last one let through (the caller puts that number in its line)
     */
    long admit(int key) {
        long now = nanoClock.getAsLong();
        long last = lastLine[key].get();
        if (now - last < intervalNanos || !lastLine[key].compareAndSet(last, now)) {
            suppressed[key].incrementAndGet();
            return -1;
        }
        return suppressed[key].getAndSet(0);
    }

    /** Lines of {@code key} held back since the last one let through. */
    long suppressed(int key) {
        return suppressed[key].get();
    }
}
