package org.edgesbc.core.security;

/** Counters of the edge policy (Micrometer in the daemon). Thread-safe. */
public interface SecurityMetrics {
    /** A blocking decision: the rule and what was done (drop, reject, ban). */
    void decision(SecurityRule rule, String action);

    void authFailure();

    /** A state file could not be written (a full or read-only data folder); the state stays in memory. */
    void stateWriteFailed(StateFile file);

    SecurityMetrics NONE = new SecurityMetrics() {
        @Override public void decision(SecurityRule rule, String action) { }
        @Override public void authFailure() { }
        @Override public void stateWriteFailed(StateFile file) { }
    };
}
