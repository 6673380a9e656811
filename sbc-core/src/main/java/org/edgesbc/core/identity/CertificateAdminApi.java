package org.edgesbc.core.identity;

import java.util.List;
import java.util.Locale;
import org.edgesbc.core.JsonText;
import org.edgesbc.core.management.ManagementServer;
import org.edgesbc.core.management.ManagementServer.AdminResponse;

/**
 * The STIR/SHAKEN part of the admin API (bearer token required, see {@link ManagementServer}):
 * {@code GET /admin/stir-shaken/certificates} lists the certificate cache, each x5u URL with the subject of its
 * leaf certificate, when it was fetched and until when it is kept, or the failure remembered for it.
 */
public final class CertificateAdminApi {
    private static final String PATH = "/admin/stir-shaken/certificates";

    private final CertificateCache cache;

    public CertificateAdminApi(CertificateCache cache) {
        this.cache = cache;
    }

    public void register(ManagementServer server) {
        server.route("GET", PATH, (method, path, query, body) -> list());
    }

    private AdminResponse list() {
        List<CertificateCache.Entry> entries;
        try {
            entries = cache.entries();
        } catch (IllegalStateException e) {
            return AdminResponse.json(503, "{\"error\":\"the certificate cache did not answer in time\"}\n");
        }
        StringBuilder out = new StringBuilder("{\"certificates\":[");
        for (int i = 0; i < entries.size(); i++) {
            CertificateCache.Entry entry = entries.get(i);
            out.append(i == 0 ? "" : ",").append('{');
            JsonText.field(out, "x5u", entry.url()).append(',');
            JsonText.field(out, "leaf_subject", entry.leafSubject()).append(',');
            JsonText.field(out, "fetched", entry.fetched() == null ? null : entry.fetched().toString()).append(',');
            JsonText.field(out, "expires", entry.expires() == null ? null : entry.expires().toString()).append(',');
            JsonText.field(out, "failure", entry.failure() == null ? null
                    : entry.failure().name().toLowerCase(Locale.ROOT)).append('}');
        }
        return AdminResponse.json(200, out.append("]}\n").toString());
    }
}
