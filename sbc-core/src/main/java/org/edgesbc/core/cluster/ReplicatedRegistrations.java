package org.edgesbc.core.cluster;

import io.lettuce.core.api.async.RedisAsyncCommands;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which node holds registered devices of each account, in a {@code where:NODE} hash only that node writes and
 * {@code where} messages: the registrar's changes are sent at the next flush (and again after an outage), the
 * others' are read at every heartbeat, and calls for an account go to the beating nodes that hold it.
 */
final class ReplicatedRegistrations implements ReplicatedSubject {
    /** Accounts with registered devices shared per node; beyond, a node's further accounts are reached only there. */
    static final int MAX_REGISTERED_ACCOUNTS = 100_000;

    private final RedisLink link;
    private final RedisKeys keys;
    private final ClusterMetrics metrics;
    private final Clock clock;
    /** Until when (epoch millis) this node holds registered devices of each account; written again after an outage. */
    private final ConcurrentHashMap<String, Long> heldHere = new ConcurrentHashMap<>();
    /** Accounts whose holding here changed since the last flush. */
    private final Set<String> heldChanged = ConcurrentHashMap.newKeySet();
    /** Until when each other node holds registered devices of each account, as last read or heard. */
    private final OtherNodesTable<Long> heldThere;

    ReplicatedRegistrations(RedisLink link, ClusterMetrics metrics, Clock clock) {
        this.link = link;
        this.keys = link.keys();
        this.metrics = metrics;
        this.clock = clock;
        this.heldThere = new OtherNodesTable<>(link, keys.wherePrefix(), MAX_REGISTERED_ACCOUNTS,
                (account, until) -> Long.parseLong(until), "registration");
    }

    /** From the registrar's thread: records the change only; the cluster thread sends it. */
    void bindingsHeld(String aor, Instant expires) {
        if (expires == null) {
            heldHere.remove(aor);
        } else if (heldHere.size() < MAX_REGISTERED_ACCOUNTS || heldHere.containsKey(aor)) {
            heldHere.put(aor, expires.toEpochMilli());
        } else {
            metrics.dropped(ClusterMetrics.Drop.QUEUE_FULL);
            return;
        }
        heldChanged.add(aor);
    }

    /** The advertised addresses of the beating nodes that hold {@code aor}; none while Redis is down. */
    List<InetSocketAddress> holdersElsewhere(String aor) {
        if (!link.up()) {
            return List.of();
        }
        long now = clock.millis();
        List<InetSocketAddress> holders = new ArrayList<>(1);
        for (Map.Entry<String, ConcurrentHashMap<String, Long>> node : heldThere.nodes()) {
            Long until = node.getValue().get(aor);
            InetSocketAddress at = link.reachOf(node.getKey());
            if (until != null && until > now && at != null && link.beating(node.getKey(), now)) {
                holders.add(at);
            }
        }
        return holders;
    }

    @Override
    public void returned() {
        heldChanged.addAll(heldHere.keySet());
    }

    @Override
    public void flush() {
        for (String aor : heldChanged) {
            heldChanged.remove(aor);
            Long until = heldHere.get(aor);
            if (until == null) {
                link.deleteFromOwnHash(keys.wherePrefix(), aor);
            } else {
                link.writeOwnHash(keys.wherePrefix(), aor, until.toString());
            }
            String text = until == null ? "0" : until.toString();
            link.publish("where", aor + '\t' + text);
        }
    }

    @Override
    public void readNode(RedisAsyncCommands<String, String> redis, String node) {
        heldThere.read(redis, node);
    }

    @Override
    public void forgetNode(String node) {
        heldThere.forget(node);
    }

    @Override
    public boolean onMessage(String[] f, String message) {
        if (!f[0].equals("where")) {
            return false;
        }
        long until = Long.parseLong(f[3]);
        if (until == 0) {
            heldThere.heardGone(f[1], f[2]);
        } else {
            heldThere.heard(f[1], f[2], until);
        }
        return true;
    }
}
