package org.edgesbc.core.management;

import java.util.Locale;
import org.edgesbc.core.JsonText;
import org.edgesbc.core.management.ManagementServer.AdminResponse;

/**
 * The drain part of the admin API (bearer token required, see {@link ManagementServer}):
 * <ul>
 *   <li>{@code POST /admin/drain}: starts draining (see {@link DrainCoordinator}); answers 202 with the status, and
 *       the same again if a drain already runs;</li>
 *   <li>{@code GET /admin/drain}: the status: phase, what started it, seconds to the drain timeout, calls left.</li>
 * </ul>
 */
public final class DrainAdminApi {
    private static final String PATH = "/admin/drain";

    private final DrainCoordinator drain;

    public DrainAdminApi(DrainCoordinator drain) {
        this.drain = drain;
    }

    public void register(ManagementServer server) {
        server.route("GET", PATH, (method, path, query, body) -> AdminResponse.json(200, status()));
        server.route("POST", PATH, (method, path, query, body) -> {
            drain.start("admin API");
            return AdminResponse.json(202, status());
        });
    }

    private String status() {
        DrainCoordinator.Status status = drain.status();
        StringBuilder out = new StringBuilder("{");
        JsonText.field(out, "phase", status.phase().name().toLowerCase(Locale.ROOT)).append(',');
        JsonText.field(out, "trigger", status.trigger());
        out.append(",\"seconds_to_timeout\":").append(status.secondsToTimeout())
                .append(",\"active_calls\":").append(status.activeCalls());
        return out.append("}\n").toString();
    }
}
