package org.edgesbc.policy.cluster;

/**
 * What this node may spend of one spend cap of an account in one period, as taken from the cluster's budget.
 *
 * @param grantedMicros the chunks this node was granted so far in the period, in micro-units
 * @param exhausted whether the cluster refused this node's last ask: the cap is taken in full, so this node may
 *     spend only what it was granted
 */
public record SpendGrant(long grantedMicros, boolean exhausted) {
    /** Whether spending {@code spentMicros} of this grant reaches the cap for this node. */
    public boolean reachedBy(long spentMicros) {
        return exhausted && spentMicros >= grantedMicros;
    }
}
