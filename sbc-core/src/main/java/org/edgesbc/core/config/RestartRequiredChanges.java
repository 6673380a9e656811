package org.edgesbc.core.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;

/**
 * The settings a reload cannot put in force, because something bound, sized or started from them at start would
 * have to be torn down: sockets (listeners, the RTP range, the management listener), threads and shards, tables
 * sized at start, files opened at start, and what the relay's routing and SDP anchoring are built from (zone names,
 * roles, SRTP policies and probes, the {@code routing} section). {@link #between} names every such key whose value differs between the running snapshot
 * and a new one; a reload with any of them changes nothing.
 *
 * <p>Everything not listed here is reloaded live: users, zone networks and peers, rate limits, ban durations and
 * escalation, fraud rules and rates, registration expiries, media timeouts, gate limits and TLS key material.
 */
public final class RestartRequiredChanges {
    private final List<String> changes = new ArrayList<>();

    private RestartRequiredChanges() { }

    /**
     * Each key whose change needs a restart, as {@code key: 'old' -> 'new' needs a restart}, in the order of
     * {@code config/sbc.yaml}; empty when {@code next} can be reloaded over {@code live}.
     */
    public static List<String> between(SbcConfig live, SbcConfig next) {
        RestartRequiredChanges diff = new RestartRequiredChanges();
        diff.compare("data-dir", live.dataDir(), next.dataDir());
        diff.sip(live.sip(), next.sip());
        diff.media(live.media(), next.media());
        diff.security(live.security(), next.security());
        diff.compare("registration.max-bindings", live.registration().maxBindings(),
                next.registration().maxBindings());
        diff.compare("registration.max-contacts-per-aor", live.registration().maxContactsPerAor(),
                next.registration().maxContactsPerAor());
        diff.fraud(live.fraud(), next.fraud());
        diff.zones(live.zones(), next.zones());
        diff.routing(live.routing(), next.routing());
        diff.compare("dns", live.dns(), next.dns());
        diff.compare("stir-shaken", live.stirShaken(), next.stirShaken());
        diff.compare("logs", live.logs(), next.logs());
        diff.cluster(live.cluster(), next.cluster());
        diff.compare("management.address", live.management().address(), next.management().address());
        diff.compare("management.port", live.management().port(), next.management().port());
        // The token is compared but never shown: it is a secret.
        if (!Objects.equals(live.management().token(), next.management().token())) {
            diff.changes.add("management.token: changed; needs a restart");
        }
        return List.copyOf(diff.changes);
    }

    /** The Redis connection, its threads and the node's name are set up once at start. */
    private void cluster(ClusterConfig live, ClusterConfig next) {
        compare("cluster.node-id", live.nodeId(), next.nodeId());
        compare("cluster.redis.address", live.redisAddress(), next.redisAddress());
        compare("cluster.redis.sentinels", live.sentinelAddresses(), next.sentinelAddresses());
        compare("cluster.redis.sentinel-master", live.sentinelMaster(), next.sentinelMaster());
        compare("cluster.redis.tls", live.tls(), next.tls());
        compare("cluster.redis.ca-file", live.caFile(), next.caFile());
        compare("cluster.redis.password-file", live.passwordFile(), next.passwordFile());
        compare("cluster.key-prefix", live.keyPrefix(), next.keyPrefix());
        compare("cluster.connect-timeout", live.connectTimeout(), next.connectTimeout());
        compare("cluster.command-timeout", live.commandTimeout(), next.commandTimeout());
        compare("cluster.heartbeat-interval", live.heartbeatInterval(), next.heartbeatInterval());
        compare("cluster.node-timeout", live.nodeTimeout(), next.nodeTimeout());
        compare("cluster.resync-interval", live.resyncInterval(), next.resyncInterval());
        compare("cluster.max-pending-updates", live.maxPendingUpdates(), next.maxPendingUpdates());
        compare("cluster.node-addresses", live.nodeAddressTexts(), next.nodeAddressTexts());
    }

    private void sip(SipConfig live, SipConfig next) {
        compare("sip.advertised-host", live.advertisedHost(), next.advertisedHost());
        keyed("sip.listeners", live.listeners(), next.listeners(), SipConfig.ListenerConfig::name, (key, a, b) -> {
            compare(key + ".transport", a.transport(), b.transport());
            compare(key + ".address", a.address(), b.address());
            compare(key + ".port", a.port(), b.port());
        });
        compare("sip.udp-receive-buffer-bytes", live.udpReceiveBufferBytes(), next.udpReceiveBufferBytes());
        // The UDP sockets' recvmmsg slots are sized by it when they are bound.
        compare("sip.gate.max-message-bytes", live.gate().maxMessageBytes(), next.gate().maxMessageBytes());
        compare("sip.io-threads", live.ioThreads(), next.ioThreads());
        compare("sip.worker-threads", live.workerThreads(), next.workerThreads());
        compare("sip.connections.max-total", live.connections().maxTotal(), next.connections().maxTotal());
        compare("sip.connections.max-per-source", live.connections().maxPerSource(),
                next.connections().maxPerSource());
        compare("sip.connections.idle-timeout", live.connections().idleTimeout(), next.connections().idleTimeout());
        compare("sip.connections.connect-timeout", live.connections().connectTimeout(),
                next.connections().connectTimeout());
        compare("sip.timers.t1", live.timers().t1(), next.timers().t1());
        compare("sip.timers.t2", live.timers().t2(), next.timers().t2());
        compare("sip.timers.t4", live.timers().t4(), next.timers().t4());
        compare("sip.max-transactions", live.maxTransactions(), next.maxTransactions());
        compare("sip.max-dialogs", live.maxDialogs(), next.maxDialogs());
        compare("sip.max-call-duration", live.maxCallDuration(), next.maxCallDuration());
    }

