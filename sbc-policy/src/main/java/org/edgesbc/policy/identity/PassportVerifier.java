package org.edgesbc.policy.identity;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.Signature;
import java.security.cert.CertPath;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertPathValidatorException.BasicReason;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXCertPathChecker;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Verifies the SHAKEN PASSporT of an INVITE from a trunk (RFC 8224 §6.2, RFC 8588), in two steps so that the
 * certificate is fetched only for a token that could pass:
 * <ol>
 *   <li>{@link #precheck}: everything the Identity header says by itself: syntax, {@code alg}, {@code ppt},
 *       {@code info} equal to {@code x5u}, {@code iat} within {@code maxAge} of now either way (RFC 8224 §6.2 asks
 *       about freshness of {@code iat}; no Date header is needed or read), and {@code orig}/{@code dest} against the
 *       numbers of the request;</li>
 *   <li>{@link #verify}: the certificate chain fetched from {@code x5u} against the STI-CA trust anchors, the leaf's
 *       TNAuthList, and the signature over the header and payload exactly as received.</li>
 * </ol>
 * Hostile input yields a status, never an exception. Immutable and safe to share between threads.
 */
public final class PassportVerifier {
    /** RFC 8224 §6.2 recommends 60 seconds for the freshness of {@code iat}. */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofSeconds(60);
    /** A window longer than a day would make a recorded token replayable for that long. */
    public static final Duration MAX_MAX_AGE = Duration.ofDays(1);
    /** TNAuthList, RFC 8226 §9: id-pe-TNAuthList. */
    static final String TN_AUTH_LIST_OID = "1.3.6.1.5.5.7.1.26";

    private final Set<TrustAnchor> anchors;
    private final long maxAgeSeconds;

    /**
     * The outcome of the first step. {@code x5u} is the URL to fetch the chain from when {@link #needsCertificate()};
     * {@code claims} are null unless the payload parsed; {@code signingInput} is {@code <header>.<payload>} as
     * received and {@code signature} the decoded R‖S, both null unless the token parsed.
     */
    public record Precheck(IdentityStatus status, String x5u, ShakenClaims claims, String signingInput,
            byte[] signature) {
        public boolean needsCertificate() {
            return status == IdentityStatus.VALID;
        }

        static Precheck failed(IdentityStatus status) {
            return new Precheck(status, null, null, null, null);
        }
    }

    /**
     * @param anchors the STI-CA root certificates (the STI-PA's trust list), at least one
     * @param maxAge how far {@code iat} may be from now, either way ({@link #DEFAULT_MAX_AGE}); positive, at most
     *     {@link #MAX_MAX_AGE}
     */
    public PassportVerifier(Set<TrustAnchor> anchors, Duration maxAge) {
        if (anchors.isEmpty()) {
            throw new IllegalArgumentException("at least one STI-CA trust anchor is required");
        }
        if (maxAge.isNegative() || maxAge.isZero() || maxAge.compareTo(MAX_MAX_AGE) > 0) {
            throw new IllegalArgumentException("the iat freshness window must be positive and at most "
                    + MAX_MAX_AGE + ", got " + maxAge);
        }
        this.anchors = Set.copyOf(anchors);
        this.maxAgeSeconds = maxAge.getSeconds();
    }

    /**
     * Step 1. Picks the first value whose {@code ppt} parameter is {@code shaken} (quoted or not) and checks it
     * without any certificate. Without such a value the verdict is that of the first value: {@link
     * IdentityStatus#MALFORMED} if it does not parse, else {@link IdentityStatus#UNSUPPORTED_PPT}; with no values,
     * {@link IdentityStatus#NO_IDENTITY}.
     *
     * @param identityHeaderValues every Identity header field value of the request, in order
     * @param origTn the caller's number from P-Asserted-Identity or From, normalised (digits, no '+'); null if none
     * @param destTn the called number from the Request-URI, normalised the same way; null if none
     * @param now the time of verification
     */
    public Precheck precheck(List<String> identityHeaderValues, String origTn, String destTn, Instant now) {
        if (identityHeaderValues == null || identityHeaderValues.isEmpty()) {
            return Precheck.failed(IdentityStatus.NO_IDENTITY);
        }
        IdentityHeader first = null;
        for (int i = 0; i < identityHeaderValues.size(); i++) {
            IdentityHeader header = IdentityHeader.parse(identityHeaderValues.get(i));
            if (header != null && IdentityHeader.SHAKEN.equals(header.parameters().get("ppt"))) {
                return check(header, origTn, destTn, now);
            }
            if (i == 0) {
                first = header;
            }
        }
        return Precheck.failed(first == null ? IdentityStatus.MALFORMED : IdentityStatus.UNSUPPORTED_PPT);
    }

    private Precheck check(IdentityHeader identity, String origTn, String destTn, Instant now) {
        String[] parts = identity.token().split("\\.", -1);
        if (parts.length != 3) {
            return Precheck.failed(IdentityStatus.MALFORMED);
        }
        byte[] headerBytes = Es256.decode(parts[0]);
        byte[] payloadBytes = Es256.decode(parts[1]);
        byte[] signature = Es256.decode(parts[2]);
        if (headerBytes == null || payloadBytes == null || signature == null) {
            // An empty payload is RFC 8224 §7's compact form, which SHAKEN does not use (RFC 8588 §3).
            return Precheck.failed(IdentityStatus.MALFORMED);
        }
        Map<String, Object> header = parse(headerBytes);
        Map<String, Object> payload = parse(payloadBytes);
        if (header == null || payload == null) {
            return Precheck.failed(IdentityStatus.MALFORMED);
        }
        // RFC 7515 §4.1.1: alg is required; one that is present but not ES256 is a credential we cannot use.
        if (!(header.get("alg") instanceof String tokenAlg)) {
            return Precheck.failed(IdentityStatus.MALFORMED);
        }
        String alg = identity.parameters().get("alg");
        if (!Es256.JWS_ALGORITHM.equals(tokenAlg) || (alg != null && !alg.equals(Es256.JWS_ALGORITHM))) {
            return Precheck.failed(IdentityStatus.UNSUPPORTED_ALGORITHM);
        }
        if (!IdentityHeader.SHAKEN.equals(header.get("ppt"))) {
            return Precheck.failed(IdentityStatus.UNSUPPORTED_PPT);
        }
        // RFC 8225 §4.1: typ is "passport" when present.
        if (header.containsKey("typ") && !IdentityHeader.PASSPORT_TYPE.equals(header.get("typ"))) {
            return Precheck.failed(IdentityStatus.MALFORMED);
        }
        String info = identity.parameters().get("info");
        if (!(header.get("x5u") instanceof String x5u) || !x5u.equals(info)) {
            return Precheck.failed(IdentityStatus.INFO_MISMATCH);
        }
        if (!IdentityHeader.isUsableX5u(x5u)) {
            return Precheck.failed(IdentityStatus.CERTIFICATE_UNAVAILABLE);
        }
        ShakenClaims claims = ShakenClaims.fromJson(payload);
        if (claims == null) {
            return Precheck.failed(IdentityStatus.MALFORMED);
        }
        String signingInput = identity.token().substring(0, parts[0].length() + 1 + parts[1].length());
        IdentityStatus status = checkClaims(claims, origTn, destTn, now);
        return new Precheck(status, x5u, claims, signingInput, signature);
    }

    private IdentityStatus checkClaims(ShakenClaims claims, String origTn, String destTn, Instant now) {
        // Both directions: a token from the future is a replay set up in advance or a signer with a bad clock.
        // Bounds rather than a difference, so that a hostile iat near Long.MIN_VALUE cannot overflow into "fresh".
        long nowSeconds = now.getEpochSecond();
        if (claims.iat() < nowSeconds - maxAgeSeconds || claims.iat() > nowSeconds + maxAgeSeconds) {
            return IdentityStatus.STALE;
        }
        if (origTn == null || !origTn.equals(withoutPlus(claims.origTn()))) {
            return IdentityStatus.ORIG_MISMATCH;
        }
        for (String tn : claims.destTns()) {
            if (destTn != null && destTn.equals(withoutPlus(tn))) {
                return IdentityStatus.VALID;
            }
        }
        return IdentityStatus.DEST_MISMATCH;
    }

    /** RFC 8224 §8.3: the canonical form of a telephone number has no leading '+'. */
    private static String withoutPlus(String tn) {
        return tn.startsWith("+") ? tn.substring(1) : tn;
    }

    private static Map<String, Object> parse(byte[] json) {
        try {
            return CanonicalJson.parseObject(new String(json, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Step 2, for a precheck that {@linkplain Precheck#needsCertificate() needs a certificate}: the chain as served
     * at {@code x5u} (leaf first) is validated by PKIX to the trust anchors at {@code now}, revocation off (SHAKEN
     * revocation is a separate list, not CRLs on these certificates); the leaf must hold a P-256 key allowed to sign
     * and a TNAuthList; then the signature must verify over {@code <header>.<payload>} exactly as received. A
     * precheck that failed returns its own status.
     */
    public IdentityStatus verify(Precheck precheck, List<X509Certificate> chain, Instant now) {
        if (precheck == null) {
            return IdentityStatus.MALFORMED;
        }
        if (!precheck.needsCertificate()) {
            return precheck.status();
        }
        if (chain == null || chain.isEmpty()) {
            return IdentityStatus.CERTIFICATE_UNAVAILABLE;
        }
        for (X509Certificate certificate : chain) {
            if (certificate == null) {
                return IdentityStatus.CERTIFICATE_UNAVAILABLE;
            }
        }
        X509Certificate leaf = chain.get(0);
        IdentityStatus path = validatePath(chain, now);
        if (path != IdentityStatus.VALID) {
            return path;
        }
        boolean[] keyUsage = leaf.getKeyUsage();
        // RFC 5280 §4.2.1.3: a key that may not sign (digitalSignature, bit 0) signs no PASSporT.
        if (!Es256.isP256(leaf.getPublicKey()) || (keyUsage != null && !keyUsage[0])) {
            return IdentityStatus.CERTIFICATE_UNTRUSTED;
        }
        if (leaf.getExtensionValue(TN_AUTH_LIST_OID) == null) {
            return IdentityStatus.NO_TN_AUTHORIZATION;
        }
        return signatureVerifies(leaf, precheck) ? IdentityStatus.VALID : IdentityStatus.BAD_SIGNATURE;
    }

    private IdentityStatus validatePath(List<X509Certificate> chain, Instant now) {
        try {
            PKIXParameters parameters = new PKIXParameters(anchors);
            parameters.setRevocationEnabled(false);
            parameters.setDate(Date.from(now));
            parameters.addCertPathChecker(new TnAuthListChecker());
            CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(withoutAnchors(chain));
            CertPathValidator.getInstance("PKIX").validate(path, parameters);
            return IdentityStatus.VALID;
        } catch (CertPathValidatorException e) {
            return e.getReason() == BasicReason.EXPIRED || e.getReason() == BasicReason.NOT_YET_VALID
                    ? IdentityStatus.CERTIFICATE_EXPIRED : IdentityStatus.CERTIFICATE_UNTRUSTED;
        } catch (InvalidAlgorithmParameterException e) {
            throw new IllegalStateException("PKIX rejected the configured trust anchors", e);
        } catch (GeneralSecurityException | RuntimeException e) {
            // A certificate the JDK cannot build a path of (odd encodings, unknown key types) is not trusted.
            return IdentityStatus.CERTIFICATE_UNTRUSTED;
        }
    }

    /**
     * The served chain without the trust anchors' own certificates: a repository may serve the root too, and PKIX
     * wants the path to stop below the anchor.
     */
    private List<X509Certificate> withoutAnchors(List<X509Certificate> chain) {
        List<X509Certificate> path = new ArrayList<>(chain);
        while (path.size() > 1 && isAnchor(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        return path;
    }

    private boolean isAnchor(X509Certificate certificate) {
        for (TrustAnchor anchor : anchors) {
            if (certificate.equals(anchor.getTrustedCert())) {
                return true;
            }
        }
        return false;
    }

    private static boolean signatureVerifies(X509Certificate leaf, Precheck precheck) {
        if (precheck.signature().length != Es256.SIGNATURE_LENGTH) {
            return false;
        }
        try {
            Signature verifier = Signature.getInstance(Es256.JDK_ALGORITHM);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(precheck.signingInput().getBytes(StandardCharsets.US_ASCII));
            return verifier.verify(precheck.signature());
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Lets PKIX accept a TNAuthList marked critical (RFC 8226 §9 allows either), which the JDK would otherwise
     * refuse as an unrecognised critical extension; its presence is checked on the leaf afterwards.
     */
    private static final class TnAuthListChecker extends PKIXCertPathChecker {
        @Override
        public void init(boolean forward) {
            // Stateless: each certificate is checked on its own.
        }

        @Override
        public boolean isForwardCheckingSupported() {
            return true;
        }

        @Override
        public Set<String> getSupportedExtensions() {
            return Set.of(TN_AUTH_LIST_OID);
        }

        @Override
        public void check(Certificate certificate, Collection<String> unresolvedCritExts) {
            unresolvedCritExts.remove(TN_AUTH_LIST_OID);
        }
    }
}
