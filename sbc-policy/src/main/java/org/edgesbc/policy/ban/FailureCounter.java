package org.edgesbc.policy.ban;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts failures (of authentication, for example) per key in fixed windows: the first failure opens a window of
 * the configured length, and the count restarts when it closes. Bounded: when {@code maxKeys} keys are tracked,
 * closed windows are dropped, and if none are closed the new key is not tracked (and counts as at the threshold, so
 * that an attacker cannot hide by filling the table).
 *
 * <p>Shared by relay threads, hence the concurrent map with atomic per-key updates.
 *
 * @param <K> the key type
 */
public final class FailureCounter<K> {
    private record Window(Instant opened, int count) { }

    private final ConcurrentHashMap<K, Window> windows = new ConcurrentHashMap<>();
    private final Duration window;
    private final int maxKeys;
    private final InstantSource clock;

    public FailureCounter(Duration window, int maxKeys, InstantSource clock) {
        this.window = window;
        this.maxKeys = maxKeys;
        this.clock = clock;
    }

    /** Records one failure; returns the failures of {@code key} in its current window, this one included. */
    public int record(K key) {
        Instant now = clock.instant();
        if (!windows.containsKey(key) && windows.size() >= maxKeys) {
            windows.values().removeIf(w -> !w.opened().plus(window).isAfter(now));
            if (windows.size() >= maxKeys) {
                return Integer.MAX_VALUE;
            }
        }
        return windows.compute(key, (k, w) -> w == null || !w.opened().plus(window).isAfter(now)
                ? new Window(now, 1) : new Window(w.opened(), w.count() + 1)).count();
    }

    public void reset(K key) {
        windows.remove(key);
    }

    public int size() {
        return windows.size();
    }
}
