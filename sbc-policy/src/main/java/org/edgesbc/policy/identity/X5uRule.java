package org.edgesbc.policy.identity;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Which x5u URLs (RFC 8225 §5.1, the {@code info} of RFC 8224 §4.1) are usable, for everyone who judges one: the
 * signer, the verifier, the configuration check and the certificate fetcher. Usable: an absolute http or https URL
 * with a host, any port, no user info (every verifier fetches it, so it would publish the credentials), printable
 * ASCII without characters that would end it inside {@code info=<...>}, at most {@link #MAX_LENGTH} characters.
 * Other schemes (file, data, ftp, ...) would let a caller point a certificate fetcher anywhere.
 */
public final class X5uRule {
    /** Longer URLs are refused before parsing; no certificate repository needs more. */
    public static final int MAX_LENGTH = 2_048;

    private X5uRule() { }

    /** Why {@code x5u} is not usable, as a rule an operator can act on, or null when it is. */
    public static String problem(String x5u) {
        if (x5u == null) {
            return "is required";
        }
        if (x5u.length() > MAX_LENGTH) {
            return "must be at most " + MAX_LENGTH + " characters";
        }
        if (!x5u.chars().allMatch(c -> c > ' ' && c < 0x7f && c != '<' && c != '>' && c != '"')) {
            return "must be printable ASCII without spaces, quotes or angle brackets";
        }
        URI uri;
        try {
            uri = new URI(x5u);
        } catch (URISyntaxException e) {
            return "is not a URL: " + e.getReason();
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http") || uri.getHost() == null) {
            return "must be an absolute http or https URL with a host";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not carry user info: every verifier fetches it, so it would publish the credentials";
        }
        return null;
    }
}
