package org.edgesbc.core.cluster;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.ExpireArgs;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.config.ClusterConfig;
import org.edgesbc.policy.ban.Ban;
import org.edgesbc.policy.cluster.AccountShare;
import org.edgesbc.policy.cluster.ClusterView;
import org.edgesbc.policy.cluster.SharedState;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link SharedState} in Redis, through Lettuce on its own small Netty event loop. Nothing here waits on Redis for
 * a caller: updates are sent asynchronously, at most {@link ClusterConfig#maxPendingUpdates()} at a time, and
 * dropped and counted beyond that or while Redis is down; what others hold is read into local maps that callers
 * read without a lock.
 *
 * <p>Layout, under the configured prefix {@code P}:
 * <ul>
 *   <li>{@code P nodes}: hash, node → "heartbeat-millis address sip-host:port", written every heartbeat;</li>
 *   <li>{@code P bans}: hash, address → ban ({@link SharedStateCodec}); {@code P lifted}: hash, address → when an
 *       operator lifted its ban; both read at every resynchronisation, expired entries removed by whoever reads
 *       them;</li>
 *   <li>{@code P fraud:NODE}: hash, account → that node's share of the account's counters; only its node writes it,
 *       so no two nodes ever race on a counter, and it outlives the node (spend survives a node's death);</li>
 *   <li>{@code P holds}: hash, account → until when an operator's hold lasts (epoch millis, 0: until released),
 *       read at every resynchronisation; a release removes the entry;</li>
 *   <li>{@code P where:NODE}: hash, account → until when (epoch millis) that node holds registered devices of it;
 *       only its node writes it;</li>
 *   <li>{@code P fail:KIND:ADDRESS}: failures of a source counted by all nodes (INCRBY, expiring with the window);
 *       </li>
 *   <li>{@code P events}: channel of bans, lifts, account shares and registrations as they happen, so the others apply them within
 *       a round trip instead of at the next heartbeat.</li>
 * </ul>
 *
 * <p>Failure: when a command or heartbeat fails, Redis counts as down (one log line, {@code sbc_cluster_redis_up}
 * 0); every node goes on with its own tables. When a heartbeat succeeds again, the node reconciles: bans are merged
 * both ways (the later expiry wins; lifts recorded in Redis apply), this node's account shares are written again and
 * the others' are read again. Calls are never touched by any of it.
 *
 * <p>Threads: callers (I/O, relay, ban and toll-fraud threads) only record what changed in bounded maps and a
 * bounded queue; the cluster thread ("sbc-cluster") connects, beats, resynchronises and sends what was recorded
 * every {@link #FLUSH}; Lettuce's threads complete commands and deliver messages. Both only touch concurrent maps
 * and the listener (whose methods hand work to their own threads). No caller ever calls into Lettuce.
 */
public final class RedisSharedState implements SharedState {
    private static final Logger LOG = LoggerFactory.getLogger(RedisSharedState.class);
    private static final RateLimitedLog LIMITED = new RateLimitedLog(RedisSharedState.class.getName());
    /**
     * Failures are added up locally for this long and sent as one INCRBY per source; account shares changed within
     * it are sent once, the latest.
     */
    private static final Duration FLUSH = Duration.ofMillis(50);
    /** Accounts kept per node, this node's own included; beyond, further accounts are not shared. */
    static final int MAX_ACCOUNTS = 100_000;
    /** Accounts with registered devices shared per node; beyond, a node's further accounts are reached only there. */
    static final int MAX_REGISTERED_ACCOUNTS = 100_000;
    /** Nodes remembered; a node silent for longer than {@link #FORGET_NODE} is removed from the node table. */
    static final int MAX_NODES = 256;
    private static final Duration FORGET_NODE = Duration.ofDays(1);
    /** How long a lift stays in Redis: bans older than it have ended anyway (the longest ban is at most 7 days). */
    private static final Duration LIFT_MEMORY = Duration.ofDays(8);
    /** How long a node's account shares outlive its last write (spend counts per day and per weekend). */
    private static final Duration SHARE_MEMORY = Duration.ofDays(3);

    private final ClusterConfig config;
    private final String address;
    private final ClusterMetrics metrics;
    private final Clock clock;
    private final Keys keys;
    private final ClientResources resources;
    private final RedisClient client;
    private final DefaultEventExecutor thread;
    private final AtomicInteger pending = new AtomicInteger();
    private volatile Listener listener;
    private volatile HoldListener holdListener = new HoldListener() {
        @Override public void holdArrived(String account, Instant expires) { }
        @Override public void holdReleased(String account) { }
    };
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile StatefulRedisPubSubConnection<String, String> messages;
    private volatile boolean up;
    private volatile boolean closing;
    /** Whether Redis was reachable once: the first failure to reach it is logged differently. */
    private volatile boolean reachedOnce;
    /** This node's latest share per account, written again after an outage. */
    private final ConcurrentHashMap<String, AccountShare> mine = new ConcurrentHashMap<>();
    /**
     * Bans and lifts from the callers' threads, sent by the cluster thread: Lettuce may hold a writer back while a
     * connection is being set up, and a ban thread must never wait for that.
     */
    private final ArrayBlockingQueue<Function<RedisAsyncCommands<String, String>, RedisFuture<?>>> outbox;
    /** Accounts whose share changed since the last flush. */
    private final java.util.Set<String> changed = ConcurrentHashMap.newKeySet();
    /** Every other node's shares, per node and account, as last read or heard. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, AccountShare>> theirs =
            new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ClusterView.NodeSeen> nodes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<FailureKey, PendingFailure> failures = new ConcurrentHashMap<>();
    private volatile long nextResyncMillis;
    /** Where this node takes calls relayed to its phones, advertised with its heartbeat once known. */
    private volatile InetSocketAddress sip;
    /** Until when (epoch millis) this node holds registered devices of each account; written again after an outage. */
    private final ConcurrentHashMap<String, Long> heldHere = new ConcurrentHashMap<>();
    /** Accounts whose holding here changed since the last flush. */
    private final java.util.Set<String> heldChanged = ConcurrentHashMap.newKeySet();
    /** Until when each other node holds registered devices of each account, as last read or heard. */
    private final ConcurrentHashMap<String, ConcurrentHashMap<String, Long>> heldThere = new ConcurrentHashMap<>();
    /** The SIP address each other node advertises, kept only when it is one of {@code node-addresses}. */
    private final ConcurrentHashMap<String, InetSocketAddress> reach = new ConcurrentHashMap<>();

    /** The Redis names of one cluster. */
    private record Keys(String nodes, String bans, String lifted, String holds, String fraudPrefix,
            String wherePrefix, String failPrefix, String channel) {
        static Keys of(String prefix) {
            return new Keys(prefix + "nodes", prefix + "bans", prefix + "lifted", prefix + "holds", prefix + "fraud:",
                    prefix + "where:", prefix + "fail:", prefix + "events");
        }
    }

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

    /**
     * Reads the password file now (a configuration check has made sure it is readable); connects later, on the
     * cluster thread, so that a Redis that is down at start delays nothing.
     *
     * @param address this node's SIP address, shown to operators with its heartbeat
     */
    public RedisSharedState(ClusterConfig config, String address, ClusterMetrics metrics, Clock clock)
            throws IOException {
        this.config = config;
        this.address = address;
        this.metrics = metrics;
        this.clock = clock;
        this.keys = Keys.of(config.keyPrefix());
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

    // ------------------------------------------------------------------------------------------- lifecycle

    @Override
    public void start(Listener arrivals) {
        this.listener = arrivals;
        long beat = config.heartbeatInterval().toMillis();
        thread.scheduleWithFixedDelay(this::guardedBeat, 0, beat, TimeUnit.MILLISECONDS);
        thread.scheduleWithFixedDelay(this::guardedFlush, FLUSH.toMillis(), FLUSH.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
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

    public boolean redisUp() {
        return up;
    }

    /** Nodes whose heartbeat is recent, this one included while Redis is up. */
    public int nodesAlive() {
        return (int) view().nodes().stream().filter(ClusterView.NodeSeen::alive).count();
    }

    // ------------------------------------------------------------------------------ the cluster thread

    private void guardedBeat() {
        try {
            beat();
        } catch (RuntimeException e) {
            LIMITED.error("cluster-beat", "cluster heartbeat failed: {}", e.toString());
        }
    }

    /** Connects when not connected; says this node is alive; reads the nodes and their shares; resyncs bans. */
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
                up();
            }
            readNodes(redis, now);
            if (returned || now >= nextResyncMillis) {
                nextResyncMillis = now + config.resyncInterval().toMillis();
                resyncBans(redis, now);
                resyncHolds(redis, now);
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

    private void up() {
        up = true;
        reachedOnce = true;
        LOG.info("cluster: Redis reached as node {}: merging this node's bans and counters with the cluster's",
                config.nodeId());
        metrics.reconciled();
        // Lettuce reconnects by itself; what was dropped while Redis was away is written again here.
        mine.values().forEach(this::writeShare);
        heldChanged.addAll(heldHere.keySet());
    }

    private void down(Throwable e) {
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
                        theirs.remove(node);
                        heldThere.remove(node);
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
                    readNodeHash(redis, keys.fraudPrefix(), node, MAX_ACCOUNTS, SharedStateCodec::share,
                            "account share", theirs);
                    readNodeHash(redis, keys.wherePrefix(), node, MAX_REGISTERED_ACCOUNTS,
                            (account, until) -> Long.parseLong(until), "registration", heldThere);
                }
            }
        });
    }

    /**
     * Reads one node's hash ({@code prefix + node}) into a new map of at most {@code limit} entries, each value
     * read by {@code parse} (an unreadable one counted and skipped), and stores it as that node's in {@code into}.
     */
    private <V> void readNodeHash(RedisAsyncCommands<String, String> redis, String prefix, String node, int limit,
            java.util.function.BiFunction<String, String, V> parse, String what,
            ConcurrentHashMap<String, ConcurrentHashMap<String, V>> into) {
        redis.hgetall(prefix + node).thenAccept(all -> {
            ConcurrentHashMap<String, V> read = new ConcurrentHashMap<>();
            for (Map.Entry<String, String> entry : all.entrySet()) {
                if (read.size() >= limit) {
                    break;
                }
                try {
                    read.put(entry.getKey(), parse.apply(entry.getKey(), entry.getValue()));
                } catch (RuntimeException e) {
                    malformed(what + " of " + node, e);
                }
            }
            into.put(node, read);
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

    /**
     * Merges the bans: Redis's bans this node lacks (or has shorter) come in, lifts recorded in Redis end older bans
     * here, and this node's bans Redis lacks (or has shorter, or lost in a restart) go out. Expired entries and old
     * lifts are removed.
     */
    private void resyncBans(RedisAsyncCommands<String, String> redis, long now) {
        Listener arrivals = listener;
        redis.hgetall(keys.lifted()).thenCombine(redis.hgetall(keys.bans()), (lifted, stored) -> {
            Map<InetAddress, Instant> lifts = new HashMap<>();
            lifted.forEach((text, millis) -> {
                try {
                    Instant at = Instant.ofEpochMilli(Long.parseLong(millis));
                    if (now - at.toEpochMilli() > LIFT_MEMORY.toMillis()) {
                        redis.hdel(keys.lifted(), text);
                    } else {
                        lifts.put(SharedStateCodec.address(text), at);
                    }
                } catch (RuntimeException e) {
                    malformed("lift " + text, e);
                }
            });
            Map<InetAddress, Ban> remote = new HashMap<>();
            Instant instant = Instant.ofEpochMilli(now);
            stored.forEach((text, value) -> {
                try {
                    Ban ban = SharedStateCodec.ban(value);
                    if (!ban.activeAt(instant)) {
                        redis.hdel(keys.bans(), text);
                    } else {
                        remote.put(ban.source(), ban);
                    }
                } catch (RuntimeException e) {
                    malformed("ban " + text, e);
                }
            });
            lifts.forEach(arrivals::banLifted);
            for (Ban ban : remote.values()) {
                Instant liftedAt = lifts.get(ban.source());
                if (liftedAt == null || ban.created().isAfter(liftedAt)) {
                    metrics.bansReceived();
                    arrivals.banArrived(ban);
                }
            }
            for (Ban ban : arrivals.localBans()) {
                Ban there = remote.get(ban.source());
                Instant liftedAt = lifts.get(ban.source());
                if ((there == null || there.expires().isBefore(ban.expires()))
                        && (liftedAt == null || ban.created().isAfter(liftedAt))) {
                    send(r -> r.hset(keys.bans(), ban.source().getHostAddress(), SharedStateCodec.ban(ban)));
                }
            }
            return null;
        }).exceptionally(e -> {
            down(e);
            return null;
        });
    }

    /** Holds recorded in Redis come in (the fraud service skips those already in force); ended ones are removed. */
    private void resyncHolds(RedisAsyncCommands<String, String> redis, long now) {
        HoldListener arrivals = holdListener;
        redis.hgetall(keys.holds()).thenAccept(all -> all.forEach((account, text) -> {
            try {
                long until = Long.parseLong(text);
                if (until != 0 && until <= now) {
                    redis.hdel(keys.holds(), account);
                } else {
                    arrivals.holdArrived(account, until == 0 ? null : Instant.ofEpochMilli(until));
                }
            } catch (NumberFormatException e) {
                malformed("hold of " + account, e);
            }
        }));
    }

    private void guardedFlush() {
        try {
            for (var command = outbox.poll(); command != null; command = outbox.poll()) {
                send(command);
            }
            flushFailures();
            flushShares();
            flushHeld();
        } catch (RuntimeException e) {
            LIMITED.error("cluster-flush", "sending failure counts or account shares to Redis failed: {}",
                    e.toString());
        }
    }

    private void flushShares() {
        for (String account : changed) {
            changed.remove(account);
            AccountShare share = mine.get(account);
            if (share != null) {
                writeShare(share);
            }
        }
    }

    private void flushHeld() {
        String key = keys.wherePrefix() + config.nodeId();
        for (String aor : heldChanged) {
            heldChanged.remove(aor);
            Long until = heldHere.get(aor);
            if (until == null) {
                send(r -> r.hdel(key, aor));
            } else {
                send(r -> r.hset(key, aor, Long.toString(until)));
                send(r -> r.pexpire(key, SHARE_MEMORY.toMillis()));
            }
            String text = until == null ? "0" : until.toString();
            send(r -> r.publish(keys.channel(), "where\t" + config.nodeId() + '\t' + aor + '\t' + text));
        }
    }

    /** One INCRBY per source with failures since the last flush; the window starts with the first of them. */
    private void flushFailures() {
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
            send(r -> {
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

    // ------------------------------------------------------------------------- from the callers' threads

    @Override
    public void banMade(Ban ban) {
        String source = ban.source().getHostAddress();
        String text = SharedStateCodec.ban(ban);
        enqueue(r -> r.hset(keys.bans(), source, text));
        enqueue(r -> r.publish(keys.channel(), "ban\t" + config.nodeId() + '\t' + text));
    }

    @Override
    public void banLifted(InetAddress source) {
        String text = source.getHostAddress();
        long now = clock.millis();
        enqueue(r -> r.hdel(keys.bans(), text));
        enqueue(r -> r.hset(keys.lifted(), text, Long.toString(now)));
        enqueue(r -> r.publish(keys.channel(), "unban\t" + config.nodeId() + '\t' + text + '\t' + now));
    }

    @Override
    public void failure(FailureKind kind, InetAddress source, Duration window, int threshold, Runnable reached) {
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

    @Override
    public void accountChanged(AccountShare share) {
        if (!mine.containsKey(share.account()) && mine.size() >= MAX_ACCOUNTS) {
            metrics.dropped(ClusterMetrics.Drop.QUEUE_FULL);
            return;
        }
        mine.put(share.account(), share);
        // Sent from the cluster thread: the toll-fraud thread that calls this only records the change.
        changed.add(share.account());
    }

    @Override
    public void listenForHolds(HoldListener arrivals) {
        this.holdListener = arrivals;
    }

    @Override
    public void holdPlaced(String account, Instant expires) {
        String text = expires == null ? "0" : Long.toString(expires.toEpochMilli());
        enqueue(r -> r.hset(keys.holds(), account, text));
        enqueue(r -> r.publish(keys.channel(), "hold\t" + config.nodeId() + '\t' + account + '\t' + text));
    }

    @Override
    public void holdReleased(String account) {
        enqueue(r -> r.hdel(keys.holds(), account));
        enqueue(r -> r.publish(keys.channel(), "release\t" + config.nodeId() + '\t' + account));
    }

    @Override
    public void reachableAt(InetSocketAddress address) {
        this.sip = address;
    }

    @Override
    public void bindingsHeld(String aor, Instant expires) {
        if (expires == null) {
            heldHere.remove(aor);
        } else if (heldHere.size() < MAX_REGISTERED_ACCOUNTS || heldHere.containsKey(aor)) {
            heldHere.put(aor, expires.toEpochMilli());
        } else {
            metrics.dropped(ClusterMetrics.Drop.QUEUE_FULL);
            return;
        }
        // Sent from the cluster thread: the registrar's thread only records the change.
        heldChanged.add(aor);
    }

    @Override
    public List<InetSocketAddress> holdersElsewhere(String aor) {
        if (!up) {
            return List.of();
        }
        long now = clock.millis();
        List<InetSocketAddress> holders = new ArrayList<>(1);
        for (Map.Entry<String, ConcurrentHashMap<String, Long>> node : heldThere.entrySet()) {
            Long until = node.getValue().get(aor);
            InetSocketAddress at = reach.get(node.getKey());
            ClusterView.NodeSeen seen = nodes.get(node.getKey());
            if (until != null && until > now && at != null && seen != null
                    && now - seen.lastHeartbeat().toEpochMilli() <= config.nodeTimeout().toMillis()) {
                holders.add(at);
            }
        }
        return holders;
    }

    private void writeShare(AccountShare share) {
        String key = keys.fraudPrefix() + config.nodeId();
        String text = SharedStateCodec.share(share);
        send(r -> r.hset(key, share.account(), text));
        send(r -> r.pexpire(key, SHARE_MEMORY.toMillis()));
        send(r -> r.publish(keys.channel(), "fraud\t" + config.nodeId() + '\t' + share.account() + '\t' + text));
    }

    @Override
    public AccountShare others(String account) {
        AccountShare sum = AccountShare.NONE;
        LocalDate today = null;
        for (Map.Entry<String, ConcurrentHashMap<String, AccountShare>> node : theirs.entrySet()) {
            AccountShare share = node.getValue().get(account);
            if (share == null) {
                continue;
            }
            if (today == null) {
                today = LocalDate.now(clock);
            }
            ClusterView.NodeSeen seen = nodes.get(node.getKey());
            // A node that stopped beating holds no calls any more; what it spent still counts.
            boolean alive = seen != null && clock.millis() - seen.lastHeartbeat().toEpochMilli()
                    <= config.nodeTimeout().toMillis();
            sum = sum.plus(share, today, AccountShare.weekendOf(today), alive);
        }
        return sum;
    }

    @Override
    public ClusterView view() {
        long now = clock.millis();
        List<ClusterView.NodeSeen> seen = new ArrayList<>();
        for (ClusterView.NodeSeen node : nodes.values()) {
            seen.add(new ClusterView.NodeSeen(node.node(), node.address(), node.lastHeartbeat(),
                    now - node.lastHeartbeat().toEpochMilli() <= config.nodeTimeout().toMillis()));
        }
        seen.sort((a, b) -> a.node().compareTo(b.node()));
        return new ClusterView(config.nodeId(), up ? ClusterView.StoreState.UP : ClusterView.StoreState.DOWN, seen);
    }

    // ---------------------------------------------------------------------------------------- messages

    /** A message of another node (this node's own come back too and are skipped). */
    private void onMessage(String message) {
        String[] f = message.split("\t", 4);
        if (f.length < 3 || f[1].equals(config.nodeId())) {
            return;
        }
        Listener arrivals = listener;
        try {
            switch (f[0]) {
                case "ban" -> {
                    metrics.bansReceived();
                    arrivals.banArrived(SharedStateCodec.ban(message.substring(f[0].length() + f[1].length() + 2)));
                }
                case "unban" -> arrivals.banLifted(SharedStateCodec.address(f[2]),
                        Instant.ofEpochMilli(Long.parseLong(f[3])));
                case "fraud" -> {
                    ConcurrentHashMap<String, AccountShare> shares = theirs.computeIfAbsent(f[1],
                            n -> new ConcurrentHashMap<>());
                    if (shares.size() < MAX_ACCOUNTS || shares.containsKey(f[2])) {
                        shares.put(f[2], SharedStateCodec.share(f[2], f[3]));
                    }
                }
                case "hold" -> {
                    long until = Long.parseLong(f[3]);
                    holdListener.holdArrived(f[2], until == 0 ? null : Instant.ofEpochMilli(until));
                }
                case "release" -> holdListener.holdReleased(f[2]);
                case "where" -> {
                    ConcurrentHashMap<String, Long> held = heldThere.computeIfAbsent(f[1],
                            n -> new ConcurrentHashMap<>());
                    long until = Long.parseLong(f[3]);
                    if (until == 0) {
                        held.remove(f[2]);
                    } else if (held.size() < MAX_REGISTERED_ACCOUNTS || held.containsKey(f[2])) {
                        held.put(f[2], until);
                    }
                }
                default -> malformed("message " + f[0], new IllegalArgumentException("unknown kind"));
            }
        } catch (RuntimeException e) {
            malformed("message " + f[0], e);
        }
    }

    // ----------------------------------------------------------------------------------------- helpers

    /** From a caller's thread: queued for the cluster thread, or dropped and counted (down, or queue full). */
    private void enqueue(Function<RedisAsyncCommands<String, String>, RedisFuture<?>> command) {
        if (!up) {
            metrics.dropped(ClusterMetrics.Drop.REDIS_DOWN);
        } else if (!outbox.offer(command)) {
            metrics.dropped(ClusterMetrics.Drop.QUEUE_FULL);
        }
    }

    /**
     * On the cluster thread or Lettuce's: sends one command unless Redis is down or {@link ClusterConfig#maxPendingUpdates()} are already waiting for
     * their answer; a dropped update is counted (and comes back with the reconciliation).
     */
    private void send(Function<RedisAsyncCommands<String, String>, RedisFuture<?>> command) {
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

    private void malformed(String what, Exception e) {
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
