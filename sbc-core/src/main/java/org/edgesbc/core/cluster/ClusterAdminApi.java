package org.edgesbc.core.cluster;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import org.edgesbc.core.JsonText;
import org.edgesbc.core.management.ManagementServer;
import org.edgesbc.core.management.ManagementServer.AdminResponse;
import org.edgesbc.policy.cluster.ClusterView;
import org.edgesbc.policy.cluster.SharedState;

/**
 * {@code GET /admin/cluster} (bearer token required, see {@link ManagementServer}): this node's name, the state of
 * the shared store ({@code not_configured} on a single node, {@code up}, {@code down}) and every node seen with its
 * address, last heartbeat and whether it counts as alive; with {@code ?account=NAME}, the SIP addresses of the other
 * nodes holding registered phones of that account. Reads local copies only, never Redis.
 */
public final class ClusterAdminApi {
    private final SharedState shared;

    public ClusterAdminApi(SharedState shared) {
        this.shared = shared;
    }

    public void register(ManagementServer server) {
        server.route("GET", "/admin/cluster", (method, path, query, body) -> show(
                query.getOrDefault("account", List.of()).stream().findFirst().orElse(null)));
    }

    private AdminResponse show(String account) {
        ClusterView view = shared.view();
        StringBuilder out = new StringBuilder("{\"node\":");
        if (view.node() == null) {
            out.append("null");
        } else {
            JsonText.string(out, view.node());
        }
        JsonText.string(out.append(",\"redis\":"), view.store().name().toLowerCase(Locale.ROOT));
        out.append(",\"nodes\":[");
        for (int i = 0; i < view.nodes().size(); i++) {
            ClusterView.NodeSeen node = view.nodes().get(i);
            JsonText.string(out.append(i == 0 ? "" : ",").append("{\"node\":"), node.node());
            JsonText.string(out.append(",\"address\":"), node.address());
            JsonText.string(out.append(",\"last_heartbeat\":"), node.lastHeartbeat().toString());
            out.append(",\"alive\":").append(node.alive()).append('}');
        }
        out.append(']');
        if (account != null) {
            JsonText.string(out.append(",\"account\":"), account);
            out.append(",\"registered_on_other_nodes\":[");
            List<InetSocketAddress> holders = shared.holdersElsewhere(account);
            for (int i = 0; i < holders.size(); i++) {
                JsonText.string(out.append(i == 0 ? "" : ","), SharedStateCodec.hostPort(holders.get(i)));
            }
            out.append(']');
        }
        return AdminResponse.json(200, out.append("}\n").toString());
    }

    /** The line {@code /ready} adds while a cluster node works without Redis (readiness itself is not affected). */
    public static String readyDetail(SharedState shared) {
        ClusterView view = shared.view();
        return view.store() == ClusterView.StoreState.DOWN
                ? "cluster: redis down, node " + view.node() + " enforces its own state only\n" : "";
    }
}
