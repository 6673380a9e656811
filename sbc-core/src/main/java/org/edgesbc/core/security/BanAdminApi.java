package org.edgesbc.core.security;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * Listing reads the ban table directly; adding and lifting are done on the ban service's thread, which the
 * management thread waits for at most {@link #WAIT_SECONDS} seconds (503 when it does not answer in time).
 */
public final class BanAdminApi {
    static final long WAIT_SECONDS = 2;
    private static final String PATH = "/admin/bans";
    private static final AdminResponse BUSY = AdminResponse.json(503,
            "{\"error\":\"the ban service did not answer in time\"}\n");

    private final BanService bans;

    public BanAdminApi(BanService bans) {
        this.bans = bans;
    }

    public void register(ManagementServer server) {
        server.route("GET", PATH, (method, path, query, body) -> list());
        server.route("POST", PATH, (method, path, query, body) -> add(query));
        server.route("DELETE", PATH, (method, path, query, body) -> remove(query));
    }

    private AdminResponse list() {
        StringBuilder out = new StringBuilder("{\"bans\":[");
        List<Ban> active = bans.list();
        for (int i = 0; i < active.size(); i++) {
            Ban ban = active.get(i);
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
        Ban ban = await(bans.banByOperator(address, Duration.ofSeconds(seconds),
                first(query, "note", "banned by operator")));
        if (ban == null) {
            return BUSY;
        }
        return AdminResponse.json(201, "{\"address\":\"" + ban.source().getHostAddress() + "\",\"expires\":\""
                + ban.expires() + "\"}\n");
    }

    private AdminResponse remove(Map<String, List<String>> query) {
        InetAddress address = address(query);
        if (address == null) {
            return AdminResponse.json(400, "{\"error\":\"address must be an IP literal\"}\n");
        }
        Boolean removed = await(bans.releaseByOperator(address));
        if (removed == null) {
            return BUSY;
        }
        return removed ? AdminResponse.json(200, "{\"removed\":true}\n")
                : AdminResponse.json(404, "{\"error\":\"no such ban\"}\n");
    }

    /** The ban thread's result, or null when it did not come in time (or the work failed, counted there). */
    private static <T> T await(CompletableFuture<T> work) {
        try {
            return work.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
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
