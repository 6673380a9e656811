package org.edgesbc.core.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.config.ClusterConfig;
import org.edgesbc.policy.cluster.ClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The link of one node to Redis: the Lettuce client on its own small Netty event loop, whether Redis is up, the
 * heartbeat and the node table, and the transport of commands and messages for the {@link ReplicatedSubject}s.
 *
 * <p>Threads: the cluster thread ("sbc-cluster") connects, beats, resynchronises the subjects and flushes them
 * every {@link #FLUSH}; Lettuce's threads complete commands and deliver messages. Callers only {@link #enqueue}
 * into a bounded queue; no caller ever calls into Lettuce.
 */
final class RedisLink {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);
    private static final RateLimitedLog LIMITED = new RateLimitedLog(RedisLink.class.getName());
    /**
     * Failures are added up locally for this long and sent as one INCRBY per source; account shares changed within
     * it are sent once, the latest.
     */
    private static final Duration FLUSH = Duration.ofMillis(50);
    /** Nodes remembered; a node silent for longer than {@link #FORGET_NODE} is removed from the node table. */
    static final int MAX_NODES = 256;
    private static final Duration FORGET_NODE = Duration.ofDays(1);
    /**
     * How long a node's own hashes (account shares, registrations) outlive its last write (spend counts per day and
     * per weekend).
     */
    private static final Duration SHARE_MEMORY = Duration.ofDays(3);

    private final ClusterConfig config;
    private final String address;
    private final ClusterMetrics metrics;
    private final Clock clock;
    private final RedisKeys keys;
    private final ClientResources resources;
    private final RedisClient client;
    private final DefaultEventExecutor thread;
    private final AtomicInteger pending = new AtomicInteger();
    /** Set once by {@link #start}; read by the cluster thread and by Lettuce's, which deliver messages. */
    private volatile List<ReplicatedSubject> subjects = List.of();
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> messages;
    private volatile boolean up;
    private volatile boolean closing;
    /** Whether Redis was reachable once: the first failure to reach it is logged differently. */
    private volatile boolean reachedOnce;
    /**
     * Updates from the callers' threads, sent by the cluster thread: Lettuce may hold a writer back while a
     * connection is being set up, and a ban thread must never wait for that.
     */
    private final ArrayBlockingQueue<Function<RedisAsyncCommands<String, String>, RedisFuture<?>>> outbox;
    private final ConcurrentHashMap<String, ClusterView.NodeSeen> nodes = new ConcurrentHashMap<>();
    private volatile long nextResyncMillis;
    /** Where this node takes calls relayed to its phones, advertised with its heartbeat once known. */
    private volatile InetSocketAddress sip;
    /** The SIP address each other node advertises, kept only when it is one of {@code node-addresses}. */
    private final ConcurrentHashMap<String, InetSocketAddress> reach = new ConcurrentHashMap<>();

    /**
     * Reads the password file now (a configuration check has made sure it is readable); connects later, on the
     * cluster thread, so that a Redis that is down at start delays nothing.
     *
     * @param address this node's SIP address, shown to operators with its heartbeat
     */
    RedisLink(ClusterConfig config, String address, ClusterMetrics metrics, Clock clock) throws IOException {
        this.config = config;
        this.address = address;
        this.metrics = metrics;
        this.clock = clock;
        this.keys = RedisKeys.of(config.keyPrefix());
        this.outbox = new ArrayBlockingQueue<>(config.maxPendingUpdates());
        // Reconnect at the heartbeat's pace rather than Lettuce's back-off of up to 30 s: a Redis back after a
        // restart is merged with within a heartbeat or two.
        this.resources = DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2)
                .reconnectDelay(Delay.constant(config.heartbeatInterval())).build();
        this.client = RedisClient.create(resources, uri(config));
        ClientOptions.Builder options = ClientOptions.builder();
        if (config.caFile() != null) {
            // Client options reach every connection of the client: Redis's and the Sentinels' alike.
            options.sslOptions(SslOptions.builder().jdkSslProvider().trustManager(config.caFile().toFile()).build());
        }
        client.setOptions(options
                .autoReconnect(true)
                // Commands while disconnected fail at once instead of piling up in Lettuce's buffer.
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(config.maxPendingUpdates())
                .socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                .build());
        this.thread = new DefaultEventExecutor(task -> {
            Thread t = new Thread(task, "sbc-cluster");
            t.setDaemon(true);
            return t;
        });
    }

    private static RedisURI uri(ClusterConfig config) throws IOException {
        RedisURI.Builder builder;
        if (config.redis() != null) {
            builder = RedisURI.Builder.redis(config.redis().getHostString(), config.redis().getPort());
        } else {
            InetSocketAddress first = config.sentinels().get(0);
            builder = RedisURI.Builder.sentinel(first.getHostString(), first.getPort(), config.sentinelMaster());
            for (InetSocketAddress sentinel : config.sentinels().subList(1, config.sentinels().size())) {
                builder.withSentinel(sentinel.getHostString(), sentinel.getPort());
            }
        }
        // The URI's timeout bounds the connection's handshake (HELLO, AUTH); commands have TimeoutOptions.
        builder.withSsl(config.tls()).withTimeout(config.connectTimeout());
        if (config.passwordFile() != null) {
            List<String> lines = Files.readAllLines(config.passwordFile(), StandardCharsets.UTF_8);
            builder.withPassword((lines.isEmpty() ? "" : lines.get(0).strip()).toCharArray());
        }
        return builder.build();
    }

    RedisKeys keys() {
        return keys;
    }

    // ------------------------------------------------------------------------------------------- lifecycle

    /** Starts beating and flushing for {@code replicated}, called in this order at every step. */
    void start(List<ReplicatedSubject> replicated) {
        this.subjects = List.copyOf(replicated);
        long beat = config.heartbeatInterval().toMillis();
        thread.scheduleWithFixedDelay(this::guardedBeat, 0, beat, TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(this::guardedFlush, FLUSH.toMillis(), FLUSH.toMillis(), TimeUnit.MILLISECONDS);
    }

    void close() {
        closing = true;
        thread.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        StatefulRedisPubSubConnection<String, String> m = messages;
        if (m != null) {
            m.close();
        }
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    boolean up() {
        return up;
    }

    /** Where this node takes calls relayed to its phones, advertised from the next heartbeat on. */
    void reachableAt(InetSocketAddress address) {
        this.sip = address;
    }

    // ------------------------------------------------------------------------------ the cluster thread

    private void guardedBeat() {
        try {
            beat();
        } catch (RuntimeException e) {
            LIMITED.error("cluster-beat", "cluster heartbeat failed: {}", e.toString());
        }
    }

    /** Connects when not connected; says this node is alive; reads the nodes and their hashes; resyncs. */
    private void beat() {
        if (connection == null && !connect()) {
            return;
        }
        long now = clock.millis();
        RedisAsyncCommands<String, String> redis = connection.async();
        InetSocketAddress reachable = sip;
        String advertised = reachable == null ? "" : " " + SharedStateCodec.hostPort(reachable);
        redis.hset(keys.nodes(), config.nodeId(), now + " " + address + advertised).whenComplete((r, e) -> {
            if (e != null) {
                down(e);
                return;
            }
            boolean returned = !up;
            if (returned) {
                returned();
            }
            readNodes(redis, now);
            if (returned || now >= nextResyncMillis) {
                nextResyncMillis = now + config.resyncInterval().toMillis();
                subjects.forEach(subject -> subject.resync(redis, now));
            }
        });
    }

    /** Opens the command and message connections; false (logged once per outage) when Redis cannot be reached. */
    private boolean connect() {
        try {
            StatefulRedisConnection<String, String> commands = client.connect();
            StatefulRedisPubSubConnection<String, String> events = client.connectPubSub();
            events.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    onMessage(message);
                }
            });
            events.sync().subscribe(keys.channel());
            connection = commands;
            messages = events;
            return true;
        } catch (RuntimeException e) {
            down(e);
            return false;
        }
    }

    private void returned() {
        up = true;
        reachedOnce = true;
        LOG.info("cluster: Redis reached as node {}: merging this node's bans and counters with the cluster's",
                config.nodeId());
        metrics.reconciled();
        // Lettuce reconnects by itself; what was dropped while Redis was away is written again here.
        subjects.forEach(ReplicatedSubject::returned);
    }

    /** A command failed: Redis counts as down (logged once per outage) until a heartbeat succeeds again. */
    void down(Throwable e) {
        if ((up || !reachedOnce) && !closing) {
            LOG.warn("cluster: Redis {} unreachable ({}): node {} goes on with its own bans and counters until it "
                    + "returns", describeRedis(), rootMessage(e), config.nodeId());
            reachedOnce = true;
        }
        up = false;
    }

    private void readNodes(RedisAsyncCommands<String, String> redis, long now) {
        redis.hgetall(keys.nodes()).thenAccept(all -> {
            for (Map.Entry<String, String> entry : all.entrySet()) {
                String node = entry.getKey();
                String[] f = entry.getValue().split(" ", 3);
                try {
                    long millis = Long.parseLong(f[0]);
                    if (now - millis > FORGET_NODE.toMillis()) {
                        redis.hdel(keys.nodes(), node);
                        nodes.remove(node);
                        subjects.forEach(subject -> subject.forgetNode(node));
                        reach.remove(node);
                        continue;
                    }
                    if (f.length > 2 && !node.equals(config.nodeId())) {
                        trustedReach(node, f[2]);
                    }
                    if (nodes.size() < MAX_NODES || nodes.containsKey(node)) {
                        nodes.put(node, new ClusterView.NodeSeen(node, f.length > 1 ? f[1] : "",
                                Instant.ofEpochMilli(millis), now - millis <= config.nodeTimeout().toMillis()));
                    }
                } catch (NumberFormatException e) {
                    malformed("node " + node, e);
                }
            }
            for (String node : nodes.keySet()) {
                if (!node.equals(config.nodeId())) {
                    subjects.forEach(subject -> subject.readNode(redis, node));
                }
            }
        });
    }

    /**
     * Keeps the SIP address a node advertises when its IP is one of {@code node-addresses}: calls are relayed only
     * to nodes the configuration names, whatever Redis says.
     */
    private void trustedReach(String node, String advertised) {
        try {
            InetSocketAddress at = SharedStateCodec.sipAddress(advertised);
            if (config.nodeAddresses().contains(at.getAddress())) {
                reach.put(node, at);
            } else {
                reach.remove(node);
                LIMITED.warn("cluster-untrusted-node", "cluster: node {} advertises {}, which is not in "
                        + "cluster.node-addresses: calls for its phones are not relayed to it", node, advertised);
            }
        } catch (RuntimeException e) {
            malformed("address of node " + node, e);
        }
    }

    private void guardedFlush() {
        try {
            for (var command = outbox.poll(); command != null; command = outbox.poll()) {
                send(command);
            }
            subjects.forEach(ReplicatedSubject::flush);
        } catch (RuntimeException e) {
            LIMITED.error("cluster-flush", "sending failure counts or account shares to Redis failed: {}",
                    e.toString());
        }
    }

    /** A message of another node (this node's own come back too and are skipped). */
    private void onMessage(String message) {
        String[] f = message.split("\t", 4);
        if (f.length < 3 || f[1].equals(config.nodeId())) {
            return;
        }
        try {
            for (ReplicatedSubject subject : subjects) {
                if (subject.onMessage(f, message)) {
                    return;
                }
            }
            malformed("message " + f[0], new IllegalArgumentException("unknown kind"));
        } catch (RuntimeException e) {
            malformed("message " + f[0], e);
        }
    }

    // ------------------------------------------------------------------------------------- the node table

    /** Whether {@code node}'s last heartbeat read is within {@code node-timeout} of {@code now}. */
    boolean beating(String node, long now) {
        ClusterView.NodeSeen seen = nodes.get(node);
        return seen != null && now - seen.lastHeartbeat().toEpochMilli() <= config.nodeTimeout().toMillis();
    }

    /** The SIP address {@code node} advertises, when it is one of {@code node-addresses}; else null. */
    InetSocketAddress reachOf(String node) {
        return reach.get(node);
    }

    ClusterView view() {
        long now = clock.millis();
        List<ClusterView.NodeSeen> seen = new ArrayList<>();
        for (ClusterView.NodeSeen node : nodes.values()) {
            seen.add(new ClusterView.NodeSeen(node.node(), node.address(), node.lastHeartbeat(),
                    now - node.lastHeartbeat().toEpochMilli() <= config.nodeTimeout().toMillis()));
        }
        seen.sort((a, b) -> a.node().compareTo(b.node()));
        return new ClusterView(config.nodeId(), up ? ClusterView.StoreState.UP : ClusterView.StoreState.DOWN, seen);
    }

    // ----------------------------------------------------------------------------------------- transport

    /** From a caller's thread: queued for the cluster thread, or dropped and counted (down, or queue full). */
    void enqueue(Function<RedisAsyncCommands<String, String>, RedisFuture<?>> command) {
        if (!up) {
            metrics.dropped(ClusterMetrics.Drop.REDIS_DOWN);
        } else if (!outbox.offer(command)) {
            metrics.dropped(ClusterMetrics.Drop.QUEUE_FULL);
        }
    }

    /** From a caller's thread: a message for the other nodes, {@code kind}, this node and {@code rest} tab-separated. */
    void enqueuePublish(String kind, String rest) {
        String message = message(kind, rest);
        enqueue(r -> r.publish(keys.channel(), message));
    }

    /** On the cluster thread: a message for the other nodes, as {@link #enqueuePublish}. */
    void publish(String kind, String rest) {
        String message = message(kind, rest);
        send(r -> r.publish(keys.channel(), message));
    }

    private String message(String kind, String rest) {
        return kind + '\t' + config.nodeId() + '\t' + rest;
    }

    /**
     * On the cluster thread: sets {@code field} in this node's own hash {@code prefix + node}, which expires
     * {@link #SHARE_MEMORY} after its last write.
     */
    void writeOwnHash(String prefix, String field, String value) {
        String key = prefix + config.nodeId();
        send(r -> r.hset(key, field, value));
        send(r -> r.pexpire(key, SHARE_MEMORY.toMillis()));
    }

    /** On the cluster thread: removes {@code field} from this node's own hash {@code prefix + node}. */
    void deleteFromOwnHash(String prefix, String field) {
        String key = prefix + config.nodeId();
        send(r -> r.hdel(key, field));
    }

    /**
     * On the cluster thread or Lettuce's: sends one command unless Redis is down or
     * {@link ClusterConfig#maxPendingUpdates()} are already waiting for their answer; a dropped update is counted
     * (and comes back with the reconciliation).
     */
    void send(Function<RedisAsyncCommands<String, String>, RedisFuture<?>> command) {
        StatefulRedisConnection<String, String> c = connection;
        if (c == null || !up) {
            metrics.dropped(ClusterMetrics.Drop.REDIS_DOWN);
            return;
        }
        if (pending.incrementAndGet() > config.maxPendingUpdates()) {
            pending.decrementAndGet();
            metrics.dropped(ClusterMetrics.Drop.QUEUE_FULL);
            return;
        }
        try {
            command.apply(c.async()).whenComplete((r, e) -> {
                pending.decrementAndGet();
                if (e != null) {
                    down(e);
                }
            });
        } catch (RuntimeException e) {
            pending.decrementAndGet();
            down(e);
        }
    }

    /** Counts and logs (rate-limited) an entry or message of Redis that could not be read; it is skipped. */
    void malformed(String what, Exception e) {
        metrics.malformed();
        LIMITED.warn("cluster-malformed", "cluster: ignored an unreadable {} in Redis: {}", what, e.getMessage());
    }

    private String describeRedis() {
        return config.redis() != null ? config.redis().getHostString() + ":" + config.redis().getPort()
                : "master " + config.sentinelMaster() + " of " + config.sentinels().size() + " sentinels";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }
}
