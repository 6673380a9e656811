package org.edgesbc.policy.fraud;

import java.util.Set;

/**
 * What one calling account may do toward the trunk.
 *
 * @param allowedClasses destination classes it may call; EMERGENCY is always allowed whatever this says
 * @param maxConcurrentCalls calls up at the same time
 * @param callsPerMinute new calls per minute (the burst is one minute's worth)
 * @param dailySpendCap spend per calendar day in micro-units of the rate table's currency; 0 for none
 * @param weekendSpendCap spend from Saturday 00:00 to Monday 00:00 in micro-units; 0 for none
 */
public record FraudRules(Set<DestinationClass> allowedClasses, int maxConcurrentCalls, int callsPerMinute,
        long dailySpendCap, long weekendSpendCap) {

    /** The secure default: home-country calls only; international, premium, satellite and high-risk blocked. */
    public static final FraudRules DEFAULT = new FraudRules(
            Set.of(DestinationClass.LOCAL, DestinationClass.NATIONAL, DestinationClass.MOBILE), 10, 30, 0, 0);

    /** Rules without spend caps. */
    public FraudRules(Set<DestinationClass> allowedClasses, int maxConcurrentCalls, int callsPerMinute) {
        this(allowedClasses, maxConcurrentCalls, callsPerMinute, 0, 0);
    }
}
