package org.edgesbc.core.security;

/** The rule behind a blocking decision; the bounded label set of the decision counter. */
public enum SecurityRule {
    BANNED,
    PACKET_BUDGET,
    REQUEST_BUDGET,
    FLOOD,
    SCANNER,
    AUTH_FAILURES,
    IDENTITY,
    OVERLOAD,
    MANUAL
}
