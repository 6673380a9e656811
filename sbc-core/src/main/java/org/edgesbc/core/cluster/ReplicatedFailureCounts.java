package org.edgesbc.core.cluster;

import io.lettuce.core.ExpireArgs;
import io.lettuce.core.RedisFuture;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import org.edgesbc.core.config.ClusterConfig;
import org.edgesbc.policy.cluster.SharedState.FailureKind;

/**
 * Failures of each source counted by all nodes in {@code fail:KIND:ADDRESS} keys: callers add up here, and each
 * flush sends one INCRBY per source; the node whose INCRBY reaches the threshold starts the count over and acts.
 */
final class ReplicatedFailureCounts implements ReplicatedSubject {
    private final RedisLink link;
    private final RedisKeys keys;
    private final ClusterConfig config;
    private final ClusterMetrics metrics;
    /** Failures not sent yet, at most {@link ClusterConfig#maxPendingUpdates()} sources. */
    private final ConcurrentHashMap<FailureKey, PendingFailure> failures = new ConcurrentHashMap<>();

    private record FailureKey(FailureKind kind, InetAddress source) { }

    /**
     * Failures of one source not sent yet, with what to do when the cluster's count reaches the threshold. Changed
     * and taken only inside the map's per-key compute, so no failure counted while a flush takes the entry is lost.
     */
    private static final class PendingFailure {
        int count;
        Duration window;
        int threshold;
        Runnable reached;
    }

    ReplicatedFailureCounts(RedisLink link, ClusterConfig config, ClusterMetrics metrics) {
        this.link = link;
        this.keys = link.keys();
        this.config = config;
        this.metrics = metrics;
    }

    /** From a caller's thread: one failure of {@code source}, added to those not sent yet. */
    void failure(FailureKind kind, InetAddress source, Duration window, int threshold, Runnable reached) {
        FailureKey key = new FailureKey(kind, source);
        if (failures.size() >= config.maxPendingUpdates() && !failures.containsKey(key)) {
            metrics.dropped(ClusterMetrics.Drop.QUEUE_FULL);
            return;
        }
        failures.compute(key, (k, pending) -> {
            PendingFailure failure = pending == null ? new PendingFailure() : pending;
            failure.count++;
            failure.window = window;
            failure.threshold = threshold;
            failure.reached = reached;
            return failure;
        });
    }

    /** One INCRBY per source with failures since the last flush; the window starts with the first of them. */
    @Override
    public void flush() {
        for (FailureKey key : failures.keySet()) {
            PendingFailure[] taken = new PendingFailure[1];
            failures.computeIfPresent(key, (k, pending) -> {
                taken[0] = pending;
                return null;
            });
            PendingFailure failure = taken[0];
            if (failure == null) {
                continue;
            }
            int count = failure.count;
            String name = keys.failPrefix() + key.kind().name().toLowerCase(Locale.ROOT) + ':'
                    + key.source().getHostAddress();
            link.send(r -> {
                RedisFuture<Long> total = r.incrby(name, count);
                r.pexpire(name, failure.window.toMillis(), ExpireArgs.Builder.nx());
                total.thenAccept(sum -> {
                    if (sum >= failure.threshold) {
                        r.del(name);
                        failure.reached.run();
                    }
                });
                return total;
            });
        }
    }
}
