package org.edgesbc.core.security;

/** The rule behind a blocking decision; the bounded label set of the decision counter. */
public enum SecurityRule {
    BANNED,
    PACKET_BUDGET,
    REQUEST_BUDGET,
    FLOOD,
    SCANNER,
    /** Many distinct numeric users named by one source without authenticating: banned as a scanner. */
    EXTENSION_SWEEP,
    AUTH_FAILURES,
    /** Many failures against one account from anywhere: alert only, the account is never locked. */
    USER_UNDER_ATTACK,
    IDENTITY,
    OVERLOAD,
    /** A call from the PBX to a destination or at a rate its account may not. */
    TOLL_FRAUD,
    /** An inbound call whose STIR/SHAKEN verification failed (RFC 8224), or that carried no Identity header. */
    CALLER_ID,
    MANUAL
}
