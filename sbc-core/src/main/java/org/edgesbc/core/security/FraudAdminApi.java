package org.edgesbc.core.security;

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
import org.edgesbc.policy.fraud.FraudGuard;

/**
 * The toll-fraud part of the admin API (bearer token required):
 * <ul>
 *   <li>{@code GET /admin/fraud?account=A}: live calls, spend today and this weekend (micro-units), hold;</li>
 *   <li>{@code POST /admin/fraud/hold?account=A[&duration=SECONDS]}: hold an account (until released by default);</li>
 *   <li>{@code POST /admin/fraud/release?account=A}: release a hold.</li>
 * </ul>
 * The work is done on the toll-fraud service's thread; the management thread waits for it at most
 * {@link #WAIT_SECONDS} seconds and answers 503 when the service does not answer in time.
 */
public final class FraudAdminApi {
    static final long WAIT_SECONDS = 2;
    private static final AdminResponse BUSY = AdminResponse.json(503,
            "{\"error\":\"the toll-fraud service did not answer in time\"}\n");

    private final FraudService fraud;

    public FraudAdminApi(FraudService fraud) {
        this.fraud = fraud;
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
        return await(fraud.inspect(account));
    }

    /** The account's view as JSON once the service gives it; 404 when there is none (no hold to release). */
    private static AdminResponse await(CompletableFuture<FraudGuard.AccountView> work) {
        FraudGuard.AccountView view;
        try {
            view = work.get(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return BUSY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return BUSY;
        }
        if (view == null) {
            return AdminResponse.json(404, "{\"error\":\"no hold on this account\"}\n");
        }
        StringBuilder out = new StringBuilder("{");
        JsonText.field(out, "account", view.account());
        out.append(",\"live_calls\":").append(view.liveCalls())
                .append(",\"spent_today_micros\":").append(view.spentTodayMicros())
                .append(",\"spent_weekend_micros\":").append(view.spentWeekendMicros())
                .append(",\"live_calls_all_nodes\":").append(view.liveCallsAllNodes())
                .append(",\"spent_today_all_nodes_micros\":").append(view.spentTodayAllNodesMicros())
                .append(",\"hold\":");
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
        Duration duration = null;
        String seconds = first(query, "duration");
        if (seconds != null) {
            try {
                duration = Duration.ofSeconds(Long.parseLong(seconds));
            } catch (NumberFormatException e) {
                return AdminResponse.json(400, "{\"error\":\"duration must be a number of seconds\"}\n");
            }
        }
        return await(fraud.hold(account, duration));
    }

    private AdminResponse release(Map<String, List<String>> query) {
        String account = first(query, "account");
        if (account == null) {
            return AdminResponse.json(400, "{\"error\":\"account is required\"}\n");
        }
        return await(fraud.release(account));
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
    }
}
