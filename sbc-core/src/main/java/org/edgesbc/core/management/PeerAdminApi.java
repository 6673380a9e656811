package org.edgesbc.core.management;

import java.time.Instant;
import java.util.List;
import org.edgesbc.core.JsonText;
import org.edgesbc.core.management.ManagementServer.AdminResponse;
import org.edgesbc.core.relay.RelayEngine;

/**
 * The peer part of the admin API (bearer token required, see {@link ManagementServer}): {@code GET /admin/peers}
 * lists every configured peer of every trunk and PBX zone in configuration order, with whether it is probed, up or
 * down, the result and time of its last OPTIONS probe, and since when it is in its state. Read from the relay's
 * shared peer table, never from a shard.
 */
public final class PeerAdminApi {
    private static final String PATH = "/admin/peers";

    private final RelayEngine relay;

    public PeerAdminApi(RelayEngine relay) {
        this.relay = relay;
    }

    public void register(ManagementServer server) {
        server.route("GET", PATH, (method, path, query, body) -> path.equals(PATH) || path.equals(PATH + "/")
                ? list() : AdminResponse.json(404, "{\"error\":\"no such resource\"}\n"));
    }

    private AdminResponse list() {
        List<RelayEngine.PeerStatus> peers = relay.peerStatuses();
        StringBuilder out = new StringBuilder("{\"peers\":[");
        for (int i = 0; i < peers.size(); i++) {
            RelayEngine.PeerStatus peer = peers.get(i);
            out.append(i == 0 ? "{" : ",{");
            JsonText.field(out, "zone", peer.zone()).append(',');
            JsonText.field(out, "host", peer.host()).append(",\"port\":").append(peer.port()).append(',');
            JsonText.field(out, "transport", peer.transport()).append(",\"probed\":").append(peer.probed())
                    .append(",\"up\":").append(peer.up()).append(',');
            JsonText.field(out, "last_probe", peer.lastProbe()).append(',');
            JsonText.field(out, "last_probe_at", text(peer.lastProbeAt())).append(',');
            JsonText.field(out, "since", text(peer.since())).append('}');
        }
        return AdminResponse.json(200, out.append("]}\n").toString());
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
