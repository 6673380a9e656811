package org.edgesbc.core.management;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.edgesbc.core.JsonText;
import org.edgesbc.core.management.ManagementServer.AdminResponse;
import org.edgesbc.core.relay.CallControl;
import org.edgesbc.core.relay.CallFilter;
import org.edgesbc.core.relay.CallSnapshot;
import org.edgesbc.core.relay.RelayEngine;
import org.edgesbc.media.LegStats;

/**
 * The call part of the admin API (bearer token required, see {@link ManagementServer}):
 * <ul>
 *   <li>{@code GET /admin/calls[?zone=Z&account=A&number=N&min-age=SECONDS&limit=L]}: calls in progress, oldest
 *       first, at most {@code limit} (default {@value #DEFAULT_LIMIT}, at most {@value #MAX_LIMIT});
 *       {@code matching} counts all that matched;</li>
 *   <li>{@code GET /admin/calls/ID}: one call, found by either leg's Call-ID, with both legs' Call-IDs and tags, the
 *       original Call-ID, media addresses and counters (packets, RFC 3550 loss and jitter, drops) and the toll-fraud
 *       decision;</li>
 *   <li>{@code DELETE /admin/calls/ID} or {@code POST /admin/calls/ID/end}: ends a call, an answered one with BYE
 *       on both sides ({@code "ended":"bye"}), a ringing one with CANCEL toward the callee, whose 487 the caller
 *       hears ({@code "ended":"cancel"}).</li>
 * </ul>
 * Calls belong to the relay shards: every question is handed to the shards' threads and the answers gathered for at
 * most {@link #WAIT}; shards that did not answer in time are reported ({@code complete: false}), never read from
 * here.
 */
public final class CallAdminApi {
    static final int DEFAULT_LIMIT = 100;
    static final int MAX_LIMIT = 10_000;
    /** How long the management thread waits for the shards' answers. */
    static final Duration WAIT = Duration.ofSeconds(2);
    private static final String PATH = "/admin/calls";
    private static final String END_SUFFIX = "/end";
    private static final AdminResponse BUSY = AdminResponse.json(503,
            "{\"error\":\"the relay did not answer in time\"}\n");
    private static final AdminResponse NO_SUCH_CALL = AdminResponse.json(404, "{\"error\":\"no such call\"}\n");

    private final RelayEngine relay;

    public CallAdminApi(RelayEngine relay) {
        this.relay = relay;
    }

    public void register(ManagementServer server) {
        server.route("GET", PATH, (method, path, query, body) -> {
            String id = idOf(path);
            if (id == null) {
                return path.equals(PATH) || path.equals(PATH + "/") ? list(query) : NO_SUCH_CALL;
            }
            return show(id);
        });
        server.route("DELETE", PATH, (method, path, query, body) -> end(idOf(path)));
        server.route("POST", PATH, (method, path, query, body) -> path.endsWith(END_SUFFIX)
                ? end(idOf(path.substring(0, path.length() - END_SUFFIX.length()))) : NO_SUCH_CALL);
    }

    private AdminResponse list(Map<String, List<String>> query) {
        CallFilter filter;
        int limit;
        try {
            String minAge = first(query, "min-age");
            filter = new CallFilter(first(query, "zone"), first(query, "account"), first(query, "number"),
                    minAge == null ? null : Duration.ofSeconds(number(minAge, "min-age", 0, 10L * 365 * 86_400)));
            String asked = first(query, "limit");
            limit = asked == null ? DEFAULT_LIMIT : (int) number(asked, "limit", 1, MAX_LIMIT);
        } catch (IllegalArgumentException e) {
            return AdminResponse.json(400, "{\"error\":" + JsonText.string(new StringBuilder(), e.getMessage())
                    + "}\n");
        }
        RelayEngine.CallListing listing = await(relay.calls(filter, limit, WAIT));
        if (listing == null) {
            return BUSY;
        }
        Instant now = Instant.now();
        StringBuilder out = new StringBuilder("{\"calls\":[");
        for (int i = 0; i < listing.calls().size(); i++) {
            summary(out.append(i == 0 ? "" : ","), listing.calls().get(i), now).append('}');
        }
        out.append("],\"matching\":").append(listing.matching())
                .append(",\"complete\":").append(listing.unansweredShards() == 0)
                .append(",\"unanswered_shards\":").append(listing.unansweredShards());
        return AdminResponse.json(200, out.append("}\n").toString());
    }

