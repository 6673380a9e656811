package org.edgesbc.policy.fraud;

/** What kind of destination a dialled number reaches; rules allow or block by class. */
public enum DestinationClass {
    EMERGENCY, LOCAL, NATIONAL, MOBILE, INTERNATIONAL, PREMIUM, SATELLITE, SHARED_COST, HIGH_RISK, INVALID
}
