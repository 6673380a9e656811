package org.edgesbc.policy.limit;

/**
 * A token bucket refilled by elapsed time, no timer threads: {@code ratePerSecond} tokens per second up to
 * {@code burst}; a new bucket starts full. Time comes in as nanoseconds from an injected monotonic clock and is
 * compared by difference, so any origin works; a clock that steps back adds nothing. Not thread-safe by itself;
 * {@link RateLimitTable} guards each bucket with its own monitor.
 */
public final class TokenBucket {
    private final double ratePerNano;
    private final double burst;
    private double tokens;
    private long lastRefillNanos;
    private long lastUsedNanos;

    /**
     * @throws IllegalArgumentException when the rate is not positive or the burst is below 1
     */
    public TokenBucket(double ratePerSecond, double burst, long nowNanos) {
        if (!(ratePerSecond > 0) || !(burst >= 1)) {
            throw new IllegalArgumentException("rate must be positive and burst at least 1");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.tokens = burst;
        this.lastRefillNanos = nowNanos;
        this.lastUsedNanos = nowNanos;
    }

    /** Takes one token if there is one; a refused take still counts as use (a flooder's bucket stays hot). */
    public boolean tryTake(long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(burst, tokens + elapsed * ratePerNano);
            lastRefillNanos = nowNanos;
        }
        if (nowNanos - lastUsedNanos > 0) {
            lastUsedNanos = nowNanos;
        }
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }

    /** Whole tokens available now, without taking any (for inspection). */
    public long available(long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        return (long) Math.min(burst, tokens + Math.max(0, elapsed) * ratePerNano);
    }

    long lastUsedNanos() {
        return lastUsedNanos;
    }
}
