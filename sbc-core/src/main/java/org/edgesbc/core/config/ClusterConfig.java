package org.edgesbc.core.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Several SBC nodes sharing bans, failure counters and toll-fraud counters through Redis (the {@code cluster}
 * section). Without the section the SBC is one node and needs nothing else ({@link #OFF}).
 *
 * @param nodeId this node's name in the cluster: letters, digits, '.', '_' and '-', unique per node
 * @param redis one Redis server (null when {@code sentinels} are given)
 * @param sentinels Redis Sentinels that name the master {@code sentinelMaster} (empty for one server)
 * @param tls whether the connection to Redis (and to the Sentinels) is TLS
 * @param caFile a PEM bundle of the CA certificates that the certificates of Redis and of the Sentinels must chain
 *     to, their names matching the configured hosts (null: the JDK's trust store); only with {@code tls}
 * @param passwordFile a file whose first line is the Redis password (null: no AUTH)
 * @param keyPrefix the start of every key and channel name, so that several clusters can share one Redis
 * @param connectTimeout how long a connection attempt may take
 * @param commandTimeout how long one command may wait for its answer before Redis counts as down
 * @param heartbeatInterval how often this node says it is alive and reads the others' counters
 * @param nodeTimeout after how long without a heartbeat a node's live calls stop counting (its spend still counts)
 * @param resyncInterval how often the bans in Redis are compared with the local ones, besides the instant messages
 * @param maxPendingUpdates updates waiting for Redis at most; beyond, they are dropped and counted
 * @param nodeAddresses the SIP addresses (IP literals) of every node of the cluster: requests from them are
 *     admitted into the PBX zone as trusted, and a PBX call for a phone registered on another node is relayed only
 *     to one of them; empty: phones are reached only on the node they registered with
 */
public record ClusterConfig(String nodeId, InetSocketAddress redis, List<InetSocketAddress> sentinels,
        String sentinelMaster, boolean tls, Path caFile, Path passwordFile, String keyPrefix, Duration connectTimeout,
        Duration commandTimeout, Duration heartbeatInterval, Duration nodeTimeout, Duration resyncInterval,
        int maxPendingUpdates, List<InetAddress> nodeAddresses) {
    /** No cluster: one node. */
    public static final ClusterConfig OFF = new ClusterConfig(null, null, List.of(), null, false, null, null, "sbc:",
            Duration.ofSeconds(2), Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofSeconds(5), 10_000, List.of());

    public ClusterConfig {
        sentinels = List.copyOf(sentinels);
        nodeAddresses = List.copyOf(nodeAddresses);
    }

    /** {@link #redis()} as {@code host:port}, or null with sentinels. */
    public String redisAddress() {
        return redis == null ? null : redis.getHostString() + ":" + redis.getPort();
    }

    /** {@link #sentinels()} as {@code host:port} each. */
    public List<String> sentinelAddresses() {
        return sentinels.stream().map(s -> s.getHostString() + ":" + s.getPort()).toList();
    }

    /** {@link #nodeAddresses()} as text, for the reload comparison. */
    public List<String> nodeAddressTexts() {
        return nodeAddresses.stream().map(InetAddress::getHostAddress).toList();
    }

    public boolean enabled() {
        return nodeId != null;
    }
}
