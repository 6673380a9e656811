package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import org.edgesbc.core.RecordMetrics;
import org.edgesbc.core.SbcVersion;

/**
 * Every meter the daemon exports, declared here (names {@code sbc.<area>.<thing>}; Prometheus renders
 * {@code sbc_<area>_<thing>_total} for counters). Tag values come from enums and fixed sets, never from addresses,
 * users or Call-IDs. Owns the Prometheus registry, with the JVM's own meters bound to it.
 */
public final class SbcMetrics implements AutoCloseable {
    static final String TRANSPORT_RECEIVED = "sbc.transport.messages.received";
    static final String TRANSPORT_SENT = "sbc.transport.messages.sent";
    static final String TRANSPORT_GATE_REJECTED = "sbc.transport.gate.rejected";
    static final String TRANSPORT_ADMISSION_DROPPED = "sbc.transport.admission.dropped";
    static final String TRANSPORT_CONNECTIONS = "sbc.transport.connections";
    static final String TRANSPORT_NEW_CALL_LIMIT = "sbc.transport.new.call.limit";
    static final String TRANSPORT_CONNECTIONS_REFUSED = "sbc.transport.connections.refused";
    static final String TRANSPORT_SEND_FAILED = "sbc.transport.send.failed";
    static final String TRANSPORT_SHED = "sbc.transport.shed";
    static final String TRANSPORT_UDP_QUEUE_WAIT = "sbc.transport.udp.queue.wait";
    static final String TRANSPORT_UDP_RECEIVE_DROPS = "sbc.transport.udp.receive.drops";
    static final String RELAY_REQUESTS = "sbc.relay.requests";
    static final String RELAY_RESPONSES = "sbc.relay.responses";
    static final String RELAY_LOCAL_RESPONSES = "sbc.relay.local.responses";
    static final String RELAY_RETRANSMISSIONS_ABSORBED = "sbc.relay.retransmissions.absorbed";
    static final String RELAY_TIMEOUTS = "sbc.relay.transaction.timeouts";
    static final String RELAY_DROPPED = "sbc.relay.dropped";
    static final String RELAY_TRANSACTIONS_OVERFLOW = "sbc.relay.transactions.overflow";
    static final String RELAY_RETRANSMISSION_WINDOWS_CUT = "sbc.relay.retransmission.windows.cut";
    static final String RELAY_DIALOGS_OVERFLOW = "sbc.relay.dialogs.overflow";
    static final String REDIRECTS = "sbc.redirect";
    static final String RELAY_TRANSACTIONS = "sbc.relay.transactions.active";
    static final String RELAY_DIALOGS = "sbc.relay.dialogs.active";
    static final String RELAY_CALL_SET_UP = "sbc.relay.call.setup";
    static final String RELAY_LATENCY = "sbc.relay.latency";
    static final String BUILD_INFO = "sbc.build.info";
    static final String RECORDS_DROPPED = "sbc.records.dropped";
    static final String RECORDS_WRITE_FAILURES = "sbc.records.write.failures";
    static final String SECURITY_DECISIONS = "sbc.security.decisions";
    static final String SECURITY_AUTH_FAILURES = "sbc.security.auth.failures";
    static final String STATE_WRITE_FAILURES = "sbc.state.write.failures";
    static final String SECURITY_BANS = "sbc.security.bans.active";
    static final String MEDIA_PACKETS = "sbc.media.packets.relayed";
    static final String MEDIA_BYTES = "sbc.media.bytes.relayed";
    static final String MEDIA_DROPPED = "sbc.media.packets.dropped";
    static final String MEDIA_UDPTL_PACKETS = "sbc.media.udptl.packets";
    static final String SESSION_TIMER_EXPIRED = "sbc.session.timer.expired";
    static final String KEEPALIVE_FAILED = "sbc.dialog.keepalive.failed";
    static final String CALLS_ENDED = "sbc.relay.calls.ended";
    static final String MEDIA_SESSIONS_OPENED = "sbc.media.sessions.opened";
    static final String MEDIA_SESSIONS_CLOSED = "sbc.media.sessions.closed";
    static final String MEDIA_PORTS_EXHAUSTED = "sbc.media.ports.exhausted";
    static final String MEDIA_SESSIONS = "sbc.media.sessions.active";
    static final String MEDIA_PORT_PAIRS_FREE = "sbc.media.port.pairs.free";
    static final String MEDIA_PORT_PAIRS_READY = "sbc.media.port.pairs.ready";
    static final String REGISTRAR_PHONE_REGISTERS = "sbc.registrar.phone.registers";
    static final String REGISTRAR_PBX_REGISTERS = "sbc.registrar.pbx.registers";
    static final String REGISTRAR_PBX_FAILURES = "sbc.registrar.pbx.failures";
    static final String REGISTRAR_BINDINGS_DROPPED = "sbc.registrar.bindings.dropped";
    static final String REGISTRAR_BINDINGS = "sbc.registrar.bindings.active";
    static final String REGISTRAR_AORS = "sbc.registrar.aors.active";
    static final String HANDOFF_FAILURES = "sbc.handoff.failures";
    static final String OUTBOUND_AUTH = "sbc.outbound.auth";
    static final String TRUNK_REGISTRATIONS = "sbc.trunk.registration";
    static final String TRUNK_REGISTRATION_STATE = "sbc.trunk.registration.state";
    static final String IDENTITY_CERTIFICATE_FETCHES = "sbc.identity.certificate.fetches";
    static final String IDENTITY_CERTIFICATE_CACHE = "sbc.identity.certificate.cache";
    static final String IDENTITY_CERTIFICATE_CACHE_ENTRIES = "sbc.identity.certificate.cache.entries";
    static final String IDENTITY_SIGNED = "sbc.identity.signed";
    static final String IDENTITY_VERIFIED = "sbc.identity.verified";
    /** Rendered {@code sbc_draining}; dashboards and alerts refer to it by that name. */
    static final String DRAINING = "sbc.draining";
    static final String CONFIG_GENERATION = "sbc.config.generation";
    static final String CONFIG_LOADED_TIMESTAMP = "sbc.config.loaded.timestamp.seconds";
    static final String CONFIG_RELOADS = "sbc.config.reload";
    static final String TLS_CERTIFICATE_EXPIRY = "sbc.tls.certificate.expiry.timestamp.seconds";
    static final String PEER_UP = "sbc.peer.up";
    static final String PEER_PROBES = "sbc.peer.probe";
    static final String CALL_FAILOVER = "sbc.call.failover";
    static final String DNS_LOOKUPS = "sbc.dns.lookup";
    static final String DNS_CACHE_ENTRIES = "sbc.dns.cache.entries";
    /** Rendered {@code sbc_cluster_redis_up}: 1 while this node reaches the cluster's Redis. */
    static final String CLUSTER_REDIS_UP = "sbc.cluster.redis.up";
    static final String CLUSTER_NODES = "sbc.cluster.nodes.alive";
    static final String CLUSTER_UPDATES_DROPPED = "sbc.cluster.updates.dropped";
    static final String CLUSTER_BANS_RECEIVED = "sbc.cluster.bans.received";
    static final String CLUSTER_RECONCILES = "sbc.cluster.reconciles";
    static final String CLUSTER_MALFORMED = "sbc.cluster.malformed";
    static final String CLUSTER_PHONE_CALLS = "sbc.cluster.phone.calls";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private LongSupplier udpReceiveDrops;
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final MicrometerTransportMetrics transport;
    private final MicrometerRelayMetrics relay;
    private final MicrometerMediaMetrics media;
    private final MicrometerSecurityMetrics security;
    private final MicrometerRegistrarMetrics registrar;
    private final MicrometerHandOffMetrics handOffs;
    private final MicrometerIdentityMetrics identity;
    private final MicrometerReloadMetrics reload;
    private final MicrometerPeerAccountMetrics peerAccounts;
    private final MicrometerPeerMetrics peers;
    private final MicrometerDnsMetrics dns;

