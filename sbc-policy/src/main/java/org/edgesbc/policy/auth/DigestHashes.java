package org.edgesbc.policy.auth;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * The digest computations of RFC 7616 §3.4.1-§3.4.3 that both sides share: the SBC checking a phone's credentials
 * ({@link DigestAuthenticator}) and the SBC answering a peer's challenge ({@link DigestClient}) compute the same
 * {@code response}.
 */
final class DigestHashes {
    private static final HexFormat HEX = HexFormat.of();

    private DigestHashes() { }

    /** H(input) in lower-case hex. */
    static String hash(DigestAlgorithm algorithm, String input) {
        try {
            return HEX.formatHex(MessageDigest.getInstance(algorithm.jcaName())
                    .digest(input.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks " + algorithm.jcaName(), e);
        }
    }

    /** HA1 = H(username:realm:password) (RFC 7616 §3.4.2). */
    static String ha1(DigestAlgorithm algorithm, String username, String realm, String password) {
        return hash(algorithm, username + ":" + realm + ":" + password);
    }

    /** The qop=auth response: H(HA1:nonce:nc:cnonce:auth:H(method:uri)) (RFC 7616 §3.4.1, §3.4.3). */
    static String authResponse(DigestAlgorithm algorithm, String ha1, String nonce, String nc, String cnonce,
            String method, String uri) {
        return hash(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + hash(algorithm,
                method + ":" + uri));
    }

    /**
     * The response of a challenge without qop: H(HA1:nonce:H(method:uri)) (RFC 2617 §3.2.2.1, which RFC 3261
     * §22.4 keeps for servers that predate qop). Only the client side computes it; the SBC never accepts it.
     */
    static String legacyResponse(DigestAlgorithm algorithm, String ha1, String nonce, String method, String uri) {
        return hash(algorithm, ha1 + ":" + nonce + ":" + hash(algorithm, method + ":" + uri));
    }
}
