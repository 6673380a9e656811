package org.edgesbc.policy.cluster;

import java.time.Instant;
import java.util.List;

/**
 * What an operator sees of the cluster: this node's name, the shared store's state, and every node seen with its
 * last heartbeat.
 *
 * @param node this node's name (null on a single node)
 */
public record ClusterView(String node, StoreState store, List<NodeSeen> nodes) {
    /** The shared store as this node sees it. */
    public enum StoreState { NOT_CONFIGURED, UP, DOWN }

    /** @param alive whether its last heartbeat is recent enough for its live calls to count */
    public record NodeSeen(String node, String address, Instant lastHeartbeat, boolean alive) { }

    public ClusterView {
        nodes = List.copyOf(nodes);
    }
}
