package org.edgesbc.core.identity;

import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.edgesbc.policy.identity.X5uRule;

/**
 * Where an x5u URL points: an absolute http or https URL (RFC 8224 §4.1: the {@code info} parameter is a URI the
 * verifier dereferences; ATIS-1000074 has signers publish their chain over HTTPS, plain http serves test labs), with
 * a host, without user info, on any port (repositories behind a non-default port are valid).
 *
 * @param https whether the connection is TLS
 * @param host the host to connect to and, for TLS, to verify and name in SNI: lower case, IPv6 literals without
 *     brackets
 * @param port the URL's port, or the scheme's default
 * @param hostHeader the Host header (RFC 9110 §7.2): the authority without user info
 * @param requestTarget the origin-form request target (RFC 9112 §3.2.1): path and query, "/" when the path is empty
 */
record X5uTarget(boolean https, String host, int port, String hostHeader, String requestTarget) {
    /** The target of {@code x5u}, empty when it is not a URL the cache fetches from. */
    static Optional<X5uTarget> parse(String x5u) {
        if (X5uRule.problem(x5u) != null) {
            return Optional.empty();
        }
        // The rule parsed it already: a URI with an http or https scheme, a host and no user info.
        URI uri = URI.create(x5u);
        boolean https = uri.getScheme().equalsIgnoreCase("https");
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() == -1 ? (https ? 443 : 80) : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        String target = uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
        return Optional.of(new X5uTarget(https, host, port, uri.getRawAuthority(), target));
    }

    /**
     * Whether the host may be fetched from: any host when {@code allowedHosts} is empty, else one of them, compared
     * without regard to case (names are case-insensitive, RFC 4343).
     *
     * @param allowedHosts lower-case host names or address literals (IPv6 without brackets)
     */
    boolean allowedBy(Set<String> allowedHosts) {
        return allowedHosts.isEmpty() || allowedHosts.contains(host);
    }
}
