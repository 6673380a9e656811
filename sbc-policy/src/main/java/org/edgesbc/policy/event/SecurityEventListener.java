package org.edgesbc.policy.event;

/**
 * Receives every security event the policy produces; core implements it (its own log file, metrics by rule and
 * action). Called on the thread that made the decision, so an implementation must not block: hand the event to a
 * writer and return.
 */
public interface SecurityEventListener {
    void onEvent(SecurityEvent event);

    /**
     * A decision counted but not logged one by one: packet drops, drops of banned sources, each failed
     * authentication below the ban threshold, each overload rejection. Logging each would let a flood fill the disk;
     * the ban or overload event that explains them is logged once. Default: ignored.
     */
    default void onCounted(SecurityRule rule, SecurityAction action) {
    }
}
