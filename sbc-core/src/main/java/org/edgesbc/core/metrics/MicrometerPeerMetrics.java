package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.edgesbc.core.relay.PeerMetrics;

/**
 * {@link PeerMetrics} on Micrometer. Zone and peer tags come from the configuration (a bounded set); the meters of
 * one tag combination are looked up in the registry, which registers each once.
 */
public final class MicrometerPeerMetrics implements PeerMetrics {
    private final PrometheusMeterRegistry registry;

    MicrometerPeerMetrics(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void probed(String zone, String peer, ProbeResult result) {
        SbcMetrics.counter(registry, SbcMetrics.PEER_PROBES, "OPTIONS probes of peers, by what they found", "zone",
                zone, "peer", peer, "result", result.name().toLowerCase(Locale.ROOT)).increment();
    }

    @Override
    public void peerState(String zone, String peer, BooleanSupplier up) {
        Gauge.builder(SbcMetrics.PEER_UP, up, state -> state.getAsBoolean() ? 1 : 0).strongReference(true)
                .tags("zone", zone, "peer", peer)
                .description("1 while a probed peer takes new calls, 0 while its probes fail").register(registry);
    }

    @Override
    public void failedOver(String zone, FailoverReason reason) {
        Counter counter = SbcMetrics.counter(registry, SbcMetrics.CALL_FAILOVER,
                "Call attempts toward a zone that failed and gave way to the call's next target", "zone", zone,
                "reason", reason.name().toLowerCase(Locale.ROOT));
        counter.increment();
    }
}
