package org.edgesbc.core.security;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.edgesbc.core.JsonText;
import org.edgesbc.core.management.ManagementServer;
import org.edgesbc.core.management.ManagementServer.AdminResponse;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.ban.Ban;

/**
 * The ban part of the admin API (bearer token required, see {@link ManagementServer}):
 * <ul>
 *   <li>{@code GET /admin/bans}: active bans with reason, counters, start, expiry and offence count;</li>
 *   <li>{@code POST /admin/bans?address=IP&duration=SECONDS&note=TEXT}: ban a source (default one hour);</li>
 *   <li>{@code DELETE /admin/bans?address=IP}: lift a ban.</li>
 * </ul>
 */
public final class BanAdminApi {
    private static final String PATH = "/admin/bans";

    private final EdgePolicy policy;

    public BanAdminApi(EdgePolicy policy) {
        this.policy = policy;
    }

    public void register(ManagementServer server) {
        server.route("GET", PATH, (method, path, query, body) -> list());
        server.route("POST", PATH, (method, path, query, body) -> add(query));
        server.route("DELETE", PATH, (method, path, query, body) -> remove(query));
    }

    private AdminResponse list() {
        StringBuilder out = new StringBuilder("{\"bans\":[");
        List<Ban> bans = policy.bans();
        for (int i = 0; i < bans.size(); i++) {
            Ban ban = bans.get(i);
            out.append(i == 0 ? "" : ",").append('{');
            JsonText.string(out.append("\"address\":"), ban.source().getHostAddress());
            JsonText.string(out.append(",\"reason\":"), ban.reason().name().toLowerCase(java.util.Locale.ROOT));
            JsonText.string(out.append(",\"detail\":"), ban.detail());
            JsonText.string(out.append(",\"created\":"), ban.created().toString());
            JsonText.string(out.append(",\"expires\":"), ban.expires().toString());
            out.append(",\"offences\":").append(ban.offences()).append('}');
        }
        return AdminResponse.json(200, out.append("]}\n").toString());
    }

    private AdminResponse add(Map<String, List<String>> query) {
        InetAddress address = address(query);
        if (address == null) {
            return AdminResponse.json(400, "{\"error\":\"address must be an IP literal\"}\n");
        }
        long seconds;
        try {
            seconds = Long.parseLong(first(query, "duration", "3600"));
        } catch (NumberFormatException e) {
            return AdminResponse.json(400, "{\"error\":\"duration must be a number of seconds\"}\n");
        }
        if (seconds < 1 || seconds > 365L * 86_400) {
            return AdminResponse.json(400, "{\"error\":\"duration must be between 1 s and 365 days\"}\n");
        }
        Ban ban = policy.addBan(address, Duration.ofSeconds(seconds), first(query, "note", "banned by operator"));
        return AdminResponse.json(201, "{\"address\":\"" + ban.source().getHostAddress() + "\",\"expires\":\""
                + ban.expires() + "\"}\n");
    }

    private AdminResponse remove(Map<String, List<String>> query) {
        InetAddress address = address(query);
        if (address == null) {
            return AdminResponse.json(400, "{\"error\":\"address must be an IP literal\"}\n");
        }
        return policy.removeBan(address) ? AdminResponse.json(200, "{\"removed\":true}\n")
                : AdminResponse.json(404, "{\"error\":\"no such ban\"}\n");
    }

    private static String first(Map<String, List<String>> query, String name, String fallback) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() ? fallback : values.get(0);
    }

    private static InetAddress address(Map<String, List<String>> query) {
        try {
            return Cidr.address(first(query, "address", ""));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
