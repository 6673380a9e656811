package org.edgesbc.core;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.edgesbc.core.config.FraudConfig;
import org.edgesbc.core.config.ManagementConfig;
import org.edgesbc.core.config.MediaSettings;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SessionTimerConfig;
import org.edgesbc.core.config.StirShakenConfig;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.core.config.SipConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.FraudRules;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.TransportConfig;

/** Loopback topologies for daemon tests: the SBC on 127.0.0.1 (ephemeral ports), trunk 127.0.0.2, PBX 127.0.0.3. */
final class TestConfigs {
    /** Successive daemons use successive RTP port ranges, so a range in quarantine is never shared. */
    private static int nextRange;

    private TestConfigs() { }

    /** Security defaults as config/sbc.yaml documents them, with the given access-zone users. */
    static SecurityConfig security(Path dataDir, List<DigestUser> users) {
        return new SecurityConfig("sbc.test", users, Duration.ofMinutes(5), 10, Duration.ofMinutes(10),
                Duration.ofHours(1), 4, Duration.ofDays(7), 1000, dataDir.resolve("bans.tsv"),
                org.edgesbc.policy.scan.ScannerFingerprints.shipped(), 50, 200, 20_000, 100_000,
                java.util.Map.of("register", 100, "invite", 100, "options", 100, "other", 100), 1000, 5000,
                SecurityConfig.DEFAULT_DIGEST_ALGORITHMS);
    }

    /** The realm of {@link #withPhones}. */
    static final String REALM = "sbc.test";

    /** An account of the access zone with HA1 hashes of {@code password} in {@link #REALM}. */
    static DigestUser user(String name, String password) {
        return new DigestUser(name, java.util.Map.of(
                org.edgesbc.policy.auth.DigestAlgorithm.MD5, org.edgesbc.policy.auth.DigestAuthenticator.ha1(
                        org.edgesbc.policy.auth.DigestAlgorithm.MD5, name, REALM, password),
                org.edgesbc.policy.auth.DigestAlgorithm.SHA_256, org.edgesbc.policy.auth.DigestAuthenticator.ha1(
                        org.edgesbc.policy.auth.DigestAlgorithm.SHA_256, name, REALM, password)),
                true, List.of());
    }

