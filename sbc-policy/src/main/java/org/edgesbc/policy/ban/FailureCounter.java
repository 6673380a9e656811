package org.edgesbc.policy.ban;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Counts failures (of authentication, for example) per key in fixed windows: the first failure opens a window of
 * the configured length, and the count restarts when it closes. Bounded: when {@code maxKeys} keys are tracked,
 * closed windows are dropped, and if none are closed the new key is not tracked (and counts as at the threshold, so
 * that an attacker cannot hide by filling the table). Windows run on a monotonic clock ({@link System#nanoTime} in
 * the daemon): a wall clock stepped back does not keep a window open for hours, nor a step forward close it early.
 *
 * <p>Shared by relay threads, hence the concurrent map with atomic per-key updates.
 *
 * @param <K> the key type
 */
public final class FailureCounter<K> {
    /** @param opened monotonic nanoseconds */
    private record Window(long opened, int count) { }

    private final ConcurrentHashMap<K, Window> windows = new ConcurrentHashMap<>();
    private final long windowNanos;
    private final int maxKeys;
    private final LongSupplier monotonic;

    /** @param monotonic nanoseconds, compared by difference */
    public FailureCounter(Duration window, int maxKeys, LongSupplier monotonic) {
        this.windowNanos = window.toNanos();
        this.maxKeys = maxKeys;
        this.monotonic = monotonic;
    }

    private boolean closedAt(Window w, long now) {
        return now - w.opened() >= windowNanos;
    }

    /** Records one failure; returns the failures of {@code key} in its current window, this one included. */
    public int record(K key) {
        long now = monotonic.getAsLong();
        if (!windows.containsKey(key) && windows.size() >= maxKeys) {
            windows.values().removeIf(w -> closedAt(w, now));
            if (windows.size() >= maxKeys) {
                return Integer.MAX_VALUE;
            }
        }
        return windows.compute(key, (k, w) -> w == null || closedAt(w, now)
                ? new Window(now, 1) : new Window(w.opened(), w.count() + 1)).count();
    }

    public void reset(K key) {
        windows.remove(key);
    }

    public int size() {
        return windows.size();
    }
}