    private void media(MediaSettings live, MediaSettings next) {
        compare("media.enabled", live.enabled(), next.enabled());
        compare("media.address", live.address(), next.address());
        compare("media.advertised-address", live.advertisedAddress(), next.advertisedAddress());
        compare("media.port-min", live.portMin(), next.portMin());
        compare("media.port-max", live.portMax(), next.portMax());
        compare("media.quarantine", live.quarantine(), next.quarantine());
        compare("media.threads", live.threads(), next.threads());
        compare("media.busy-poll", live.busyPoll(), next.busyPoll());
        compare("media.io", live.io(), next.io());
        compare("media.nice", niceText(live.nice()), niceText(next.nice()));
        compare("media.receive-buffer-bytes", live.receiveBufferBytes(), next.receiveBufferBytes());
    }

    private void security(SecurityConfig live, SecurityConfig next) {
        // A new realm or algorithm set invalidates every stored HA1 and every outstanding challenge at once.
        compare("security.realm", live.realm(), next.realm());
        compare("security.nonce-lifetime", live.nonceLifetime(), next.nonceLifetime());
        compare("security.digest-algorithms", live.digestAlgorithms(), next.digestAlgorithms());
        compare("security.auth-failures.window", live.authFailureWindow(), next.authFailureWindow());
        compare("security.bans.max", live.maxBans(), next.maxBans());
        compare("security.bans.state-file", live.banStateFile(), next.banStateFile());
    }

    private void fraud(FraudConfig live, FraudConfig next) {
        compare("fraud.anomalies.spike-factor", live.anomalies().spikeFactor(), next.anomalies().spikeFactor());
        compare("fraud.anomalies.spike-minimum", live.anomalies().spikeMinimum(), next.anomalies().spikeMinimum());
        compare("fraud.webhook", live.webhook(), next.webhook());
        compare("fraud.webhook-timeout", live.webhookTimeout(), next.webhookTimeout());
    }

    private void routing(RoutingConfig live, RoutingConfig next) {
        compare("routing.outbound", live.outbound(), next.outbound());
        compare("routing.emergency-trunks", live.emergencyTrunks(), next.emergencyTrunks());
        compare("routing.inbound", live.inbound(), next.inbound());
        compare("routing.default-pbx", live.defaultPbx(), next.defaultPbx());
        compare("routing.failover-statuses", live.failoverStatuses(), next.failoverStatuses());
        compare("routing.attempt-timeout", live.attemptTimeout(), next.attemptTimeout());
    }

    private void zones(List<ZoneConfig> live, List<ZoneConfig> next) {
        keyed("zones", live, next, ZoneConfig::name, (key, a, b) -> {
            compare(key + ".role", a.role(), b.role());
            compare(key + ".srtp", a.srtp(), b.srtp());
            compare(key + ".probe", a.probe(), b.probe());
            // The registration to a trunk and the relay's answers to challenges are set up with the account at start.
            compare(key + ".account", a.account(), b.account());
            // The relay's rule step is built once, with the zones.
            compare(key + ".number-plan/inbound/outbound", a.rules(), b.rules());
        });
    }

    /** What to compare of two entries with the same name, found under {@code key[name]}. */
    @FunctionalInterface
    private interface EntryComparison<T> {
        void compare(String key, T live, T next);
    }

    /** Entries of a list matched by name: one added or removed is a change of {@code key} itself. */
    private <T> void keyed(String key, List<T> live, List<T> next, Function<T, String> name,
            EntryComparison<T> entries) {
        Map<String, T> before = byName(live, name);
        Map<String, T> after = byName(next, name);
        for (Map.Entry<String, T> entry : before.entrySet()) {
            T kept = after.get(entry.getKey());
            if (kept == null) {
                changes.add(key + ": '" + entry.getKey() + "' removed; needs a restart");
            } else {
                entries.compare(key + "[" + entry.getKey() + "]", entry.getValue(), kept);
            }
        }
        for (String added : after.keySet()) {
            if (!before.containsKey(added)) {
                changes.add(key + ": '" + added + "' added; needs a restart");
            }
        }
    }

    private static <T> Map<String, T> byName(List<T> entries, Function<T, String> name) {
        Map<String, T> map = new LinkedHashMap<>();
        entries.forEach(e -> map.put(name.apply(e), e));
        return map;
    }

    private static String niceText(OptionalInt nice) {
        return nice.isPresent() ? Integer.toString(nice.getAsInt()) : "the process's";
    }

    private void compare(String key, Object live, Object next) {
        if (!Objects.equals(live, next)) {
            changes.add(key + ": '" + live + "' -> '" + next + "' needs a restart");
        }
    }
}
