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
 * absent. Bound and checked by {@link StirShakenSectionReader}: the zones named are trunk zones, the key and
 * trust-anchor files hold what {@link StirShakenKeys} reads, which is also how the daemon turns them into a key and
 * trust anchors.
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
     * @param zones the trunk zones whose outbound INVITEs are signed; at least one
     * @param privateKey the EC P-256 private key (PEM, PKCS#8 or SEC1), read once at start and at reload with
     *     {@link StirShakenKeys#privateKey}
     * @param certificateUrl the x5u URL verifiers fetch the certificate chain from: absolute http or https, no user
     *     info
     * @param operatorTnPrefixes the operator's numbers (E.164 digits, 1 to 15, longest prefix): the PBX calling from
     *     one gets attestation A; empty by default
     * @param accountAttestation attestation per calling account, overriding the rules; empty by default
     * @param prefixAttestation attestation per calling-number prefix (1 to 15 digits), overriding the rules (longest
     *     prefix); empty by default
     */
    public record Signing(Set<String> zones, Path privateKey, String certificateUrl, List<String> operatorTnPrefixes,
            Map<String, Attestation> accountAttestation, Map<String, Attestation> prefixAttestation) { }

    /**
     * @param zones the trunk zones whose inbound INVITEs are verified, each with what a failure leads to; at least
     *     one
     * @param trustAnchors the STI-CA root certificates (a PEM bundle of at least one), read with
     *     {@link StirShakenKeys#trustAnchors}
     * @param maxAge how old (or how far in the future) a PASSporT's iat may be: whole seconds, 1s to
     *     {@code PassportVerifier.MAX_MAX_AGE}; 60s by default
     * @param fetchTimeout how long a call waits for a certificate not in the cache: 100ms to 10s; 2s by default
     * @param cacheEntries how many x5u URLs the certificate cache holds: 1 to 100000; 1000 by default
     * @param cacheMinTtl shortest time a fetched chain is kept, whatever its HTTP cache headers say: 1s to 1d; 1m
     *     by default
     * @param cacheMaxTtl longest time a fetched chain is kept: 1m to 7d, not below cacheMinTtl; 24h by default
     * @param negativeTtl how long a failed fetch is remembered (no new fetch meanwhile): 1s to 1h; 5m by default
     * @param allowedHosts hosts an x5u may name, in lower case ({@code [..]} for IPv6); empty (the default) for any
     */
    public record Verification(Map<String, FailureAction> zones, Path trustAnchors, Duration maxAge,
            Duration fetchTimeout, int cacheEntries, Duration cacheMinTtl, Duration cacheMaxTtl, Duration negativeTtl,
            Set<String> allowedHosts) { }
}
