package org.edgesbc.policy.identity;

import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Base64;

/**
 * What signer and verifier share about JWS with ES256 (RFC 7518 §3.4): the JDK signature that reads and writes the
 * raw 64-byte R‖S form instead of DER, the P-256 curve, and base64url without padding (RFC 7515 §2).
 */
final class Es256 {
    /** RFC 7518 §3.4: ECDSA P-256 with SHA-256, the signature as R‖S, 32 bytes each. */
    static final String JDK_ALGORITHM = "SHA256withECDSAinP1363Format";
    static final String JWS_ALGORITHM = "ES256";
    static final int SIGNATURE_LENGTH = 64;

    private static final ECParameterSpec P256 = p256();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder BASE64URL_DECODER = Base64.getUrlDecoder();

    private Es256() { }

    private static ECParameterSpec p256() {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(new ECGenParameterSpec("secp256r1"));
            return parameters.getParameterSpec(ECParameterSpec.class);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no P-256 curve", e);
        }
    }

    /** True for an EC key on P-256 (secp256r1), the only curve ES256 allows. */
    static boolean isP256(Key key) {
        if (!(key instanceof ECKey ec)) {
            return false;
        }
        ECParameterSpec params = ec.getParams();
        return params != null && params.getCurve().equals(P256.getCurve())
                && params.getGenerator().equals(P256.getGenerator()) && params.getOrder().equals(P256.getOrder())
                && params.getCofactor() == P256.getCofactor();
    }

    static String encode(byte[] bytes) {
        return BASE64URL.encodeToString(bytes);
    }

    /**
     * Strict base64url (RFC 7515 §2): the URL-safe alphabet only, no padding, no line breaks. Null for anything
     * else, so a hostile token is a status rather than an exception.
     */
    static byte[] decode(String text) {
        if (text.isEmpty() || text.indexOf('=') >= 0 || text.length() % 4 == 1) {
            return null;
        }
        try {
            return BASE64URL_DECODER.decode(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
