package org.edgesbc.policy.limit;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

/**
 * Settings of the after-parsing request budgets: per source and method class.
 *
 * @param perSecond requests per second per source for each method class (defaults: REGISTER 2, INVITE 5, OPTIONS 5,
 *     OTHER 20); every class must be present
 * @param burstSeconds the burst is this many seconds' worth of the rate (default 4)
 * @param peerFactor known peers (trunk, PBX, office) get this many times the budget (default 50)
 * @param maxKeys bound of the per-source-and-class table (default 400,000)
 * @param idleExpiry a bucket is forgotten after this long unused (default 1 minute)
 */
public record RequestBudgets(Map<MethodClass, Double> perSecond, double burstSeconds, double peerFactor, int maxKeys,
        Duration idleExpiry) {
    public static final RequestBudgets DEFAULTS = new RequestBudgets(Map.of(MethodClass.REGISTER, 2.0,
            MethodClass.INVITE, 5.0, MethodClass.OPTIONS, 5.0, MethodClass.OTHER, 20.0), 4, 50, 400_000,
            Duration.ofMinutes(1));

    public RequestBudgets {
        perSecond = Map.copyOf(new EnumMap<>(perSecond));
        for (MethodClass methodClass : MethodClass.values()) {
            Double rate = perSecond.get(methodClass);
            if (rate == null || !(rate > 0)) {
                throw new IllegalArgumentException("requests per second for " + methodClass + " must be positive,"
                        + " got " + rate);
            }
        }
        if (!(burstSeconds > 0) || !(peerFactor >= 1) || maxKeys < 1 || idleExpiry.isNegative()
                || idleExpiry.isZero()) {
            throw new IllegalArgumentException("burst seconds must be positive, peer factor at least 1, max keys at"
                    + " least 1 and idle expiry positive");
        }
    }

    /** The rate for a class, scaled for known peers. */
    public double rate(MethodClass methodClass, boolean knownPeer) {
        return perSecond.get(methodClass) * (knownPeer ? peerFactor : 1);
    }

    /** The burst for a class (never below one request), scaled for known peers. */
    public double burst(MethodClass methodClass, boolean knownPeer) {
        return Math.max(1, rate(methodClass, knownPeer) * burstSeconds);
    }
}
