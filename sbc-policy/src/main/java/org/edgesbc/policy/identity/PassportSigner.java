package org.edgesbc.policy.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.Map;

/**
 * Signs SHAKEN PASSporTs for INVITEs leaving through a trunk and writes them as Identity header values.
 *
 * <p>The JWS header is {@code {"alg":"ES256","ppt":"shaken","typ":"passport","x5u":...}} (RFC 8225 §4, RFC 8588
 * §3); header and payload are serialised canonically (RFC 8225 §9) and signed with ECDSA P-256 / SHA-256, the
 * signature written as the raw 64-byte R‖S of RFC 7518 §3.4, never DER.
 *
 * <p>Stateless apart from the key: safe to share between threads (a {@link Signature} is made per call).
 */
public final class PassportSigner {
    private final PrivateKey key;
    private final String x5u;
    private final String encodedHeader;

    /**
     * @param key the EC P-256 private key of the STI certificate published at {@code x5u}
     * @param x5u the absolute http(s) URL where verifiers fetch the certificate chain (RFC 8225 §5.1.1)
     * @throws IllegalArgumentException for another kind of key or curve, or an x5u that {@link PassportVerifier}
     *     would refuse
     */
    public PassportSigner(PrivateKey key, String x5u) {
        if (!Es256.isP256(key)) {
            throw new IllegalArgumentException("ES256 signs with an EC P-256 private key, got "
                    + (key == null ? "none" : key.getAlgorithm() + " " + key.getClass().getSimpleName()));
        }
        if (!IdentityHeader.isUsableX5u(x5u)) {
            throw new IllegalArgumentException("x5u must be an absolute http or https URL without user info, "
                    + "whitespace or angle brackets, got " + x5u);
        }
        this.key = key;
        this.x5u = x5u;
        this.encodedHeader = Es256.encode(CanonicalJson.write(Map.of("alg", Es256.JWS_ALGORITHM, "ppt",
                IdentityHeader.SHAKEN, "typ", IdentityHeader.PASSPORT_TYPE, "x5u", x5u))
                .getBytes(StandardCharsets.UTF_8));
    }

    /**
     * The value of an Identity header (RFC 8224 §4): {@code <header>.<payload>.<signature>;info=<x5u>;alg=ES256;
     * ppt=shaken}, the info URL in angle brackets as RFC 8224's ABNF writes it.
     */
    public String identityHeader(ShakenClaims claims) {
        String signingInput = encodedHeader + '.'
                + Es256.encode(CanonicalJson.write(claims.toJson()).getBytes(StandardCharsets.UTF_8));
        byte[] signature;
        try {
            Signature signer = Signature.getInstance(Es256.JDK_ALGORITHM);
            signer.initSign(key);
            signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            signature = signer.sign();
        } catch (GeneralSecurityException e) {
            // The key was checked at construction; a JDK without ECDSA cannot run this SBC at all.
            throw new IllegalStateException("ES256 signing failed", e);
        }
        return signingInput + '.' + Es256.encode(signature) + ";info=<" + x5u + ">;alg=" + Es256.JWS_ALGORITHM
                + ";ppt=" + IdentityHeader.SHAKEN;
    }
}
