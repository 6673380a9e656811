package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.core.identity.FetchFailure;
import org.edgesbc.core.identity.IdentityMetrics;
import org.edgesbc.policy.identity.Attestation;
import org.edgesbc.policy.identity.IdentityStatus;

/** {@link IdentityMetrics} on Micrometer; every tag comes from an enum (and {@code ok}, {@code hit}, {@code miss}). */
public final class MicrometerIdentityMetrics implements IdentityMetrics {
    private static final String FETCHES_DESCRIPTION = "x5u certificate fetches by outcome, and requests refused"
            + " before any fetch (bad_url, host_not_allowed, cache_full)";

    private final Counter fetched;
    private final Map<FetchFailure, Counter> fetchFailures = new EnumMap<>(FetchFailure.class);
    private final Counter hits;
    private final Counter misses;
    private final Map<Attestation, Counter> signed = new EnumMap<>(Attestation.class);
    private final Map<IdentityStatus, Counter> verified = new EnumMap<>(IdentityStatus.class);

    MicrometerIdentityMetrics(PrometheusMeterRegistry registry) {
        fetched = SbcMetrics.counter(registry, SbcMetrics.IDENTITY_CERTIFICATE_FETCHES, FETCHES_DESCRIPTION,
                "outcome", "ok");
        for (FetchFailure failure : FetchFailure.values()) {
            fetchFailures.put(failure, SbcMetrics.counter(registry, SbcMetrics.IDENTITY_CERTIFICATE_FETCHES,
                    FETCHES_DESCRIPTION, "outcome", tag(failure)));
        }
        hits = SbcMetrics.counter(registry, SbcMetrics.IDENTITY_CERTIFICATE_CACHE,
                "x5u requests answered from the certificate cache (hit) or not (miss)", "result", "hit");
        misses = SbcMetrics.counter(registry, SbcMetrics.IDENTITY_CERTIFICATE_CACHE,
                "x5u requests answered from the certificate cache (hit) or not (miss)", "result", "miss");
        for (Attestation attestation : Attestation.values()) {
            signed.put(attestation, SbcMetrics.counter(registry, SbcMetrics.IDENTITY_SIGNED,
                    "Outbound INVITEs signed, by attestation", "attestation", tag(attestation)));
        }
        for (IdentityStatus status : IdentityStatus.values()) {
            verified.put(status, SbcMetrics.counter(registry, SbcMetrics.IDENTITY_VERIFIED,
                    "Inbound INVITEs verified, by verdict", "status", tag(status)));
        }
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    @Override
    public void certificateFetched() {
        fetched.increment();
    }

    @Override
    public void certificateFetchFailed(FetchFailure failure) {
        fetchFailures.get(failure).increment();
    }

    @Override
    public void certificateCacheHit(boolean hit) {
        (hit ? hits : misses).increment();
    }

    @Override
    public void signed(Attestation attestation) {
        signed.get(attestation).increment();
    }

    @Override
    public void verified(IdentityStatus status) {
        verified.get(status).increment();
    }
}
