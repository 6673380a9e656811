package org.edgesbc.policy.scan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Known SIP scanners recognised by case-insensitive substrings of request headers. Immutable, built per
 * configuration snapshot.
 *
 * <p>Defaults ({@link #DEFAULT_USER_AGENTS}): tools whose only purpose is scanning, enumerating or cracking SIP
 * services. {@code sipsak} is deliberately absent: it is also an everyday diagnostic tool of PBX administrators, so
 * matching it would ban operators' own probes; add it in the configuration where that is wanted. {@code PortSIP VoIP
 * SDK} is absent too: it is the User-Agent of commercial softphones built on that SDK. Besides User-Agent, the From
 * display name {@code sipvicious} (set by the SIPVicious tools) is recognised.
 *
 * <p>Only the first {@value #MAX_SCANNED_LENGTH} characters of a header are examined, so a huge header costs no
 * more than a short one; the match allocates nothing.
 */
public final class ScannerFingerprints {
    static final int MAX_SCANNED_LENGTH = 256;

    /** Which header a fingerprint looks at. */
    public enum Field { USER_AGENT, FROM_DISPLAY_NAME }

    /** One rule: a substring of one header; its {@link #name()} is what security events report. */
    public record Fingerprint(Field field, String substring) {
        public Fingerprint {
            if (substring.isBlank() || substring.length() > MAX_SCANNED_LENGTH) {
                throw new IllegalArgumentException("a scanner fingerprint must be 1-" + MAX_SCANNED_LENGTH
                        + " characters, got '" + substring + "'");
            }
            substring = substring.toLowerCase(Locale.ROOT);
        }

        /** For example {@code user-agent:friendly-scanner}. */
        public String name() {
            return field.name().toLowerCase(Locale.ROOT).replace('_', '-') + ":" + substring;
        }
    }

    public static final List<String> DEFAULT_USER_AGENTS = List.of("friendly-scanner", "sipvicious", "sipcli",
            "vaxsipuseragent", "sundayddr", "iwar", "sivus", "smap", "sip-scan", "sipscan", "pplsip", "siparmyknife");
    public static final List<String> DEFAULT_FROM_DISPLAY_NAMES = List.of("sipvicious");

    private final Fingerprint[] fingerprints;

    public ScannerFingerprints(List<Fingerprint> fingerprints) {
        this.fingerprints = fingerprints.toArray(Fingerprint[]::new);
    }

    /** Fingerprints from User-Agent and From display-name substrings. */
    public static ScannerFingerprints of(List<String> userAgents, List<String> fromDisplayNames) {
        List<Fingerprint> all = new ArrayList<>();
        userAgents.forEach(s -> all.add(new Fingerprint(Field.USER_AGENT, s)));
        fromDisplayNames.forEach(s -> all.add(new Fingerprint(Field.FROM_DISPLAY_NAME, s)));
        return new ScannerFingerprints(all);
    }

    public static ScannerFingerprints defaults() {
        return of(DEFAULT_USER_AGENTS, DEFAULT_FROM_DISPLAY_NAMES);
    }

    /**
     * The first fingerprint the request's headers match, or null. Either argument may be null (header absent).
     */
    public Fingerprint match(String userAgent, String fromDisplayName) {
        for (Fingerprint fingerprint : fingerprints) {
            String value = fingerprint.field() == Field.USER_AGENT ? userAgent : fromDisplayName;
            if (value != null && containsIgnoreCase(value, fingerprint.substring())) {
                return fingerprint;
            }
        }
        return null;
    }

    public List<Fingerprint> fingerprints() {
        return List.of(fingerprints);
    }

    /** {@code needle} is lower case already; compares without allocating a lower-cased copy of the header. */
    private static boolean containsIgnoreCase(String haystack, String needle) {
        int limit = Math.min(haystack.length(), MAX_SCANNED_LENGTH) - needle.length();
        for (int i = 0; i <= limit; i++) {
            if (haystack.regionMatches(true, i, needle, 0, needle.length())) {
                return true;
            }
        }
        return false;
    }
}
