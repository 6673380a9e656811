package org.edgesbc.policy.auth;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The SBC as a digest client (RFC 3261 §22.2-§22.4, RFC 7616, RFC 8760): answers a peer's 401 WWW-Authenticate or
 * 407 Proxy-Authenticate challenge with an Authorization or Proxy-Authorization value for one request. SHA-256 is
 * preferred over MD5 when a peer offers both (RFC 8760 §2.4); qop=auth with a client nonce and the nonce-count
 * (RFC 7616 §3.4); a challenge without qop is answered as RFC 2617 did. A challenge with only qop=auth-int, another
 * algorithm or another realm than the credentials' is not answered.
 *
 * <p>No loops: a second challenge with the nonce the previous answer used, without {@code stale=true}, means the
 * credentials were refused ({@link Status#REFUSED}); the caller passes the challenge on and stops.
 *
 * <p>Nonce-counts: each answer with a nonce already used by this client counts one higher (RFC 7616 §3.4: the
 * server may refuse a repeated count). Only the nonce of the latest answer is remembered, which is all a client
 * that answers challenges as they come needs. Thread-safe (relay shards share a zone's client).
 */
public final class DigestClient {
    /** What became of a challenge. */
    public enum Status {
        /** {@link Answer#header()} carries the credentials. */
        ANSWERED,
        /** The peer refused the credentials of the previous answer (the same nonce again, not stale). */
        REFUSED,
        /** No challenge the SBC can answer: unknown scheme, algorithm, qop or realm, or malformed. */
        UNUSABLE
    }

    /**
     * An answer to a challenge.
     *
     * @param header the Authorization or Proxy-Authorization header value when {@link Status#ANSWERED}, else null
     * @param nonce the nonce answered (or refused), to pass as {@code previousNonce} if the peer challenges again
     * @param algorithm the algorithm answered with, null unless answered
     */
    public record Answer(Status status, String header, String nonce, DigestAlgorithm algorithm) {
        static final Answer UNUSABLE = new Answer(Status.UNUSABLE, null, null, null);
    }

    private static final HexFormat HEX = HexFormat.of();

    private final DigestCredentials credentials;
    private final Supplier<String> cnonces;
    /** The nonce of the latest answer and its count; guarded by this. */
    private String countedNonce;
    private long nonceCount;

    /**
     * @param cnonces a fresh client nonce for each answer (RFC 7616 §3.4: unpredictable to the server; tokens
     *     without quotes or backslashes), such as {@link #randomCnonces}
     */
    public DigestClient(DigestCredentials credentials, Supplier<String> cnonces) {
        this.credentials = credentials;
        this.cnonces = cnonces;
    }

    /** Client nonces of 128 random bits in hex. */
    public static Supplier<String> randomCnonces(SecureRandom random) {
        return () -> {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            return HEX.formatHex(bytes);
        };
    }

    public DigestCredentials credentials() {
        return credentials;
    }

    /**
     * Answers the challenges of one 401 or 407 for a request.
     *
     * @param challenges the WWW-Authenticate (401) or Proxy-Authenticate (407) values of the response
     * @param method the method of the request that will carry the answer
     * @param uri the Request-URI of that request, copied into {@code uri} (RFC 3261 §22.4)
     * @param previousNonce the nonce the challenged request answered, or null when it carried no credentials
     */
    public Answer answer(List<String> challenges, String method, String uri, String previousNonce) {
        Map<String, String> chosen = null;
        DigestAlgorithm chosenAlgorithm = null;
        for (String value : challenges) {
            Map<String, String> challenge = DigestParameters.parse(value);
            if (challenge == null || challenge.get("nonce") == null || challenge.get("realm") == null) {
                continue;
            }
            DigestAlgorithm algorithm = DigestAlgorithm.fromToken(challenge.get("algorithm"));
            if (algorithm == null || !qopAnswerable(challenge.get("qop"))
                    || !credentials.answers(challenge.get("realm"), algorithm)) {
                continue;
            }
            if (chosen == null || (algorithm == DigestAlgorithm.SHA_256 && chosenAlgorithm != algorithm)) {
                chosen = challenge;
                chosenAlgorithm = algorithm;
            }
        }
        if (chosen == null) {
            return Answer.UNUSABLE;
        }
        String nonce = chosen.get("nonce");
        if (nonce.equals(previousNonce) && !"true".equalsIgnoreCase(chosen.get("stale"))) {
            return new Answer(Status.REFUSED, null, nonce, null);
        }
        String realm = chosen.get("realm");
        String ha1 = credentials.ha1For(realm, chosenAlgorithm);
        StringBuilder header = new StringBuilder("Digest username=").append(quoted(credentials.username()))
                .append(", realm=").append(quoted(realm))
                .append(", nonce=").append(quoted(nonce))
                .append(", uri=").append(quoted(uri));
        if (chosen.get("qop") == null) {
            header.append(", response=").append(quoted(DigestHashes.legacyResponse(chosenAlgorithm, ha1, nonce,
                    method, uri)));
        } else {
            String nc = String.format("%08x", nextCount(nonce));
            String cnonce = cnonces.get();
            header.append(", response=").append(quoted(DigestHashes.authResponse(chosenAlgorithm, ha1, nonce, nc,
                    cnonce, method, uri)))
                    .append(", cnonce=").append(quoted(cnonce))
                    .append(", nc=").append(nc)
                    .append(", qop=auth");
        }
        header.append(", algorithm=").append(chosenAlgorithm.token());
        String opaque = chosen.get("opaque");
        if (opaque != null) {
            header.append(", opaque=").append(quoted(opaque));
        }
        return new Answer(Status.ANSWERED, header.toString(), nonce, chosenAlgorithm);
    }

    private synchronized long nextCount(String nonce) {
        if (!nonce.equals(countedNonce)) {
            countedNonce = nonce;
            nonceCount = 0;
        }
        return ++nonceCount;
    }

    /** Absent (RFC 2617 compatibility) or a list that offers {@code auth}. */
    private static boolean qopAnswerable(String qop) {
        if (qop == null) {
            return true;
        }
        for (String option : qop.split(",")) {
            if (option.trim().equalsIgnoreCase("auth")) {
                return true;
            }
        }
        return false;
    }

    /** A quoted-string (RFC 3261 §25.1): backslash before every quote and backslash. */
    private static String quoted(String value) {
        return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }
}
