package org.edgesbc.core.identity;

import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.edgesbc.core.config.StirShakenConfig;
import org.edgesbc.core.config.StirShakenConfig.FailureAction;
import org.edgesbc.core.config.StirShakenKeys;
import org.edgesbc.core.security.SecurityEvent;
import org.edgesbc.core.security.SecurityEventLog;
import org.edgesbc.core.security.SecurityMetrics;
import org.edgesbc.core.security.SecurityRule;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.E164Normalizer;
import org.edgesbc.policy.identity.Attestation;
import org.edgesbc.policy.identity.AttestationRules;
import org.edgesbc.policy.identity.IdentityStatus;
import org.edgesbc.policy.identity.PassportSigner;
import org.edgesbc.policy.identity.PassportVerifier;
import org.edgesbc.policy.identity.ShakenClaims;

/**
 * STIR/SHAKEN as the relay uses it: INVITEs leaving through a signing trunk zone get an Identity header (RFC 8224,
 * RFC 8588), INVITEs arriving from a verifying trunk zone get a verdict that reaches the PBX as {@code verstat}, or
 * a refusal. Signing and the first verification step are pure and run on the caller's relay thread; a certificate
 * comes from the {@link CertificateCache}'s own thread, where the rest of the verification (chain, signature) runs,
 * so a slow certificate server never holds up a relay thread. Every failed verification is counted and is a
 * security event.
 */
public final class CallerIdentityService implements AutoCloseable {
    /** The verstat values of 3GPP TS 24.229 (as carriers put them in the From or P-Asserted-Identity user part). */
    public static final String PASSED = "TN-Validation-Passed";
    public static final String FAILED = "TN-Validation-Failed";
    public static final String NOT_VALIDATED = "No-TN-Validation";

    /** An Identity header for an outbound INVITE, with what the call's record keeps of it. */
    public record Signature(String identityHeader, Attestation attestation, String origId) { }

    /**
     * What to do with a verified inbound INVITE: relay it with {@code verstat} in the caller's identity, or refuse
     * it with {@code refusal} ({@code reason} as the phrase); refusal is 0 when the call goes on.
     */
    public record Verdict(IdentityStatus status, String verstat, int refusal, String reason) {
        public boolean refused() {
            return refusal != 0;
        }
    }

    private final StirShakenConfig config;
    /** How numbers are read and who is a known customer; replaced whole at reload, read once per call. */
    private volatile Numbering numbering;
    private final PassportSigner signer;
    private final PassportVerifier verifier;
    private final CertificateCache certificates;
    private final SecurityEventLog events;
    private final SecurityMetrics securityMetrics;
    private final IdentityMetrics metrics;
    private final Clock clock;

    private CallerIdentityService(StirShakenConfig config, E164Normalizer numbers, PassportSigner signer,
            AttestationRules attestation, PassportVerifier verifier, CertificateCache certificates,
            SecurityEventLog events, SecurityMetrics securityMetrics, IdentityMetrics metrics, Clock clock) {
        this.config = config;
        this.numbering = new Numbering(numbers, attestation);
        this.signer = signer;
        this.verifier = verifier;
        this.certificates = certificates;
        this.events = events;
        this.securityMetrics = securityMetrics;
        this.metrics = metrics;
        this.clock = clock;
    }

    /**
     * Reads the signing key and the trust anchors the configuration names and, when verification is on, starts the
     * certificate cache's thread.
     *
     * @param knownAccounts the accounts the SBC knows (attestation B for them when the number is not the operator's)
     * @throws IOException when the key or the trust anchors cannot be read (the configuration check read them
     *     already; this is the file changing since)
     */
    public static CallerIdentityService start(StirShakenConfig config, DialPlan dialPlan, Set<String> knownAccounts,
            SecurityEventLog events, SecurityMetrics securityMetrics, IdentityMetrics metrics, Clock clock)
            throws IOException {
        StirShakenConfig.Signing sign = config.sign();
        PassportSigner signer = sign == null ? null
                : new PassportSigner(StirShakenKeys.privateKey(sign.privateKey()), sign.certificateUrl());
        AttestationRules rules = attestationRules(config, knownAccounts);
        StirShakenConfig.Verification verify = config.verify();
        PassportVerifier verifier = verify == null ? null
                : new PassportVerifier(StirShakenKeys.trustAnchors(verify.trustAnchors()), verify.maxAge());
        CertificateCache cache = verify == null ? null : new CertificateCache(verify, metrics, clock);
        return new CallerIdentityService(config, new E164Normalizer(dialPlan), signer, rules, verifier, cache, events,
                securityMetrics, metrics, clock);
    }

    /**
     * The dial plan numbers are normalised with, and the attestation rules of signing (null when nothing is signed).
     */
    private record Numbering(E164Normalizer numbers, AttestationRules attestation) { }

    private static AttestationRules attestationRules(StirShakenConfig config, Set<String> knownAccounts) {
        StirShakenConfig.Signing sign = config.sign();
        return sign == null ? null : new AttestationRules(sign.operatorTnPrefixes(), knownAccounts,
                sign.accountAttestation(), sign.prefixAttestation());
    }

    /**
     * A new dial plan and new known accounts for calls signed or verified from now on (a configuration reload that
     * changed users or fraud accounts). The stir-shaken section itself, keys and trust anchors included, is fixed at
     * start. Any thread.
     */
    public void reconfigure(DialPlan dialPlan, Set<String> knownAccounts) {
        numbering = new Numbering(new E164Normalizer(dialPlan), attestationRules(config, knownAccounts));
    }

