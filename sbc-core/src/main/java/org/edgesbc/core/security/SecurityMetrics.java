package org.edgesbc.core.security;

/** Counters of the edge policy (Micrometer in the daemon). Thread-safe. */
public interface SecurityMetrics {
    /** A blocking decision: the rule and what was done (drop, reject, ban). */
    void decision(SecurityRule rule, String action);

    void authFailure();

    SecurityMetrics NONE = new SecurityMetrics() {
        @Override public void decision(SecurityRule rule, String action) { }
        @Override public void authFailure() { }
    };
}
