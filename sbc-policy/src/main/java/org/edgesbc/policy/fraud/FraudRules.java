package org.edgesbc.policy.fraud;

import java.util.Set;

/**
 * What one calling account may do toward the trunk.
 *
 * @param allowedClasses destination classes it may call; EMERGENCY is always allowed whatever this says
 * @param maxConcurrentCalls calls up at the same time
 * @param callsPerMinute new calls per minute (the burst is one minute's worth)
 */
public record FraudRules(Set<DestinationClass> allowedClasses, int maxConcurrentCalls, int callsPerMinute) {

    /** The secure default: home-country calls only; international, premium, satellite and high-risk blocked. */
    public static final FraudRules DEFAULT = new FraudRules(
            Set.of(DestinationClass.LOCAL, DestinationClass.NATIONAL, DestinationClass.MOBILE), 10, 30);
}