    public SbcMetrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        // The usual info metric: always 1, the version in its tag, so dashboards can show and join on it.
        Gauge.builder(BUILD_INFO, () -> 1).tag("version", SbcVersion.current()).strongReference(true)
                .description("The running SBC's version (value always 1)").register(registry);
        transport = new MicrometerTransportMetrics(registry);
        relay = new MicrometerRelayMetrics(registry);
        media = new MicrometerMediaMetrics(registry);
        security = new MicrometerSecurityMetrics(registry);
        registrar = new MicrometerRegistrarMetrics(registry);
        handOffs = new MicrometerHandOffMetrics(registry);
        identity = new MicrometerIdentityMetrics(registry);
        reload = new MicrometerReloadMetrics(registry);
        peerAccounts = new MicrometerPeerAccountMetrics(registry);
        peers = new MicrometerPeerMetrics(registry);
        dns = new MicrometerDnsMetrics(registry);
    }

    public MicrometerDnsMetrics dns() {
        return dns;
    }

    /**
     * The kernel's count of datagrams dropped at the SIP listeners' full receive queues, read when scraped; bound
     * only where it can be read (Linux).
     */
    public void bindUdpReceiveDrops(LongSupplier drops) {
        // A function counter holds its object weakly (gauges are told not to): this field holds it for the registry.
        udpReceiveDrops = drops;
        FunctionCounter.builder(TRANSPORT_UDP_RECEIVE_DROPS, drops, count -> Math.max(0, count.getAsLong()))
                .description("Datagrams the kernel dropped at the SIP listeners' full UDP receive queues")
                .register(registry);
    }

    /** Gauge read from the locator of named peers when scraped. */
    public void bindDnsGauge(IntSupplier cacheEntries) {
        Gauge.builder(DNS_CACHE_ENTRIES, cacheEntries, IntSupplier::getAsInt).strongReference(true)
                .description("Located peer names in the DNS answer cache, negative answers included")
                .register(registry);
    }

    public MicrometerPeerMetrics peers() {
        return peers;
    }

    public MicrometerPeerAccountMetrics peerAccounts() {
        return peerAccounts;
    }

    public MicrometerReloadMetrics reload() {
        return reload;
    }

    public MicrometerIdentityMetrics identity() {
        return identity;
    }

    /** Gauge read from the x5u certificate cache when scraped. */
    public void bindIdentityGauges(IntSupplier certificateCacheEntries) {
        Gauge.builder(IDENTITY_CERTIFICATE_CACHE_ENTRIES, certificateCacheEntries, IntSupplier::getAsInt)
                .strongReference(true).description("x5u URLs in the certificate cache, fetches in flight included")
                .register(registry);
    }

    public MicrometerHandOffMetrics handOffs() {
        return handOffs;
    }

    public MicrometerRegistrarMetrics registrar() {
        return registrar;
    }

    /** Gauges read from the registrar when scraped. */
    public void bindRegistrarGauges(IntSupplier bindings, IntSupplier addressesOfRecord) {
        Gauge.builder(REGISTRAR_BINDINGS, bindings, IntSupplier::getAsInt).strongReference(true)
                .description("Registered contacts of phones (bindings)").register(registry);
        Gauge.builder(REGISTRAR_AORS, addressesOfRecord, IntSupplier::getAsInt).strongReference(true)
                .description("Addresses-of-record with at least one binding").register(registry);
    }

    public MicrometerSecurityMetrics security() {
        return security;
    }

    /** The cluster's counters; registered only for a node of a cluster. */
    public MicrometerClusterMetrics cluster() {
        return new MicrometerClusterMetrics(registry);
    }

    /** Gauges read from the cluster's shared state when scraped: Redis reachable, nodes with a recent heartbeat. */
    public void bindClusterGauges(BooleanSupplier redisUp, IntSupplier nodesAlive) {
        Gauge.builder(CLUSTER_REDIS_UP, redisUp, up -> up.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 while this node reaches the cluster's Redis, else 0 (it works on local state)")
                .register(registry);
        Gauge.builder(CLUSTER_NODES, nodesAlive, IntSupplier::getAsInt).strongReference(true)
                .description("Cluster nodes whose heartbeat this node saw within cluster.node-timeout")
                .register(registry);
    }

    /** Gauges read from the ban service when scraped. */
    public void bindSecurityGauges(IntSupplier activeBans) {
        Gauge.builder(SECURITY_BANS, activeBans, IntSupplier::getAsInt).strongReference(true)
                .description("Sources currently banned").register(registry);
    }

    public MicrometerMediaMetrics media() {
        return media;
    }

    /** Gauges read from the media relay when scraped. */
    public void bindMediaGauges(IntSupplier sessions, IntSupplier freePortPairs, IntSupplier readyPortPairs) {
        Gauge.builder(MEDIA_SESSIONS, sessions, IntSupplier::getAsInt).strongReference(true)
                .description("Calls with anchored media").register(registry);
        Gauge.builder(MEDIA_PORT_PAIRS_FREE, freePortPairs, IntSupplier::getAsInt).strongReference(true)
                .description("RTP/RTCP port pairs neither in use nor in quarantine").register(registry);
        Gauge.builder(MEDIA_PORT_PAIRS_READY, readyPortPairs, IntSupplier::getAsInt).strongReference(true)
                .description("Free RTP/RTCP port pairs already bound, which new calls take").register(registry);
    }

    public MicrometerTransportMetrics transport() {
        return transport;
    }

    public MicrometerRelayMetrics relay() {
        return relay;
    }

    /** Gauges read from the relay and transport when scraped. */
    public void bindGauges(IntSupplier transactions, IntSupplier dialogs, IntSupplier connections,
            DoubleSupplier newCallLimit) {
        Gauge.builder(RELAY_TRANSACTIONS, transactions, IntSupplier::getAsInt).strongReference(true)
                .description("Server and client transactions in the relay's tables").register(registry);
        Gauge.builder(RELAY_DIALOGS, dialogs, IntSupplier::getAsInt).strongReference(true)
                .description("Dialogs tracked by the relay").register(registry);
        Gauge.builder(TRANSPORT_CONNECTIONS, connections, IntSupplier::getAsInt).strongReference(true)
                .description("Open TCP and TLS connections").register(registry);
        Gauge.builder(TRANSPORT_NEW_CALL_LIMIT, newCallLimit, DoubleSupplier::getAsDouble).strongReference(true)
                .description("New INVITEs per second the UDP listeners let in under the limit they set in an overload,"
                        + " beyond which they answer 503 (summed over their sockets); 0 while no limit is in force")
                .register(registry);
    }

    /** 1 from the moment the SBC starts draining (it refuses new calls and {@code /ready} answers 503), else 0. */
    public void bindDrainGauge(BooleanSupplier draining) {
        Gauge.builder(DRAINING, draining, d -> d.getAsBoolean() ? 1 : 0).strongReference(true)
                .description("1 while the SBC drains before it stops: new calls refused, calls in progress go on")
                .register(registry);
    }

    /**
     * The counters of records lost on their way to {@code file}, by reason, and of writes the file refused; the
     * series exist from the start, so an alert on their rate needs no special case for a counter that has never
     * moved.
     */
    public RecordMetrics records(RecordMetrics.RecordFile file) {
        Map<RecordMetrics.Drop, Counter> byDrop = new EnumMap<>(RecordMetrics.Drop.class);
        for (RecordMetrics.Drop drop : RecordMetrics.Drop.values()) {
            byDrop.put(drop, counter(registry, RECORDS_DROPPED, "Security events and CDRs that were not written",
                    "file", file.name().toLowerCase(Locale.ROOT), "reason", drop.name().toLowerCase(Locale.ROOT)));
        }
        Counter writeFailures = counter(registry, RECORDS_WRITE_FAILURES, "Writes of security events and CDRs "
                + "the file refused (the records are kept and written again)", "file",
                file.name().toLowerCase(Locale.ROOT));
        return new RecordMetrics() {
            @Override
            public void dropped(RecordMetrics.Drop drop, int records) {
                byDrop.get(drop).increment(records);
            }

            @Override
            public void writeFailed() {
                writeFailures.increment();
            }
        };
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    static Counter counter(PrometheusMeterRegistry registry, String name, String description, String... tags) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
