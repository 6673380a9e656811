package org.edgesbc.core.relay;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.cluster.ClusterMetrics;
import org.edgesbc.policy.cluster.ClusterView;
import org.edgesbc.policy.cluster.SharedState;
import org.edgesbc.policy.cluster.SingleNodeState;

/**
 * The other nodes of a cluster as the relay sees them: which sources are nodes (admitted into the PBX zone, so a
 * node relays a PBX call to another as the PBX would), and which nodes hold the registered phones of an account
 * this node holds none of. Safe on any thread; reads only the shared state's local copy.
 */
public final class OtherNodes {
    /** One node: every phone is reached where it registered. */
    public static final OtherNodes NONE = new OtherNodes(SingleNodeState.INSTANCE, Set.of(), ClusterMetrics.NONE);
    private static final RateLimitedLog LOG = new RateLimitedLog(OtherNodes.class.getName());

    private final SharedState shared;
    private final Set<InetAddress> addresses;
    private final ClusterMetrics metrics;

    /** @param addresses every node's SIP address ({@code cluster.node-addresses}) */
    public OtherNodes(SharedState shared, Set<InetAddress> addresses, ClusterMetrics metrics) {
        this.shared = shared;
        this.addresses = Set.copyOf(addresses);
        this.metrics = metrics;
    }

    /** Where this node records which phones it holds. */
    SharedState shared() {
        return shared;
    }

    /** Whether a request came from a node of the cluster (one of {@code cluster.node-addresses}). */
    boolean isNode(InetAddress source) {
        return addresses.contains(source);
    }

    /**
     * Where a PBX request for {@code aor}, whose phones this node holds none of, is relayed: the nodes holding
     * them, or empty. A request that came from a node is never relayed to another, so a stale record cannot loop.
     */
    List<InetSocketAddress> holders(String aor, InetAddress source) {
        if (addresses.isEmpty() || isNode(source)) {
            return List.of();
        }
        List<InetSocketAddress> holders = shared.holdersElsewhere(aor);
        if (!holders.isEmpty()) {
            metrics.phoneCall(ClusterMetrics.PhoneCall.OTHER_NODE);
        } else if (shared.view().store() == ClusterView.StoreState.DOWN) {
            metrics.phoneCall(ClusterMetrics.PhoneCall.LOCAL_ONLY);
            LOG.warn("cluster-local-only", "cluster: Redis is unreachable, so a PBX call for {} went only to this "
                    + "node's phones (it has none); phones registered on other nodes are not reached until it "
                    + "returns", aor);
        }
        return holders;
    }
}
