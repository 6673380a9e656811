package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.edgesbc.core.relay.PeerAccountMetrics;
import org.edgesbc.policy.auth.DigestClient;

/**
 * {@link PeerAccountMetrics} on Micrometer. Zone tags are the configured zone names (a fixed, small set); meters
 * are made on first use, so a zone without an account shows none.
 */
public final class MicrometerPeerAccountMetrics implements PeerAccountMetrics {
    private final PrometheusMeterRegistry registry;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> registered = new ConcurrentHashMap<>();

    MicrometerPeerAccountMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void outboundAuth(String zone, DigestClient.Status result) {
        counters.computeIfAbsent("auth\n" + zone + "\n" + result, key -> SbcMetrics.counter(registry,
                SbcMetrics.OUTBOUND_AUTH, "401/407 challenges to requests the SBC sent toward a zone where it holds "
                        + "an account, by what became of them", "zone", zone, "result", tag(result))).increment();
    }

    @Override
    public void trunkRegistration(String zone, RegistrationResult result) {
        counters.computeIfAbsent("registration\n" + zone + "\n" + result, key -> SbcMetrics.counter(registry,
                SbcMetrics.TRUNK_REGISTRATIONS, "The SBC's own REGISTERs to trunks, by how they ended", "zone", zone,
                "result", tag(result))).increment();
    }

    @Override
    public void trunkRegistered(String zone, boolean now) {
        registered.computeIfAbsent(zone, key -> {
            AtomicInteger state = new AtomicInteger();
            Gauge.builder(SbcMetrics.TRUNK_REGISTRATION_STATE, state, AtomicInteger::get).tag("zone", zone)
                    .strongReference(true).description("1 while the SBC is registered at the zone's trunk, else 0")
                    .register(registry);
            return state;
        }).set(now ? 1 : 0);
    }

    private static String tag(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }
}
