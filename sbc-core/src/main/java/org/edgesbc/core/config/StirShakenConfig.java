package org.edgesbc.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgesbc.policy.identity.Attestation;

/**
 * STIR/SHAKEN at the edge ({@code stir-shaken:} in sbc.yaml): signing of calls leaving through trunk zones and
 * verification of calls arriving from them. Either half is null when it is off; {@link #OFF} when the section is
 * absent.
 *
 * @param sign the signing half, or null
 * @param verify the verification half, or null
 */
public record StirShakenConfig(Signing sign, Verification verify) {
    public static final StirShakenConfig OFF = new StirShakenConfig(null, null);

    /** What the SBC does with an INVITE whose verification failed. */
    public enum FailureAction {
        /** Relay it unchanged in verdict (the PBX still gets verstat=No-TN-Validation or TN-Validation-Failed). */
        PASS,
        /** Relay it with verstat=TN-Validation-Failed. */
        MARK,
        /** Refuse it with the RFC 8224 status of the failure (428, 436, 437, 438, 403 Stale Date). */
        REJECT
    }

    /**
     * @param zones the trunk zones whose outbound INVITEs are signed
     * @param privateKey the EC P-256 private key (PEM, PKCS#8 or SEC1), read once at start and at reload
     * @param certificateUrl the x5u URL verifiers fetch the certificate chain from
     * @param operatorTnPrefixes the operator's numbers (E.164 digits, longest prefix): the PBX calling from one
     *     gets attestation A
     * @param accountAttestation attestation per calling account, overriding the rules
     * @param prefixAttestation attestation per calling-number prefix, overriding the rules (longest prefix)
     */
    public record Signing(Set<String> zones, Path privateKey, String certificateUrl, List<String> operatorTnPrefixes,
            Map<String, Attestation> accountAttestation, Map<String, Attestation> prefixAttestation) { }

    /**
     * @param zones the trunk zones whose inbound INVITEs are verified, each with what a failure leads to
     * @param trustAnchors the STI-CA root certificates (a PEM bundle)
     * @param maxAge how old (or how far in the future) a PASSporT's iat may be
     * @param fetchTimeout how long a call waits for a certificate not in the cache
     * @param cacheEntries how many x5u URLs the certificate cache holds
     * @param cacheMinTtl shortest time a fetched chain is kept, whatever its HTTP cache headers say
     * @param cacheMaxTtl longest time a fetched chain is kept
     * @param negativeTtl how long a failed fetch is remembered (no new fetch meanwhile)
     * @param allowedHosts hosts an x5u may name; empty for any
     */
    public record Verification(Map<String, FailureAction> zones, Path trustAnchors, Duration maxAge,
            Duration fetchTimeout, int cacheEntries, Duration cacheMinTtl, Duration cacheMaxTtl, Duration negativeTtl,
            Set<String> allowedHosts) { }
}
