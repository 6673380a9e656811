package org.edgesbc.policy.limit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Token buckets per key (a source address, or an address and a method class), bounded: at most {@code maxKeys}
 * buckets; a bucket idle for {@code idleNanos} is dropped. When the table is full and nothing has expired, a new key
 * is refused (counted as an overflow) rather than evicting a key that is still busy: under a spoofed-source flood
 * the table stays the size it was given and the keys it already tracks keep their budgets.
 *
 * <p>Shared by all I/O threads (admission runs on each), hence the concurrent map; each bucket is guarded by its own
 * monitor, held for a few arithmetic operations.
 *
 * @param <K> the key type
 */
public final class RateLimitTable<K> {
    private final ConcurrentHashMap<K, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final long idleNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong lastSweepNanos = new AtomicLong();

    public RateLimitTable(int maxKeys, long idleNanos, LongSupplier nanoClock) {
        this.maxKeys = maxKeys;
        this.idleNanos = idleNanos;
        this.nanoClock = nanoClock;
        this.lastSweepNanos.set(nanoClock.getAsLong());
    }

    /**
     * Takes a token from {@code key}'s bucket (created with the given rate and burst on first use).
     *
     * @return false when the key is over its budget or the table is full
     */
    public boolean tryTake(K key, double ratePerSecond, double burst) {
        long now = nanoClock.getAsLong();
        TokenBucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys) {
                sweep(now);
                if (buckets.size() >= maxKeys) {
                    overflows.incrementAndGet();
                    return false;
                }
            }
            bucket = buckets.computeIfAbsent(key, k -> new TokenBucket(ratePerSecond, burst, now));
        }
        synchronized (bucket) {
            return bucket.tryTake(now);
        }
    }

    /** Drops buckets idle longer than the idle time; runs at most once per idle period unless the table is full. */
    private void sweep(long now) {
        long last = lastSweepNanos.get();
        if (now - last < idleNanos / 4 || !lastSweepNanos.compareAndSet(last, now)) {
            return;
        }
        Iterator<Map.Entry<K, TokenBucket>> it = buckets.entrySet().iterator();
        while (it.hasNext()) {
            TokenBucket bucket = it.next().getValue();
            synchronized (bucket) {
                if (now - bucket.lastUsedNanos() > idleNanos) {
                    it.remove();
                }
            }
        }
    }

    public int size() {
        return buckets.size();
    }

    public long overflows() {
        return overflows.get();
    }
}
