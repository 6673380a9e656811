package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.core.cluster.ClusterMetrics;

/** {@link ClusterMetrics} on Micrometer: dropped updates by reason, bans received, reconciliations, bad entries,
 * PBX calls for phones on other nodes. */
public final class MicrometerClusterMetrics implements ClusterMetrics {
    private final Map<Drop, Counter> dropped = new EnumMap<>(Drop.class);
    private final Counter bansReceived;
    private final Counter reconciles;
    private final Counter malformed;
    private final Map<PhoneCall, Counter> phoneCalls = new EnumMap<>(PhoneCall.class);

    MicrometerClusterMetrics(PrometheusMeterRegistry registry) {
        for (Drop why : Drop.values()) {
            dropped.put(why, SbcMetrics.counter(registry, SbcMetrics.CLUSTER_UPDATES_DROPPED,
                    "Updates not sent to the cluster's Redis: queue_full, redis_down (merged again on its return)",
                    "reason", why.name().toLowerCase(Locale.ROOT)));
        }
        bansReceived = SbcMetrics.counter(registry, SbcMetrics.CLUSTER_BANS_RECEIVED,
                "Bans of other nodes received through Redis (messages and resynchronisations)");
        reconciles = SbcMetrics.counter(registry, SbcMetrics.CLUSTER_RECONCILES,
                "Times Redis was reached after being unreachable (or first) and state was merged");
        malformed = SbcMetrics.counter(registry, SbcMetrics.CLUSTER_MALFORMED,
                "Entries or messages in Redis that could not be read and were ignored");
        for (PhoneCall route : PhoneCall.values()) {
            phoneCalls.put(route, SbcMetrics.counter(registry, SbcMetrics.CLUSTER_PHONE_CALLS,
                    "PBX calls for phones this node holds none of: other_node (relayed to the node holding them), "
                            + "local_only (Redis unreachable, not relayed)",
                    "route", route.name().toLowerCase(Locale.ROOT)));
        }
    }

    @Override
    public void dropped(Drop why) {
        dropped.get(why).increment();
    }

    @Override
    public void bansReceived() {
        bansReceived.increment();
    }

    @Override
    public void reconciled() {
        reconciles.increment();
    }

    @Override
    public void malformed() {
        malformed.increment();
    }

    @Override
    public void phoneCall(PhoneCall route) {
        phoneCalls.get(route).increment();
    }
}