    /**
     * {@code base} with an access zone "phones" over {@code networks}, its accounts, and the registration settings.
     */
    static SbcConfig withPhones(SbcConfig base, RegistrationConfig registration, List<String> networks,
            List<DigestUser> users) {
        SecurityConfig d = base.security();
        SecurityConfig security = new SecurityConfig(REALM, users, d.nonceLifetime(), d.authFailureThreshold(),
                d.authFailureWindow(), d.banDuration(), d.banEscalation(), d.maxBanDuration(), d.maxBans(),
                d.banStateFile(), d.scannerFingerprints(), d.packetsPerSecond(), d.packetBurst(),
                d.peerPacketsPerSecond(), d.globalPacketsPerSecond(), d.requestsPerSecond(), d.floodBanAfter(),
                d.newInvitesPerSecond(), d.digestAlgorithms());
        List<ZoneConfig> zones = new java.util.ArrayList<>(base.zones());
        zones.add(new ZoneConfig("phones", ZoneConfig.ZoneRole.ACCESS, networks.stream().map(Cidr::parse).toList(),
                null, SrtpPolicy.OFF));
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), security, base.fraud(), zones,
                base.management(), registration, base.stirShaken());
    }

    /** {@code base} with the SBC's {@code account} at the peer of its zone of {@code role}. */
    static SbcConfig withAccount(SbcConfig base, ZoneConfig.ZoneRole role, ZoneConfig.PeerAccount account) {
        return withZones(base, z -> z.role() != role ? z : new ZoneConfig(z.name(), z.role(), z.networks(), z.peers(),
                z.srtp(), z.office(), z.probe(), z.redirects(), z.sessionTimers(), z.digestAlgorithms(), account,
                z.rules()));
    }

    /** {@code base} with number and header rules for the zone named {@code zone}. */
    static SbcConfig withRules(SbcConfig base, String zone, ZoneConfig.Rules rules) {
        return withZones(base, z -> !z.name().equals(zone) ? z : new ZoneConfig(z.name(), z.role(), z.networks(),
                z.peers(), z.srtp(), z.office(), z.probe(), z.redirects(), z.sessionTimers(), z.digestAlgorithms(),
                z.account(), rules));
    }

    /** {@code base} with the zone named {@code zone} presenting its own client certificate to its peers. */
    static SbcConfig withClientTls(SbcConfig base, String zone, ZoneConfig.ClientTls tls) {
        return withZones(base, z -> !z.name().equals(zone) ? z : new ZoneConfig(z.name(), z.role(), z.networks(),
                z.peers(), z.srtp(), z.office(), z.probe(), z.redirects(), z.sessionTimers(), z.digestAlgorithms(),
                z.account(), z.rules(), tls));
    }

    /** {@code base} with the given RFC 4028 settings on its trunk and pbx zones. */
    static SbcConfig withSessionTimers(SbcConfig base, SessionTimerConfig trunk, SessionTimerConfig pbx) {
        return withZones(base, zone -> new ZoneConfig(zone.name(), zone.role(), zone.networks(), zone.peers(),
                zone.srtp(), zone.office(), zone.probe(), zone.redirects(),
                zone.role() == ZoneConfig.ZoneRole.TRUNK ? trunk : zone.role() == ZoneConfig.ZoneRole.PBX ? pbx
                        : zone.sessionTimers(), zone.digestAlgorithms(), zone.account(), zone.rules()));
    }

    /** {@code base} with {@code ioThreads} I/O threads and {@code workerThreads} relay threads (0: none of its own). */
    static SbcConfig withThreads(SbcConfig base, int ioThreads, int workerThreads) {
        SipConfig s = base.sip();
        return withSip(base, new SipConfig(s.advertisedHost(), s.listeners(), s.tls(), s.udpReceiveBufferBytes(),
                ioThreads, workerThreads, s.gate(), s.connections(), s.timers(), s.maxTransactions(),
                s.maxDialogs(), s.maxCallDuration(), s.warmUpCalls()));
    }

    /** {@code base} with the packet budget of trunk, PBX and office sources at {@code perSecond}. */
    static SbcConfig withPeerPacketBudget(SbcConfig base, double perSecond) {
        SecurityConfig s = base.security();
        SecurityConfig security = new SecurityConfig(s.realm(), s.users(), s.nonceLifetime(),
                s.authFailureThreshold(), s.authFailureWindow(), s.banDuration(), s.banEscalation(),
                s.maxBanDuration(), s.maxBans(), s.banStateFile(), s.scannerFingerprints(), s.packetsPerSecond(),
                s.packetBurst(), perSecond, s.globalPacketsPerSecond(), s.requestsPerSecond(), s.floodBanAfter(),
                s.newInvitesPerSecond(), s.digestAlgorithms(), s.extensionSweep());
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), security, base.fraud(),
                base.zones(), base.management(), base.registration(), base.stirShaken(), base.logs());
    }

    /**
     * {@code base} with SIP timers of {@code t1} (T2 and T4 scaled as RFC 3261 sets them against 500 ms). The relay
     * takes T1 as its measure of falling behind too (a new call waiting a fifth of T1 in its queue is shed with
     * 503), so a longer T1 keeps a test whose subject is not overload from being shed on a loaded machine.
     */
    static SbcConfig withT1(SbcConfig base, Duration t1) {
        SipConfig s = base.sip();
        SipConfig sip = new SipConfig(s.advertisedHost(), s.listeners(), s.tls(), s.udpReceiveBufferBytes(),
                s.ioThreads(), s.workerThreads(), s.gate(), s.connections(),
                new SipConfig.TimerConfig(t1, t1.multipliedBy(8), t1.multipliedBy(10)), s.maxTransactions(),
                s.maxDialogs(), s.maxCallDuration(), s.warmUpCalls());
        return withSip(base, sip);
    }

    private static SbcConfig withSip(SbcConfig base, SipConfig sip) {
        return new SbcConfig(base.source(), base.dataDir(), sip, base.media(), base.security(), base.fraud(),
                base.zones(), base.management(), base.registration(), base.stirShaken(), base.logs());
    }

    /**
     * The next of the ten media port ranges whose ends are free on 127.0.0.1: another process on the machine (a
     * daemon started by hand, a benchmark) may hold some, and a daemon given those would refuse every call's media.
     */
    private static int freeMediaRange() {
        for (int tried = 0; tried < 10; tried++) {
            int range = nextRange++ % 10;
            if (udpPortFree(40_000 + 2_000 * range) && udpPortFree(41_999 + 2_000 * range)) {
                return range;
            }
        }
        return nextRange++ % 10;
    }

    private static boolean udpPortFree(int port) {
        try (java.net.DatagramSocket probe = new java.net.DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            return probe.isBound();
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    /** {@code base} with the answered calls' legs toward its PBX zone asked every {@code interval} (OPTIONS). */
    static SbcConfig withPbxKeepalive(SbcConfig base, Duration interval) {
        return withZones(base, zone -> zone.role() != ZoneConfig.ZoneRole.PBX ? zone : new ZoneConfig(zone.name(),
                zone.role(), zone.networks(), zone.peers(), zone.srtp(), zone.office(), zone.probe(),
                zone.redirects(), zone.sessionTimers(), zone.digestAlgorithms(), zone.account(), zone.rules(),
                zone.tls(), ZoneConfig.Keepalive.every(interval)));
    }

    /**
     * {@code base} with UDP listeners whose receive queue holds {@code bytes} (the kernel doubles the figure and
     * keeps a floor): small enough that a burst overflows it, for tests of what the SBC does after such a loss.
     */
    static SbcConfig withUdpReceiveBuffer(SbcConfig base, int bytes) {
        SipConfig s = base.sip();
        return withSip(base, new SipConfig(s.advertisedHost(), s.listeners(), s.tls(), bytes, s.ioThreads(),
                s.workerThreads(), s.gate(), s.connections(), s.timers(), s.maxTransactions(), s.maxDialogs(),
                s.maxCallDuration(), s.warmUpCalls()));
    }

    private static SbcConfig withZones(SbcConfig base, java.util.function.UnaryOperator<ZoneConfig> change) {
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), base.security(), base.fraud(),
                base.zones().stream().map(change).toList(), base.management(), base.registration(),
                base.stirShaken(), base.logs());
    }

    /** The loopback topology with the trunk and PBX as UDP peers at the given (bound) addresses. */
    static SbcConfig loopbackUdp(Path dataDir, InetSocketAddress trunk, InetSocketAddress pbx) {
        return loopback(dataDir, 0, 0, 0,
                new ZoneConfig.PeerConfig(trunk.getAddress().getHostAddress(), trunk.getPort(), SipTransport.UDP),
                new ZoneConfig.PeerConfig(pbx.getAddress().getHostAddress(), pbx.getPort(), SipTransport.UDP));
    }

    static SbcConfig loopback(Path dataDir, int udpPort, int tcpPort, int tlsPort,
            ZoneConfig.PeerConfig trunkPeer, ZoneConfig.PeerConfig pbxPeer) {
        SipConfig sip = new SipConfig(
                "127.0.0.1",
                List.of(new SipConfig.ListenerConfig("udp", SipTransport.UDP, "127.0.0.1", udpPort),
                        new SipConfig.ListenerConfig("tcp", SipTransport.TCP, "127.0.0.1", tcpPort),
                        new SipConfig.ListenerConfig("tls", SipTransport.TLS, "127.0.0.1", tlsPort)),
                new SipConfig.TlsConfig(null, null, null, false, false),
                1 << 20,
                1,
                2,
                TransportConfig.GateLimits.DEFAULTS,
                new TransportConfig.ConnectionLimits(64, 8, Duration.ofMinutes(1), Duration.ofSeconds(2)),
                SipConfig.TimerConfig.RFC3261,
                10_000,
                1_000,
                Duration.ofHours(1),
                0);
        int range = freeMediaRange();
        MediaSettings media = new MediaSettings(true, "127.0.0.1", "127.0.0.1", 40_000 + 2_000 * range,
                41_999 + 2_000 * range, Duration.ofSeconds(1), Duration.ofSeconds(60), Duration.ofHours(1), 1);
        return new SbcConfig(dataDir.resolve("sbc.yaml"), dataDir, sip, media, security(dataDir, List.of()),
                new FraudConfig(new DialPlan("49", "0", "00", java.util.Set.of("112", "110")), java.util.Map.of(),
                        new FraudRules(FraudRules.DEFAULT.allowedClasses(), 10_000, 100_000), java.util.Map.of(),
                        java.util.Map.of(), 0),
                List.of(new ZoneConfig("trunk", ZoneConfig.ZoneRole.TRUNK, List.of(Cidr.parse("127.0.0.2/32")),
                                trunkPeer, SrtpPolicy.OFF),
                        new ZoneConfig("pbx", ZoneConfig.ZoneRole.PBX, List.of(Cidr.parse("127.0.0.3/32")), pbxPeer,
                        SrtpPolicy.OFF)),
                new ManagementConfig("127.0.0.1", 0, "test-token"), RegistrationConfig.DEFAULTS, StirShakenConfig.OFF);
    }
}
