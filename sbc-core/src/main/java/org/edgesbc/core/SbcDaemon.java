package org.edgesbc.core;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Clock;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import org.edgesbc.core.cdr.CdrWriter;
import org.edgesbc.core.cluster.ClusterAdminApi;
import org.edgesbc.core.cluster.RedisSharedState;
import org.edgesbc.core.cluster.ClusterMetrics;
import org.edgesbc.core.config.ClusterConfig;
import org.edgesbc.core.config.MediaSettings;
import org.edgesbc.core.config.DnsConfig;
import org.edgesbc.core.config.RoutingConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SipConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.core.identity.CallerIdentityService;
import org.edgesbc.core.identity.CertificateAdminApi;
import org.edgesbc.core.identity.CertificateCache;
import org.edgesbc.core.management.CallAdminApi;
import org.edgesbc.core.management.TrunkAdminApi;
import org.edgesbc.core.management.ConfigReloadApi;
import org.edgesbc.core.management.ConfigReloader;
import org.edgesbc.core.management.DrainAdminApi;
import org.edgesbc.core.management.DrainCoordinator;
import org.edgesbc.core.management.Drainable;
import org.edgesbc.core.management.ManagementServer;
import org.edgesbc.core.management.PeerAdminApi;
import org.edgesbc.core.management.RelayDrain;
import org.edgesbc.core.metrics.SbcMetrics;
import org.edgesbc.core.registrar.Registrar;
import org.edgesbc.core.registrar.RegistrationAdminApi;
import org.edgesbc.core.relay.OtherNodes;
import org.edgesbc.core.relay.PeerAccounts;
import org.edgesbc.core.relay.RelayEngine;
import org.edgesbc.core.relay.RelaySettings;
import org.edgesbc.core.relay.ShardThreads;
import org.edgesbc.core.security.AccessPolicy;
import org.edgesbc.core.security.BanAdminApi;
import org.edgesbc.core.security.BanService;
import org.edgesbc.core.security.DropSummary;
import org.edgesbc.core.security.FloodWatch;
import org.edgesbc.core.security.FraudAdminApi;
import org.edgesbc.core.security.FraudService;
import org.edgesbc.core.security.SecurityEventLog;
import org.edgesbc.core.security.SecurityZones;
import org.edgesbc.core.security.SourceAdmissionPolicy;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestAuthenticator;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.policy.fraud.E164Normalizer;
import org.edgesbc.policy.routing.RouteTable;
import org.edgesbc.transport.dns.SipServerLocator;
import org.edgesbc.transport.dns.SipTarget;
import org.edgesbc.core.relay.FlowProvider;
import org.edgesbc.core.relay.PeerNames;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.policy.cluster.SharedState;
import org.edgesbc.policy.cluster.SingleNodeState;
import org.edgesbc.media.MediaConfig;
import org.edgesbc.media.MediaRelay;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipMessageSink;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.SipTransportService;
import org.edgesbc.transport.TransportConfig;
import org.edgesbc.transport.UdpReceiveDrops;
import org.edgesbc.transport.tls.SelfSignedCertificateGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running SBC. {@link #start} reads top to bottom as the whole wiring: metrics, TLS material, the security
 * services and policies (one per thread that runs them), transport, relay, management. {@link #close} stops them in
 * reverse order: first what accepts work, then the services, which write their state last. {@link #drain} lets the
 * calls in progress end first.
 */
public final class SbcDaemon implements Drainable {
    private static final Logger LOG = LoggerFactory.getLogger(SbcDaemon.class);
    /** The demo account's password, as the README gives it. */
    static final String DEMO_PASSWORD = "demo-1001-change-me";

    private final SbcMetrics metrics;
    private final SipTransportService transport;
    private final RelayEngine relay;
    private final MediaRelay media;
    private final SharedState shared;
    private final BanService bans;
    private final FraudService fraud;
    private final CallerIdentityService callerIdentity;
    private final SecurityEventLog events;
    private final DropSummary drops;
    private final CdrWriter cdrs;
    private final ManagementServer management;
    private final RelayDrain drain;
    private final SignallingLossWatch lossWatch;
    private final ConfigReloader reloader;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final boolean announce;

    private SbcDaemon(SbcMetrics metrics, SipTransportService transport, RelayEngine relay, MediaRelay media,
            SharedState shared, BanService bans, FraudService fraud, CallerIdentityService callerIdentity,
            SecurityEventLog events, DropSummary drops, CdrWriter cdrs, ManagementServer management, RelayDrain drain,
            ConfigReloader reloader, SignallingLossWatch lossWatch, boolean announce) {
        this.announce = announce;
        this.shared = shared;
        this.metrics = metrics;
        this.transport = transport;
        this.relay = relay;
        this.media = media;
        this.bans = bans;
        this.fraud = fraud;
        this.callerIdentity = callerIdentity;
        this.events = events;
        this.drops = drops;
        this.cdrs = cdrs;
        this.management = management;
        this.drain = drain;
        this.reloader = reloader;
        this.lossWatch = lossWatch;
    }

    public static SbcDaemon start(SbcConfig config) throws Exception {
        // The one clock of the daemon, in the operator's zone: spend caps count calendar days and weekends.
        return start(config, Clock.systemDefaultZone());
    }

    /**
     * Starts with {@code clock} as the wall clock: what events, records and files are stamped with, and what
     * calendar days are counted by. Daemon tests step it to show that nothing timed moves with it.
     */
    static SbcDaemon start(SbcConfig config, Clock clock) throws Exception {
        return start(config, clock, true);
    }

    /**
     * What {@code sbc run} starts: {@link #start(SbcConfig)} after {@code sip.warm-up-calls} calls through a
     * private SBC on loopback ({@link CallWarmUp}).
     */
    public static SbcDaemon warmUpAndStart(SbcConfig config) throws Exception {
        CallWarmUp.run(config);
        return start(config);
    }

    /**
     * @param announce log that the SBC runs and stops; the warm-up's private SBC does not, so that whoever waits for
     *     "SBC running" in the log waits for the SBC that serves
     */
    static SbcDaemon start(SbcConfig config, Clock clock, boolean announce) throws Exception {
        SbcMetrics metrics = new SbcMetrics();
        SipConfig sip = config.sip();
        TlsMaterial tls = TlsMaterial.resolve(config);
        // Bans, holds and budgets run on a clock the wall clock's steps (NTP, an operator) cannot move.
        LongSupplier monotonic = System::nanoTime;
        GuardedHandOff handOff = new GuardedHandOff(metrics.handOffs());

        // Security, by the thread each part runs on: bans and toll fraud own a thread and their files each;
        // admission runs on the I/O threads and the access policy on the relay threads, neither touching the disk.
        SecurityEventLog events = new SecurityEventLog(config.dataDir().resolve("security-events.jsonl"),
                config.logs().securityEvents(), metrics.records(RecordMetrics.RecordFile.SECURITY_EVENTS));
        SecurityZones zones = new SecurityZones(config.zones());
        // Several nodes share bans, failure counts and toll-fraud counters through Redis; one node shares nothing.
        ClusterMetrics clusterMetrics = config.cluster().enabled() ? metrics.cluster() : ClusterMetrics.NONE;
        SharedState shared = sharedState(config, metrics, clusterMetrics, clock);
        BanService bans = BanService.start(config.security(), events, metrics.security(), handOff, clock, monotonic,
                shared);
        metrics.bindSecurityGauges(bans::activeBans);
        Path banFile = config.security().banStateFile();
        FraudService fraud = FraudService.start(config.fraud(), banFile.resolveSibling("fraud-state.tsv"),
                banFile.resolveSibling("fraud-baselines.tsv"), events, metrics.security(), handOff, clock,
                monotonic, FraudService.Schedule.DEFAULT, shared);
        shared.start(bans);
        DropSummary drops = DropSummary.start(events, clock);
        FloodWatch flood = new FloodWatch(zones, config.security().floodBanAfter(),
                config.security().packetsPerSecond(), bans, monotonic);
        SourceAdmissionPolicy admission = new SourceAdmissionPolicy(ZoneAdmission.of(config), zones,
                config.security(), bans, flood, drops, metrics.security(), monotonic);
        AccessPolicy access = new AccessPolicy(zones, config.security(), bans, flood, drops, events,
                metrics.security(), clock, monotonic);
        warnAboutDemoUser(config);

        // Caller identity (STIR/SHAKEN): the signing key and the STI-CA anchors are read once; certificates of
        // inbound calls are fetched on a thread of their own. Known customers are the phones' and the PBX's accounts.
        Set<String> accounts = new HashSet<>();
        config.security().users().forEach(u -> accounts.add(u.name()));
        CallerIdentityService callerIdentity = CallerIdentityService.start(config.stirShaken(),
                config.fraud().dialPlan(), knownCustomers(config), events, metrics.security(), metrics.identity(),
                clock);

        CdrWriter cdrs = new CdrWriter(config.dataDir().resolve("cdr"), config.logs().cdr(),
                metrics.records(RecordMetrics.RecordFile.CDR));
        RelayHolder holder = new RelayHolder();
        TransportConfig transportConfig = transportConfig(config, tls);
        // The transport hands messages to the relay, which needs the transport's bound ports for its own Via and
        // Contact: the sink is bound once both exist, and nothing is admitted before the listeners are up.
        SipTransportService transport = new SipTransportService(transportConfig, admission, holder,
                metrics.transport());
        ManagementServer management = null;
        ConfigReloader reloader = null;
        RelayEngine relay = null;
        RelayDrain drain = null;
        SignallingLossWatch lossWatch = null;
        if (announce && !config.media().enabled()) {
            LOG.warn("media anchoring is off: SDP passes unchanged and endpoints see each other's media addresses");
        }
        MediaRelay media = mediaRelay(config.media(), metrics);
        try {
            transport.start();
            InetSocketAddress udp = transport.localAddress(SipTransport.UDP);
            if (udp != null) {
                // Where the other nodes relay PBX calls for this node's phones.
                shared.reachableAt(udp);
            }
            RelaySettings settings = relaySettings(config, transport);
            relay = new RelayEngine(settings, new FlowProvider() {
                @Override
                public SipFlow flowTo(SipTransport type, InetSocketAddress destination) {
                    return transport.flowTo(type, destination);
                }

                @Override
                public SipFlow flowTo(SipTransport type, InetSocketAddress destination, String serverName,
                        String zone) {
                    return transport.flowTo(type, destination, serverName, zone);
                }
            }, metrics.relay(), media, access, fraud,
                    callerIdentity, handOff, cdrs, clock, shardThreads(sip, transport), new RelayEngine.Registrations(config.registration(), accounts,
                            metrics.registrar(), otherNodes(config, shared, clusterMetrics)), metrics.peers(), peerNames(config, metrics),
                    interconnect(config, metrics));
            holder.relay = relay;
            metrics.bindGauges(relay::activeTransactions, relay::activeDialogs, transport::openConnections,
                    transport::newCallLimitPerSecond);
            UdpReceiveDrops socketDrops = new UdpReceiveDrops(transport.udpListenerSockets());
            if (socketDrops.read() >= 0) {
                metrics.bindUdpReceiveDrops(socketDrops::read);
            } else {
                LOG.info("the SIP sockets' drop count cannot be read here (not Linux's native transport): for "
                        + "keepalive after-loss only a peer's packets dropped over its budget count as lost");
            }
            lossWatch = SignallingLossWatch.start(
                    () -> Math.max(0, socketDrops.read()) + admission.peerPacketsDropped(), clock,
                    sip.timers().transactionTimeout(), relay::checkCallsAnsweredBefore);
            Registrar registrar = relay.registrar();
            if (registrar != null) {
                metrics.bindRegistrarGauges(registrar::bindings, registrar::addressesOfRecord);
            }
            drain = new RelayDrain(relay, registrar, config.management().drain(), config.fraud().dialPlan(),
                    sip.timers().transactionTimeout());
            DrainCoordinator draining = drain.coordinator();
            metrics.bindDrainGauge(draining::draining);
            // Reload (SIGHUP, sbc reload, POST /admin/reload) swaps what each service exposes as live settings.
            metrics.reload().tlsCertificateExpiry(transport.settings().certificateExpiry());
            reloader = new ConfigReloader(config, new LiveReconfiguration(transport, admission, flood, access, bans,
                    fraud, callerIdentity, relay, media, metrics.reload()), metrics.reload(), clock);
            management = ManagementServer.start(config.management(), metrics::scrape, () -> !draining.draining(),
                    () -> ClusterAdminApi.readyDetail(shared));
            new ClusterAdminApi(shared).register(management);
            new DrainAdminApi(draining).register(management);
            new CallAdminApi(relay).register(management);
            new TrunkAdminApi(relay).register(management);
            new PeerAdminApi(relay).register(management);
            new ConfigReloadApi(reloader).register(management);
            new BanAdminApi(bans).register(management);
            new FraudAdminApi(fraud).register(management);
            Optional<CertificateCache> certificates = callerIdentity.certificates();
            if (certificates.isPresent()) {
                metrics.bindIdentityGauges(certificates.get()::size);
                new CertificateAdminApi(certificates.get()).register(management);
            }
            if (relay.registrar() != null) {
                new RegistrationAdminApi(relay.registrar()).register(management);
            }
        } catch (Exception | Error e) {
            if (lossWatch != null) {
                lossWatch.close();
            }
            if (drain != null) {
                drain.close();
            }
            if (relay != null) {
                relay.close();
            }
            transport.close();
            if (media != null) {
                media.close();
            }
            callerIdentity.close();
            fraud.close();
            bans.close();
            drops.close();
            shared.close();
            events.close();
            cdrs.close();
            throw e;
        }
        if (announce) {
            LOG.info("SBC running: SIP on {}, management on http://{}:{}", describeListeners(transport),
                    config.management().address(), management.port());
        }
        return new SbcDaemon(metrics, transport, relay, media, shared, bans, fraud, callerIdentity, events, drops,
                cdrs, management, drain, reloader, lossWatch, announce);
    }

    /** Redis for a node of a cluster ({@code cluster:} configured), else the single node's own tables only. */
    private static SharedState sharedState(SbcConfig config, SbcMetrics metrics, ClusterMetrics clusterMetrics,
            Clock clock)
            throws java.io.IOException {
        ClusterConfig cluster = config.cluster();
        if (!cluster.enabled()) {
            return SingleNodeState.INSTANCE;
        }
        SipConfig sip = config.sip();
        String host = sip.advertisedHost() != null ? sip.advertisedHost() : sip.listeners().get(0).address();
        RedisSharedState redis = new RedisSharedState(cluster, host, clusterMetrics, clock);
        metrics.bindClusterGauges(redis::redisUp, redis::nodesAlive);
        LOG.info("cluster node {}: sharing bans, failure counts and toll-fraud counters through Redis",
                cluster.nodeId());
        return redis;
    }

    /** The other nodes of a cluster, whose phones PBX calls are relayed to; {@link OtherNodes#NONE} on one node. */
    private static OtherNodes otherNodes(SbcConfig config, SharedState shared, ClusterMetrics clusterMetrics) {
        return config.cluster().enabled() ? new OtherNodes(shared, Set.copyOf(config.cluster().nodeAddresses()),
                clusterMetrics) : OtherNodes.NONE;
    }

    /** The accounts STIR/SHAKEN attests as known customers: the phones' users and the PBX's fraud accounts. */
    static Set<String> knownCustomers(SbcConfig config) {
        Set<String> customers = new HashSet<>(config.fraud().accounts().keySet());
        config.security().users().forEach(u -> customers.add(u.name()));
        return customers;
    }

    /** The default configuration ships a demo account; it must not survive into production unnoticed. */
    private static void warnAboutDemoUser(SbcConfig config) {
        String realm = config.security().realm();
        for (DigestUser user : config.security().users()) {
            String md5 = user.ha1().get(DigestAlgorithm.MD5);
            if (md5 != null && md5.equals(DigestAuthenticator.ha1(DigestAlgorithm.MD5, user.name(), realm,
                    DEMO_PASSWORD))) {
                LOG.warn("user {} still has the demo password from the README: anyone can register as it; change it "
                        + "(sbc hash-password) or remove the user", user.name());
            }
        }
    }

    private static MediaRelay mediaRelay(MediaSettings settings, SbcMetrics metrics) throws UnknownHostException {
        if (!settings.enabled()) {
            return null;
        }
        MediaConfig config = new MediaConfig(InetAddress.getByName(settings.address()), settings.advertisedAddress(),
                settings.portMin(), settings.portMax(), settings.quarantine(), settings.timeout(),
                settings.holdTimeout(), settings.threads(), settings.busyPoll(), settings.io(), settings.nice(),
                settings.receiveBufferBytes());
        MediaRelay relay = new MediaRelay(config, metrics.media());
        metrics.bindMediaGauges(relay::activeSessions, relay::freePortPairs, relay::readyPortPairs);
        return relay;
    }

    /** The actual bound address of the first listener of a transport; tests bind ephemeral ports. */
    public InetSocketAddress sipAddress(SipTransport transportType) {
        return transport.localAddress(transportType);
    }

    /** Reloads the configuration file the daemon started from (what SIGHUP and {@code POST /admin/reload} do). */
    public ConfigReloader.Outcome reload() {
        return reloader.reload();
    }

    public int managementPort() {
        return management.port();
    }

    public int activeDialogs() {
        return relay.activeDialogs();
    }

    /** Calls with anchored media right now (0 when media anchoring is off). */
    public int activeMediaSessions() {
        return media == null ? 0 : media.activeSessions();
    }

    public int activeTransactions() {
        return relay.activeTransactions();
    }

    /**
     * Starts draining: {@code /ready} answers 503, new calls are refused with 503 and Retry-After (emergency calls
     * excepted), phones get short registrations; calls in progress end by themselves or at {@code drain-timeout}.
     */
    @Override
    public CompletableFuture<Void> drain(String why) {
        return drain.coordinator().start(why);
    }

    @Override
    public CompletableFuture<Void> drained() {
        return drain.coordinator().drained();
    }

    /** Stops everything at once (calls in progress are dropped; {@link #drain} first to let them end). Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (announce) {
            LOG.info("SBC stopping");
        }
        lossWatch.close();
        drain.close();
        management.close();
        unregisterTrunks();
        transport.close();
        relay.close();
        callerIdentity.close();
        fraud.close();
        bans.close();
        drops.close();
        shared.close();
        events.close();
        cdrs.close();
        if (media != null) {
            media.close();
        }
        metrics.close();
        if (announce) {
            LOG.info("SBC stopped");
        }
    }

    /** The SBC leaves its trunk registrations while the transport still sends; their answers are not awaited. */
    private void unregisterTrunks() {
        try {
            relay.unregisterTrunks().get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("SBC stopping: trunk registrations not removed ({})", e.toString());
        }
    }

    static TransportConfig transportConfig(SbcConfig config, TlsMaterial tls) {
        SipConfig sip = config.sip();
        List<TransportConfig.Listener> listeners = sip.listeners().stream()
                .map(l -> new TransportConfig.Listener(l.name(), l.transport(),
                        new InetSocketAddress(l.address(), l.port())))
                .toList();
        TransportConfig.TlsSettings tlsSettings = tls.certificate() == null ? null
                : new TransportConfig.TlsSettings(tls.certificate(), tls.privateKey(),
                        sip.tls() == null ? null : sip.tls().trustedCertificates(),
                        sip.tls() != null && sip.tls().requireClientCertificate(),
                        sip.tls() != null && sip.tls().verifyPeers(), zoneClientIdentities(config));
        return new TransportConfig(listeners, sip.gate(), sip.connections(), tlsSettings, sip.udpReceiveBufferBytes(),
                sip.ioThreads(), sip.timers().transactionTimeout());
    }

    /** The zones' own client certificates, by zone name: the relay asks for flows toward a peer with its zone. */
    private static Map<String, TransportConfig.ClientIdentity> zoneClientIdentities(SbcConfig config) {
        Map<String, TransportConfig.ClientIdentity> identities = new LinkedHashMap<>();
        for (ZoneConfig zone : config.zones()) {
            if (zone.tls() != null) {
                identities.put(zone.name(),
                        new TransportConfig.ClientIdentity(zone.tls().certificate(), zone.tls().privateKey()));
            }
        }
        return identities;
    }

    /** The SBC's accounts at its peers and the zones' number and header rules, from the zones that have them. */
    private static RelayEngine.Interconnect interconnect(SbcConfig config, SbcMetrics metrics) {
        Map<String, ZoneConfig.PeerAccount> accounts = new LinkedHashMap<>();
        Map<String, ZoneConfig.Rules> rules = new LinkedHashMap<>();
        for (ZoneConfig zone : config.zones()) {
            if (zone.account() != null) {
                accounts.put(zone.name(), zone.account());
            }
            if (!zone.rules().equals(ZoneConfig.Rules.NONE)) {
                rules.put(zone.name(), zone.rules());
            }
        }
        return new RelayEngine.Interconnect(new PeerAccounts(accounts, metrics.peerAccounts(), new SecureRandom()),
                rules, config.fraud().dialPlan());
    }

    /** {@code sip.worker-threads} relay threads of their own, or none (0): the relay on the transport's I/O loops. */
    private static ShardThreads shardThreads(SipConfig sip, SipTransportService transport) {
        return sip.workerThreads() == 0 ? ShardThreads.onLoops(transport.ioLoops())
                : ShardThreads.own(sip.workerThreads());
    }

    static RelaySettings relaySettings(SbcConfig config, SipTransportService transport) {
        SipConfig sip = config.sip();
        Map<SipTransport, Integer> ports = new EnumMap<>(SipTransport.class);
        for (SipTransport type : SipTransport.values()) {
            InetSocketAddress bound = transport.localAddress(type);
            if (bound != null) {
                ports.put(type, bound.getPort());
            }
        }
        Map<String, RelaySettings.ZonePeer> firstPeers = new LinkedHashMap<>();
        Map<String, List<RelaySettings.ZonePeer>> peers = new LinkedHashMap<>();
        Map<String, ZoneConfig.ProbeConfig> probes = new HashMap<>();
        Set<String> trunks = new HashSet<>();
        Set<String> pbxs = new HashSet<>();
        for (ZoneConfig zone : config.zones()) {
            // A named peer stays unresolved here: calls locate it (RFC 3263) without blocking a relay thread.
            List<RelaySettings.ZonePeer> zonePeers = zone.peers().stream().map(peer -> RelaySettings.ZonePeer.of(
                    zone, peer.named() ? InetSocketAddress.createUnresolved(peer.host(), peer.port())
                            : new InetSocketAddress(peer.host(), peer.port()), peer.transport()))
                    .toList();
            peers.put(zone.name(), zonePeers);
            firstPeers.put(zone.name(), zonePeers.isEmpty() ? RelaySettings.ZonePeer.of(zone, null, null)
                    : zonePeers.get(0));
            if (zone.probe() != null) {
                probes.put(zone.name(), zone.probe());
            }
            if (zone.role() == ZoneConfig.ZoneRole.TRUNK) {
                trunks.add(zone.name());
            } else if (zone.role() == ZoneConfig.ZoneRole.PBX) {
                pbxs.add(zone.name());
            }
        }
        RoutingConfig routing = config.routing();
        String pbx = routing.defaultPbx();
        // Trunk and PBX zones route by number (the table); phones' calls go to the default PBX.
        Map<String, String> routes = new HashMap<>();
        for (ZoneConfig zone : config.zones()) {
            if (zone.role() == ZoneConfig.ZoneRole.ACCESS) {
                routes.put(zone.name(), pbx);
            }
        }
        RouteTable table = new RouteTable(new E164Normalizer(config.fraud().dialPlan()), routing.outbound(),
                routing.emergencyTrunks(), routing.inbound(), pbx);
        RelaySettings.CallRouting callRouting = new RelaySettings.CallRouting(table, Set.copyOf(trunks),
                Set.copyOf(pbxs), routing.failoverStatuses(), routing.attemptTimeout(), probes,
                // NAPTR, SRV and A/AAAA one after the other, each bounded by the query timeout.
                config.dns().queryTimeout().multipliedBy(4));
        String host = sip.advertisedHost() != null ? sip.advertisedHost() : sip.listeners().get(0).address();
        return new RelaySettings(host, ports, firstPeers, routes, pbx, sip.timers().t1(), sip.timers().t2(),
                sip.timers().t4(), sip.maxTransactions(), sip.maxDialogs(), sip.maxCallDuration(), peers, callRouting);
    }

    /**
     * The locator of peers named by host name (RFC 3263, through Netty's DNS resolver on a thread of its own), or
     * {@link PeerNames#NONE} when every peer is an IP address.
     */
    static PeerNames peerNames(SbcConfig config, SbcMetrics metrics) {
        boolean named = config.zones().stream().flatMap(zone -> zone.peers().stream())
                .anyMatch(ZoneConfig.PeerConfig::named);
        if (!named) {
            return PeerNames.NONE;
        }
        DnsConfig dns = config.dns();
        Set<SipTransport> usable = new HashSet<>();
        config.sip().listeners().forEach(listener -> usable.add(listener.transport()));
        SipServerLocator locator = new SipServerLocator(new SipServerLocator.Settings(dns.servers(),
                dns.cacheEntries(), dns.minTtl(), dns.maxTtl(), dns.negativeTtl(), dns.queryTimeout()), usable,
                metrics.dns(), System::nanoTime, new SplittableRandom());
        metrics.bindDnsGauge(locator::cacheEntries);
        return new PeerNames() {
            @Override
            public List<SipTarget> cached(String host, int port, SipTransport transport) {
                return locator.cached(host, port, transport);
            }

            @Override
            public CompletableFuture<List<SipTarget>> locate(String host, int port, SipTransport transport) {
                return locator.locate(host, port, transport);
            }

            @Override
            public void close() {
                locator.close();
            }
        };
    }

    private static String describeListeners(SipTransportService transport) {
        StringBuilder out = new StringBuilder();
        for (SipTransport type : SipTransport.values()) {
            InetSocketAddress bound = transport.localAddress(type);
            if (bound != null) {
                out.append(out.isEmpty() ? "" : ", ").append(type).append(' ').append(bound.getAddress()
                        .getHostAddress()).append(':').append(bound.getPort());
            }
        }
        return out.toString();
    }

    /** Forwards to the relay once it exists; the listeners start before it because it needs their ports. */
    private static final class RelayHolder implements SipMessageSink {
        volatile RelayEngine relay;

        @Override
        public void onMessage(InboundSipMessage message) {
            RelayEngine current = relay;
            if (current != null) {
                current.onMessage(message);
            }
        }

        @Override
        public void onMessages(List<InboundSipMessage> burst, boolean drained) {
            RelayEngine current = relay;
            if (current != null) {
                current.onMessages(burst, drained);
            }
        }

        @Override
        public boolean shedsNewDialogs(String callId) {
            RelayEngine current = relay;
            return current != null && current.shedsNewDialogs(callId);
        }

        @Override
        public void refusalAcknowledged(String zone, String callId) {
            RelayEngine current = relay;
            if (current != null) {
                current.refusalAcknowledged(zone, callId);
            }
        }
    }

    /** The certificate and key TLS listeners use: configured files, or a pair generated at first start. */
    record TlsMaterial(Path certificate, Path privateKey) {
        static TlsMaterial resolve(SbcConfig config) throws java.io.IOException {
            SipConfig sip = config.sip();
            boolean tlsUsed = sip.listeners().stream().anyMatch(l -> l.transport() == SipTransport.TLS)
                    || config.zones().stream().anyMatch(z -> z.tls() != null
                            || z.peers().stream().anyMatch(p -> p.transport() == SipTransport.TLS));
            if (!tlsUsed) {
                return new TlsMaterial(null, null);
            }
            if (sip.tls() != null && sip.tls().certificate() != null) {
                return new TlsMaterial(sip.tls().certificate(), sip.tls().privateKey());
            }
            Path dir = config.dataDir().resolve("tls");
            Path certificate = dir.resolve("sbc-cert.pem");
            Path key = dir.resolve("sbc-key.pem");
            if (Files.exists(certificate) && Files.exists(key)) {
                LOG.warn("TLS uses the self-signed certificate {} generated earlier; configure sip.tls.certificate "
                        + "and sip.tls.private-key for production", certificate);
            } else {
                List<String> names = sip.listeners().stream().map(SipConfig.ListenerConfig::address).distinct()
                        .toList();
                SelfSignedCertificateGenerator.generate(certificate, key, names);
                LOG.warn("no TLS certificate configured: generated a self-signed one at {} for {}; peers will not "
                        + "trust it until you configure sip.tls.certificate and sip.tls.private-key", certificate,
                        names);
            }
            return new TlsMaterial(certificate, key);
        }
    }
}
