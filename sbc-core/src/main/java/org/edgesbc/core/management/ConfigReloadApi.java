package org.edgesbc.core.management;

import java.util.List;
import org.edgesbc.core.JsonText;
import org.edgesbc.core.management.ManagementServer.AdminResponse;

/**
 * The reload part of the admin API (bearer token required, see {@link ManagementServer}):
 * {@code POST /admin/reload} reads the daemon's configuration file again and puts it in force whole or not at all
 * ({@link ConfigReloader}). Answers, all JSON with {@code result}, {@code generation}, {@code file} and
 * {@code problems}:
 * <ul>
 *   <li>200: the new configuration is live, {@code generation} is its number;</li>
 *   <li>422: the file is invalid (each problem as {@code file:line: key = 'value': rule}) or its key material
 *       cannot be read; nothing changed;</li>
 *   <li>409: a key that needs a restart changed (each problem names the key); nothing changed.</li>
 * </ul>
 * The reload runs on the management thread: reading a YAML file and a few PEM files, no network.
 */
public final class ConfigReloadApi {
    static final String PATH = "/admin/reload";

    private final ConfigReloader reloader;

    public ConfigReloadApi(ConfigReloader reloader) {
        this.reloader = reloader;
    }

    public void register(ManagementServer server) {
        server.route("POST", PATH, (method, path, query, body) -> answer(reloader.reload()));
    }

    static AdminResponse answer(ConfigReloader.Outcome outcome) {
        int status = switch (outcome.result()) {
            case OK -> 200;
            case FAILED -> 422;
            case REFUSED -> 409;
        };
        StringBuilder out = new StringBuilder("{");
        JsonText.field(out, "result", outcome.result().name().toLowerCase(java.util.Locale.ROOT));
        out.append(",\"generation\":").append(outcome.generation()).append(',');
        JsonText.field(out, "file", outcome.file().toString()).append(",\"problems\":[");
        List<String> problems = outcome.problems();
        for (int i = 0; i < problems.size(); i++) {
            JsonText.string(out.append(i == 0 ? "" : ","), problems.get(i));
        }
        return AdminResponse.json(status, out.append("]}\n").toString());
    }
}
