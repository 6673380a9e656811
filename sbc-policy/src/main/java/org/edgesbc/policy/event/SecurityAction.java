package org.edgesbc.policy.event;

/** What a security decision did: the bounded label set of the decision metrics. */
public enum SecurityAction {
    /** Silently dropped, nothing answered. */
    DROP,
    /** Answered with an error status. */
    REJECT,
    /** The source was banned (and this request dropped). */
    BAN,
    /** Let through, but the operator is told. */
    ALERT,
    /** A ban lifted by an operator. */
    UNBAN
}
