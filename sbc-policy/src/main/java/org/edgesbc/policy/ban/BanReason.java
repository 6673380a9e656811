package org.edgesbc.policy.ban;

/** Why a source is banned; the bounded label set of the ban metrics. */
public enum BanReason {
    /** Too many failed digest authentications (password guessing, enumeration). */
    AUTH_FAILURES,
    /** A known scanner's fingerprint (User-Agent or another header). */
    SCANNER,
    /** Over its packet or request budget for too long. */
    FLOOD,
    /** Replayed digest credentials (a captured Authorization header sent again). */
    REPLAY,
    /** Added by an operator through the admin API. */
    MANUAL
}