    /** STIR/SHAKEN off: nothing is signed or verified (the {@code stir-shaken} section is absent). */
    public static CallerIdentityService off(Clock clock) {
        return new CallerIdentityService(StirShakenConfig.OFF, null, null, null, null, null, null, null,
                IdentityMetrics.NONE, clock);
    }

    /** The longest a verification waits for its certificate; zero when nothing is verified. */
    public java.time.Duration longestWait() {
        return config.verify() == null ? java.time.Duration.ZERO : config.verify().fetchTimeout();
    }

    /** Whether INVITEs leaving through {@code zone} are signed. */
    public boolean signs(String zone) {
        return signer != null && config.sign().zones().contains(zone);
    }

    /**
     * Signs a call leaving through a signing zone; empty when the calling number is no telephone number (an
     * anonymous or alphanumeric caller is not attested to).
     *
     * @param facts who is calling, as the relay knows it; the numbers as dialled (normalised here)
     */
    public Optional<Signature> sign(AttestationRules.Facts facts, String callingNumber, String calledNumber) {
        Numbering current = numbering;
        E164Normalizer.Normalized orig = current.numbers().normalize(callingNumber == null ? "" : callingNumber);
        E164Normalizer.Normalized dest = current.numbers().normalize(calledNumber == null ? "" : calledNumber);
        if (!orig.e164() || !dest.e164()) {
            return Optional.empty();
        }
        AttestationRules.Facts normalised = new AttestationRules.Facts(facts.callerAuthenticated(), facts.account(),
                orig.digits(), facts.fromPbx(), facts.fromAccessZone());
        Attestation level = current.attestation().decide(normalised);
        String origId = UUID.randomUUID().toString();
        String header = signer.identityHeader(new ShakenClaims(level, List.of(dest.digits()),
                clock.instant().getEpochSecond(), orig.digits(), origId));
        metrics.signed(level);
        return Optional.of(new Signature(header, level, origId));
    }

    /** What a failed verification of a call from {@code zone} leads to, or null when the zone is not verified. */
    public FailureAction verifies(String zone) {
        return verifier == null ? null : config.verify().zones().get(zone);
    }

    /**
     * Verifies an INVITE from a verifying zone. {@code answer} runs once: on the caller's thread when no
     * certificate is needed (no Identity header, a token that fails on its own), else on the certificate cache's
     * thread; the caller hands it on to its own thread.
     *
     * @param identityHeaders every Identity header value of the INVITE, in order
     */
    public void verify(String zone, InetAddress source, List<String> identityHeaders, String callingNumber,
            String calledNumber, Consumer<Verdict> answer) {
        FailureAction action = config.verify().zones().get(zone);
        E164Normalizer numbers = numbering.numbers();
        String orig = numbers.normalize(callingNumber == null ? "" : callingNumber).digits();
        String dest = numbers.normalize(calledNumber == null ? "" : calledNumber).digits();
        PassportVerifier.Precheck precheck = verifier.precheck(identityHeaders, orig, dest, clock.instant());
        if (!precheck.needsCertificate()) {
            answer.accept(verdict(zone, source, precheck.status(), action, precheck.x5u()));
            return;
        }
        certificates.fetch(precheck.x5u()).whenComplete((fetch, error) -> {
            IdentityStatus status = error != null || !fetch.ok() ? IdentityStatus.CERTIFICATE_UNAVAILABLE
                    : verifier.verify(precheck, fetch.chain(), clock.instant());
            answer.accept(verdict(zone, source, status, action, precheck.x5u()));
        });
    }

    /**
     * The verdict for a status under the zone's policy. A call without an Identity header is no failure unless the
     * zone rejects such calls (RFC 8224 §6.2.2: 428); a failure is passed on as not validated, marked as failed,
     * or refused with its RFC 8224 status.
     */
    private Verdict verdict(String zone, InetAddress source, IdentityStatus status, FailureAction action,
            String x5u) {
        metrics.verified(status);
        if (status == IdentityStatus.VALID) {
            return new Verdict(status, PASSED, 0, null);
        }
        if (action == FailureAction.REJECT) {
            event(zone, source, status, x5u, "reject");
            return new Verdict(status, null, status.sipStatus(), status.reason());
        }
        if (status == IdentityStatus.NO_IDENTITY) {
            return new Verdict(status, NOT_VALIDATED, 0, null);
        }
        event(zone, source, status, x5u, action == FailureAction.MARK ? "mark" : "pass");
        return new Verdict(status, action == FailureAction.MARK ? FAILED : NOT_VALIDATED, 0, null);
    }

    private void event(String zone, InetAddress source, IdentityStatus status, String x5u, String action) {
        securityMetrics.decision(SecurityRule.CALLER_ID, action);
        Map<String, Object> counters = new LinkedHashMap<>();
        counters.put("status", status.name().toLowerCase(java.util.Locale.ROOT));
        counters.put("sip_status", status.sipStatus());
        if (x5u != null) {
            counters.put("x5u", x5u);
        }
        events.emit(new SecurityEvent(clock.instant(), source.getHostAddress(), zone, null,
                SecurityRule.CALLER_ID.name(), "stir_shaken_" + status.name().toLowerCase(java.util.Locale.ROOT),
                counters, action, null));
    }

    /** The certificate cache, for the admin API and metrics; empty when verification is off. */
    public Optional<CertificateCache> certificates() {
        return Optional.ofNullable(certificates);
    }

    @Override
    public void close() {
        if (certificates != null) {
            certificates.close();
        }
    }
}
