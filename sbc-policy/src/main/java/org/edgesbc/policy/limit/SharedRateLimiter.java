package org.edgesbc.policy.limit;

import java.util.concurrent.atomic.AtomicLong;

/**
 * One budget shared by all threads (the global packet budget, the global new-INVITE budget), lock-free. The
 * arithmetic is the generic cell rate algorithm (ITU-T I.371), which admits exactly what a token bucket of the same
 * rate and burst admits but keeps its whole state in one {@code long} (the theoretical arrival time), so a compare
 * and set replaces a lock. Under contention a taker retries at most {@link #MAX_ATTEMPTS} times, then refuses: a
 * refusal under that much contention is what a saturated budget would answer anyway.
 */
public final class SharedRateLimiter {
    static final int MAX_ATTEMPTS = 8;

    private final long intervalNanos;
    private final long toleranceNanos;
    private final AtomicLong theoreticalArrival;

    /**
     * @param ratePerSecond sustained rate, positive
     * @param burst how many may pass at once after a quiet period, at least 1
     */
    public SharedRateLimiter(double ratePerSecond, double burst, long nowNanos) {
        if (!(ratePerSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("rate must be positive and burst at least 1, got " + ratePerSecond
                    + " and " + burst);
        }
        this.intervalNanos = Math.max(1, (long) (1e9 / ratePerSecond));
        this.toleranceNanos = (long) (intervalNanos * (burst - 1));
        this.theoreticalArrival = new AtomicLong(nowNanos);
    }

    /** Takes one unit of budget at {@code nowNanos} if there is one. */
    public boolean tryTake(long nowNanos) {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            long arrival = theoreticalArrival.get();
            // Signed differences, so that a nanoTime origin anywhere (even negative) works.
            long base = arrival - nowNanos > 0 ? arrival : nowNanos;
            if (base - nowNanos > toleranceNanos) {
                return false;
            }
            if (theoreticalArrival.compareAndSet(arrival, base + intervalNanos)) {
                return true;
            }
        }
        return false;
    }
}
