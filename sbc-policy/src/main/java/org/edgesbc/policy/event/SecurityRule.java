package org.edgesbc.policy.event;

/** The rule behind a security decision: the bounded label set of the decision metrics. */
public enum SecurityRule {
    /** The source is banned: dropped before parsing. */
    BANNED,
    /** The source lies in no zone: dropped before parsing. */
    NO_ZONE,
    /** Over the per-source or global packet budget before parsing. */
    PACKET_BUDGET,
    /** A source kept exceeding its budgets and was banned for flooding. */
    FLOOD,
    /** Over the per-source budget of its method class after parsing. */
    REQUEST_BUDGET,
    /** A known scanner's fingerprint. */
    SCANNER,
    /** Failed digest authentications from one source reached the threshold. */
    AUTH_FAILURES,
    /** Failed digest authentications against one account reached the alert threshold (never a lockout). */
    USER_UNDER_ATTACK,
    /** Replayed digest credentials. */
    REPLAY,
    /** An authenticated user sent a request in another user's name (From, or the To of a REGISTER). */
    IDENTITY,
    /** New INVITEs over the global rate or the concurrent-transaction cap: 503 with Retry-After. */
    OVERLOAD,
    /** An operator's action through the admin API. */
    MANUAL
}
