package org.edgesbc.policy.limit;

import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Token buckets per key (a source address, or an address and a method class), bounded: at most {@code maxKeys}
 * buckets; a bucket idle for {@code idleNanos} is dropped. When the table is full and nothing idle can go, the
 * least recently used of a small sample of buckets ({@value #EVICTION_SAMPLE}) is evicted and an overflow is
 * counted. A busy flooder's bucket is recently used and so is not the one evicted; a source that is evicted and
 * comes back starts with a full burst, which the global budget still caps.
 *
 * <p>A bucket keeps the rate and burst it was created with until it is dropped: after a configuration change the
 * new budgets apply to a key once it has been idle for {@code idleNanos}, or at once when the table is rebuilt.
 *
 * <p>Shared by all I/O threads (admission runs on each), hence the concurrent map; each bucket is guarded by its own
 * monitor, held for a few arithmetic operations, so contention is per key, never table-wide.
 *
 * @param <K> the key type
 */
public final class RateLimitTable<K> {
    static final int EVICTION_SAMPLE = 16;

    private final ConcurrentHashMap<K, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final int maxKeys;
    private final long idleNanos;
    private final LongSupplier nanoClock;
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong lastSweepNanos = new AtomicLong();

    /**
     * @param maxKeys the bound, at least 1
     * @param idleNanos how long an unused bucket is kept, positive
     * @param nanoClock monotonic nanoseconds ({@code System::nanoTime} in production, a manual clock in tests)
     */
    public RateLimitTable(int maxKeys, long idleNanos, LongSupplier nanoClock) {
        if (maxKeys < 1 || idleNanos <= 0) {
            throw new IllegalArgumentException("maxKeys must be at least 1 and idle time positive");
        }
        this.maxKeys = maxKeys;
        this.idleNanos = idleNanos;
        this.nanoClock = nanoClock;
        this.lastSweepNanos.set(nanoClock.getAsLong());
    }

    /** As {@link #tryTake(Object, double, double, long)} at the table's clock. */
    public boolean tryTake(K key, double ratePerSecond, double burst) {
        return tryTake(key, ratePerSecond, burst, nanoClock.getAsLong());
    }

    /**
     * Takes a token from {@code key}'s bucket (created with the given rate and burst on first use).
     *
     * @return false when the key is over its budget
     */
    public boolean tryTake(K key, double ratePerSecond, double burst, long nowNanos) {
        TokenBucket bucket = buckets.get(key);
        if (bucket == null) {
            if (buckets.size() >= maxKeys) {
                makeRoom(nowNanos);
            }
            bucket = buckets.computeIfAbsent(key, k -> new TokenBucket(ratePerSecond, burst, nowNanos));
        }
        synchronized (bucket) {
            return bucket.tryTake(nowNanos);
        }
    }

    private void makeRoom(long now) {
        sweep(now);
        while (buckets.size() >= maxKeys) {
            Map.Entry<K, TokenBucket> victim = null;
            long victimUsed = Long.MAX_VALUE;
            Iterator<Map.Entry<K, TokenBucket>> it = buckets.entrySet().iterator();
            for (int sampled = 0; sampled < EVICTION_SAMPLE && it.hasNext(); sampled++) {
                Map.Entry<K, TokenBucket> candidate = it.next();
                long used;
                synchronized (candidate.getValue()) {
                    used = candidate.getValue().lastUsedNanos();
                }
                if (victim == null || used - victimUsed < 0) {
                    victim = candidate;
                    victimUsed = used;
                }
            }
            if (victim == null) {
                return;
            }
            buckets.remove(victim.getKey(), victim.getValue());
            overflows.incrementAndGet();
        }
    }

    /** Drops buckets idle longer than the idle time; runs at most once per quarter of the idle time. */
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

    /** Forgets one key (a ban lifted, a peer reconfigured). */
    public void remove(K key) {
        buckets.remove(key);
    }

    public int size() {
        return buckets.size();
    }

    /** Buckets evicted while still within their idle time because the table was full. */
    public long overflows() {
        return overflows.get();
    }
}
