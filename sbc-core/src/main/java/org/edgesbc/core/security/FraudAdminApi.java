package org.edgesbc.core.security;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.edgesbc.core.JsonText;
import org.edgesbc.core.management.ManagementServer;
import org.edgesbc.core.management.ManagementServer.AdminResponse;
import org.edgesbc.policy.fraud.FraudGuard;

/**
 * The toll-fraud part of the admin API (bearer token required):
 * <ul>
 *   <li>{@code GET /admin/fraud?account=A}: live calls, spend today and this weekend (micro-units), hold;</li>
 *   <li>{@code POST /admin/fraud/hold?account=A[&duration=SECONDS]}: hold an account (until released by default);</li>
 *   <li>{@code POST /admin/fraud/release?account=A}: release a hold.</li>
 * </ul>
 */
public final class FraudAdminApi {
    private final EdgePolicy policy;

    public FraudAdminApi(EdgePolicy policy) {
        this.policy = policy;
    }

    public void register(ManagementServer server) {
        server.route("GET", "/admin/fraud", (method, path, query, body) -> show(query));
        server.route("POST", "/admin/fraud/hold", (method, path, query, body) -> hold(query));
        server.route("POST", "/admin/fraud/release", (method, path, query, body) -> release(query));
    }

    private AdminResponse show(Map<String, List<String>> query) {
        String account = first(query, "account");
        if (account == null) {
            return AdminResponse.json(400, "{\"error\":\"account is required\"}\n");
        }
        FraudGuard.AccountView view = policy.fraudAccount(account);
        StringBuilder out = new StringBuilder("{");
        JsonText.field(out, "account", view.account());
        out.append(",\"live_calls\":").append(view.liveCalls())
                .append(",\"spent_today_micros\":").append(view.spentTodayMicros())
                .append(",\"spent_weekend_micros\":").append(view.spentWeekendMicros()).append(",\"hold\":");
        FraudGuard.Hold hold = view.hold();
        if (hold == null) {
            out.append("null");
        } else {
            JsonText.field(out.append('{'), "reason", hold.reason()).append(',');
            JsonText.field(out, "since", hold.since().toString()).append(',');
            JsonText.field(out, "expires", hold.expires() == null ? null : hold.expires().toString()).append('}');
        }
        return AdminResponse.json(200, out.append("}\n").toString());
    }

    private AdminResponse hold(Map<String, List<String>> query) {
        String account = first(query, "account");
        if (account == null) {
            return AdminResponse.json(400, "{\"error\":\"account is required\"}\n");
        }
        Instant expires = null;
        String duration = first(query, "duration");
        if (duration != null) {
            try {
                expires = Instant.now().plusSeconds(Long.parseLong(duration));
            } catch (NumberFormatException e) {
                return AdminResponse.json(400, "{\"error\":\"duration must be a number of seconds\"}\n");
            }
        }
        policy.holdAccount(account, expires);
        return show(query);
    }

    private AdminResponse release(Map<String, List<String>> query) {
        String account = first(query, "account");
        if (account == null) {
            return AdminResponse.json(400, "{\"error\":\"account is required\"}\n");
        }
        return policy.releaseAccount(account) ? show(query)
                : AdminResponse.json(404, "{\"error\":\"no hold on this account\"}\n");
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
    }
}
