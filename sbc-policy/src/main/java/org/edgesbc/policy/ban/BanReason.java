package org.edgesbc.policy.ban;

/** Why a source is banned; the bounded label set of the ban metrics. */
public enum BanReason {
    /** Too many failed digest authentications (password guessing, enumeration). */
    AUTH_FAILURES,
    /** A known scanner's fingerprint (User-Agent). */
    SCANNER,
    /** Over its packet or request budget for too long. */
    FLOOD,
    /** Added by an operator through the admin API. */
    MANUAL
}
