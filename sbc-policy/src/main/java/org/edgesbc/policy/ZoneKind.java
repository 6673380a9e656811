package org.edgesbc.policy;

/**
 * What kind of peer a zone holds, which decides how much it is trusted (design.md, "Zones and the three jobs").
 */
public enum ZoneKind {
    /** The carrier: allowlisted addresses, peer budgets, never banned automatically unless configured. */
    TRUNK,
    /** The protected PBX: peer budgets, never banned automatically unless configured. */
    PBX,
    /** Remote phones: digest authentication, small budgets, automatic bans. */
    ACCESS,
    /**
     * An operator-marked office network behind NAT: phones still authenticate, but the many phones behind one
     * address share peer budgets and the address is never banned automatically (a re-registration storm after an
     * outage is not an attack).
     */
    OFFICE;

    /** Whether sources of this kind get peer budgets and escape automatic bans by default. */
    public boolean knownPeer() {
        return this != ACCESS;
    }

    /** Whether requests from this kind must pass digest authentication at the SBC. */
    public boolean authenticates() {
        return this == ACCESS || this == OFFICE;
    }
}
