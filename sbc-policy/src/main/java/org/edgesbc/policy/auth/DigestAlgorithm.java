package org.edgesbc.policy.auth;

/** Digest hash algorithms (RFC 7616 §3.2: SHA-256 preferred, MD5 for older phones). */
public enum DigestAlgorithm {
    SHA_256("SHA-256", "SHA-256"),
    MD5("MD5", "MD5");

    private final String token;
    private final String jcaName;

    DigestAlgorithm(String token, String jcaName) {
        this.token = token;
        this.jcaName = jcaName;
    }

    /** The {@code algorithm=} value. */
    public String token() {
        return token;
    }

    String jcaName() {
        return jcaName;
    }

    /** The algorithm an {@code algorithm=} value names; absent means MD5 (RFC 7616 §3.4); null when unsupported. */
    public static DigestAlgorithm fromToken(String token) {
        if (token == null) {
            return MD5;
        }
        for (DigestAlgorithm algorithm : values()) {
            if (algorithm.token.equalsIgnoreCase(token)) {
                return algorithm;
            }
        }
        return null;
    }
}
