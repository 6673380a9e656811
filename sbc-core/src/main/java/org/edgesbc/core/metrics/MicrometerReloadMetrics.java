package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.edgesbc.core.management.ConfigReloader;
import org.edgesbc.core.management.ReloadMetrics;

/**
 * {@link ReloadMetrics} on Micrometer: the live generation and when it was loaded, reload attempts by result, and
 * the expiry of the TLS certificate new handshakes get (NaN without TLS, so no alert fires on a missing one).
 */
public final class MicrometerReloadMetrics implements ReloadMetrics {
    private final AtomicLong generation = new AtomicLong();
    private final AtomicLong loadedEpochSeconds = new AtomicLong();
    private final AtomicLong tlsExpiryEpochSeconds = new AtomicLong(Long.MIN_VALUE);
    private final Map<ConfigReloader.Result, Counter> attempts = new EnumMap<>(ConfigReloader.Result.class);

    MicrometerReloadMetrics(PrometheusMeterRegistry registry) {
        Gauge.builder(SbcMetrics.CONFIG_GENERATION, generation, AtomicLong::get).strongReference(true)
                .description("Generation of the live configuration: 1 at start, one more per successful reload")
                .register(registry);
        Gauge.builder(SbcMetrics.CONFIG_LOADED_TIMESTAMP, loadedEpochSeconds, AtomicLong::get).strongReference(true)
                .description("When the live configuration was loaded, in seconds since the epoch").register(registry);
        Gauge.builder(SbcMetrics.TLS_CERTIFICATE_EXPIRY, tlsExpiryEpochSeconds,
                        v -> v.get() == Long.MIN_VALUE ? Double.NaN : v.get())
                .strongReference(true).tag("listener", "tls")
                .description("notAfter of the certificate new TLS handshakes present, in seconds since the epoch")
                .register(registry);
        for (ConfigReloader.Result result : ConfigReloader.Result.values()) {
            attempts.put(result, SbcMetrics.counter(registry, SbcMetrics.CONFIG_RELOADS,
                    "Configuration reloads by result: ok, failed (invalid, nothing changed) or refused (needs a "
                    + "restart, nothing changed)", "result", result.name().toLowerCase(Locale.ROOT)));
        }
    }

    @Override
    public void reloadAttempt(ConfigReloader.Result result) {
        attempts.get(result).increment();
    }

    @Override
    public void generationLive(long live, Instant loadedAt) {
        generation.set(live);
        loadedEpochSeconds.set(loadedAt.getEpochSecond());
    }

    @Override
    public void tlsCertificateExpiry(Instant notAfter) {
        tlsExpiryEpochSeconds.set(notAfter == null ? Long.MIN_VALUE : notAfter.getEpochSecond());
    }
}
