package org.edgesbc.core.registrar;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.edgesbc.core.JsonText;
import org.edgesbc.core.management.ManagementServer;
import org.edgesbc.core.management.ManagementServer.AdminResponse;

/**
 * The registration part of the admin API (bearer token required, see {@link ManagementServer}):
 * <ul>
 *   <li>{@code GET /admin/registrations[?aor=A]}: every binding (or one AOR's) with contact, key, transport,
 *       source address, zone, registration and expiry;</li>
 *   <li>{@code DELETE /admin/registrations?aor=A[&key=K]}: remove one binding of an AOR by key, or all of its
 *       bindings (the registrar then de-registers the AOR at the PBX).</li>
 * </ul>
 * Query values are URL-encoded (a key or contact URI holds {@code ;}, {@code :} and {@code +}).
 */
public final class RegistrationAdminApi {
    private static final String PATH = "/admin/registrations";
    /** How long a removal may wait for the registrar's thread, which runs it. */
    static final long REMOVE_TIMEOUT_MILLIS = 2_000;

    private final Registrar registrar;

    public RegistrationAdminApi(Registrar registrar) {
        this.registrar = registrar;
    }

    public void register(ManagementServer server) {
        server.route("GET", PATH, (method, path, query, body) -> list(query));
        server.route("DELETE", PATH, (method, path, query, body) -> remove(query));
    }

    private AdminResponse list(Map<String, List<String>> query) {
        String aor = first(query, "aor");
        List<Binding> bindings = aor == null ? registrar.list() : registrar.lookup(aor);
        StringBuilder out = new StringBuilder("{\"registrations\":[");
        for (int i = 0; i < bindings.size(); i++) {
            Binding binding = bindings.get(i);
            out.append(i == 0 ? "" : ",").append('{');
            JsonText.field(out, "aor", binding.aor()).append(',');
            JsonText.field(out, "contact", binding.contact().toString()).append(',');
            JsonText.field(out, "key", binding.key()).append(',');
            JsonText.field(out, "transport", binding.flow().transport().name().toLowerCase(Locale.ROOT)).append(',');
            JsonText.field(out, "source", source(binding.flow().remote())).append(',');
            JsonText.field(out, "zone", binding.zone()).append(',');
            JsonText.field(out, "registered", binding.registered().toString()).append(',');
            JsonText.field(out, "expires", binding.expires().toString()).append('}');
        }
        return AdminResponse.json(200, out.append("]}\n").toString());
    }

    private AdminResponse remove(Map<String, List<String>> query) {
        String aor = first(query, "aor");
        if (aor == null) {
            return AdminResponse.json(400, "{\"error\":\"aor is required\"}\n");
        }
        String key = null;
        if (query.containsKey("key")) {
            key = first(query, "key");
            if (key == null) {
                // An empty key must not widen the removal to every binding of the AOR.
                return AdminResponse.json(400, "{\"error\":\"key must not be empty\"}\n");
            }
        }
        int removed;
        try {
            removed = registrar.remove(aor, key).get(REMOVE_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | RejectedExecutionException e) {
            return AdminResponse.json(503, "{\"error\":\"the registrar did not answer in time\"}\n");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return AdminResponse.json(503, "{\"error\":\"the registrar did not answer in time\"}\n");
        } catch (ExecutionException e) {
            throw new IllegalStateException("removing bindings of " + aor + " failed", e.getCause());
        }
        return removed > 0 ? AdminResponse.json(200, "{\"removed\":" + removed + "}\n")
                : AdminResponse.json(404, "{\"error\":\"no such binding\"}\n");
    }

    /** {@code ip:port}, with an IPv6 address in brackets. */
    private static String source(InetSocketAddress remote) {
        if (remote.getAddress() == null) {
            return remote.getHostString() + ":" + remote.getPort();
        }
        String host = remote.getAddress().getHostAddress();
        return (remote.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + remote.getPort();
    }

    private static String first(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() || values.get(0).isBlank() ? null : values.get(0);
    }
}