    private AdminResponse show(String id) {
        Optional<CallSnapshot> found = await(relay.call(id));
        if (found == null) {
            return BUSY;
        }
        if (found.isEmpty()) {
            return NO_SUCH_CALL;
        }
        CallSnapshot call = found.get();
        StringBuilder out = summary(new StringBuilder(), call, Instant.now());
        out.append(",\"legs\":[");
        leg(out, "caller", call.caller()).append(',');
        leg(out, "callee", call.callee()).append("],\"media\":[");
        for (int i = 0; i < call.media().size(); i++) {
            CallSnapshot.Stream stream = call.media().get(i);
            out.append(i == 0 ? "" : ",").append('{');
            side(out, "caller", stream.sbcTowardCaller(), stream.callerAddress(), stream.fromCaller()).append(',');
            side(out, "callee", stream.sbcTowardCallee(), stream.calleeAddress(), stream.fromCallee()).append('}');
        }
        out.append("],\"fraud\":");
        CallSnapshot.Fraud fraud = call.fraud();
        if (fraud == null) {
            out.append("null");
        } else {
            JsonText.field(out.append('{'), "rule", fraud.rule()).append(',');
            JsonText.field(out, "destination", fraud.destination()).append(',');
            JsonText.field(out, "number", fraud.number()).append(',');
            JsonText.field(out, "account", fraud.account()).append('}');
        }
        JsonText.field(out.append(','), "identity", call.identity());
        return AdminResponse.json(200, out.append("}\n").toString());
    }

    private AdminResponse end(String id) {
        if (id == null) {
            return NO_SUCH_CALL;
        }
        CallControl outcome = await(relay.endCall(id));
        if (outcome == null) {
            return BUSY;
        }
        return switch (outcome) {
            case ENDED -> AdminResponse.json(200, "{\"ended\":\"bye\"}\n");
            case CANCELLED -> AdminResponse.json(200, "{\"ended\":\"cancel\"}\n");
            case NOT_FOUND -> NO_SUCH_CALL;
        };
    }

    /** The fields every listing entry has, left open for more. */
    private static StringBuilder summary(StringBuilder out, CallSnapshot call, Instant now) {
        out.append('{');
        JsonText.field(out, "id", call.id()).append(',');
        JsonText.field(out, "original_call_id", call.originalCallId()).append(',');
        JsonText.field(out, "state", call.state()).append(',');
        JsonText.field(out, "started", text(call.started())).append(',');
        JsonText.field(out, "answered", text(call.answered())).append(',');
        out.append("\"age_seconds\":").append(call.started() == null ? 0
                : Math.max(0, Duration.between(call.started(), now).toSeconds())).append(',');
        JsonText.field(out, "calling", call.calling()).append(',');
        JsonText.field(out, "called", call.called()).append(',');
        JsonText.field(out, "called_normalised", call.calledNormalised()).append(',');
        JsonText.field(out, "account", call.account()).append(',');
        JsonText.field(out, "caller_zone", call.caller().zone()).append(',');
        return JsonText.field(out, "callee_zone", call.callee().zone());
    }

    private static StringBuilder leg(StringBuilder out, String side, CallSnapshot.Leg leg) {
        JsonText.field(out.append('{'), "side", side).append(',');
        JsonText.field(out, "zone", leg.zone()).append(',');
        JsonText.field(out, "call_id", leg.callId()).append(',');
        JsonText.field(out, "from_tag", leg.fromTag()).append(',');
        return JsonText.field(out, "to_tag", leg.toTag()).append('}');
    }

    /** One side of a stream: the SBC's address facing it, the peer's announced address, what the peer sent. */
    private static StringBuilder side(StringBuilder out, String side, String sbc, String peer, LegStats stats) {
        JsonText.string(out, side).append(":{");
        JsonText.field(out, "sbc_address", sbc).append(',');
        JsonText.field(out, "peer_address", peer).append(',');
        JsonText.field(out, "state", stats.state().name().toLowerCase(java.util.Locale.ROOT));
        out.append(",\"packets\":").append(stats.packets()).append(",\"bytes\":").append(stats.bytes())
                .append(",\"lost\":").append(stats.lost())
                .append(",\"jitter_ms\":").append(Math.round(stats.jitterMillis() * 100) / 100.0)
                .append(",\"injected\":").append(stats.injected()).append(",\"dropped\":").append(stats.dropped());
        return out.append('}');
    }

    /** The call id after {@code /admin/calls/}, or null for the collection itself. */
    private static String idOf(String path) {
        if (path == null || !path.startsWith(PATH + "/") || path.length() == PATH.length() + 1) {
            return null;
        }
        return path.substring(PATH.length() + 1);
    }

    /** The relay's answer, or null when it did not come in time (or the hand-off failed, counted there). */
    private static <T> T await(CompletableFuture<T> answer) {
        try {
            return answer.get(WAIT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static long number(String text, String name, long min, long max) {
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number");
        }
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max);
        }
        return value;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
    }
}
