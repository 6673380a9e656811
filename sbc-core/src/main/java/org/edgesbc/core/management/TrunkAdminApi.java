package org.edgesbc.core.management;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import org.edgesbc.core.JsonText;
import org.edgesbc.core.management.ManagementServer.AdminResponse;
import org.edgesbc.core.relay.RelayEngine;
import org.edgesbc.core.relay.TrunkRegistrationStatus;

/**
 * The trunk part of the admin API (bearer token required, see {@link ManagementServer}): {@code GET /admin/trunks}
 * lists the SBC's registrations at trunks (zone, user, state, until when it holds, the next attempt, failures in a
 * row and the last status the trunk answered). Reads what the registrations publish; never a credential.
 */
public final class TrunkAdminApi {
    private static final String PATH = "/admin/trunks";

    private final RelayEngine relay;

    public TrunkAdminApi(RelayEngine relay) {
        this.relay = relay;
    }

    public void register(ManagementServer server) {
        server.route("GET", PATH, (method, path, query, body) -> list());
    }

    private AdminResponse list() {
        List<TrunkRegistrationStatus> registrations = relay.trunkRegistrations();
        StringBuilder out = new StringBuilder("{\"registrations\":[");
        for (int i = 0; i < registrations.size(); i++) {
            TrunkRegistrationStatus status = registrations.get(i);
            out.append(i == 0 ? "" : ",").append('{');
            JsonText.field(out, "zone", status.zone()).append(',');
            JsonText.field(out, "user", status.user()).append(',');
            JsonText.field(out, "state", status.state().name().toLowerCase(Locale.ROOT)).append(',');
            JsonText.field(out, "registered_until", text(status.registeredUntil())).append(',');
            JsonText.field(out, "next_attempt", text(status.nextAttempt())).append(',');
            out.append("\"failures\":").append(status.failures()).append(',');
            out.append("\"last_status\":").append(status.lastStatus()).append('}');
        }
        return AdminResponse.json(200, out.append("]}\n").toString());
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
