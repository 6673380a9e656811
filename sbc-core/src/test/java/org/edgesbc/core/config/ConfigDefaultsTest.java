package org.edgesbc.core.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.edgesbc.media.MediaConfig;
import org.edgesbc.media.MediaIo;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.scan.ScannerFingerprints;
import org.edgesbc.policy.fraud.AnomalyDetector;
import org.edgesbc.policy.fraud.DestinationClass;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.FraudRules;
import org.edgesbc.policy.identity.Attestation;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.TransportConfig;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every key left out takes the default that {@code config/sbc.yaml} documents in its comment. The expected values
 * are written out here as the documentation states them, so a changed default in the code fails a test.
 */
class ConfigDefaultsTest {
    private static final ScannerFingerprints DOCUMENTED_SCANNERS = ScannerFingerprints.shipped();
    private static final Map<String, Integer> DOCUMENTED_REQUEST_BUDGETS = Map.of("register", 2, "invite", 5,
            "options", 5, "other", 20);
    private static final RegistrationConfig DOCUMENTED_REGISTRATION = new RegistrationConfig(Duration.ofSeconds(60),
            Duration.ofMinutes(10), Duration.ofSeconds(30), 20, Duration.ofHours(1), Duration.ofMinutes(2), 100_000,
            10);
    private static final FraudConfig.Anomalies DOCUMENTED_ANOMALIES = new FraudConfig.Anomalies(10, 20, Map.of(
            AnomalyDetector.Kind.SPIKE, FraudConfig.Action.THROTTLE,
            AnomalyDetector.Kind.NEW_COUNTRY, FraudConfig.Action.ALERT,
            AnomalyDetector.Kind.UNUSUAL_HOUR, FraudConfig.Action.ALERT), 2, Duration.ofHours(1));

    @TempDir
    Path dir;

    private ConfigFiles files;
    private SbcConfig minimal;

    @BeforeEach
    void loadMinimalConfiguration() throws Exception {
        files = new ConfigFiles(dir);
        minimal = files.load(ConfigFiles.MINIMAL);
    }

    @Test
    void dataDirDefaultsToDataBesideTheConfigurationFile() {
        assertThat(minimal.dataDir()).isEqualTo(dir.resolve("data"));
    }

    @Test
    void sipSectionDefaults() {
        SipConfig sip = minimal.sip();
        // Null here: the daemon puts the first listener's address in Via and Contact.
        assertThat(sip.advertisedHost()).isNull();
        assertThat(sip.tls()).isEqualTo(new SipConfig.TlsConfig(null, null, null, false, true));
        assertThat(sip.udpReceiveBufferBytes()).isEqualTo(4_194_304);
        assertThat(sip.ioThreads()).isEqualTo(1);
        assertThat(sip.workerThreads()).isEqualTo(2);
        assertThat(sip.gate()).isEqualTo(new TransportConfig.GateLimits(16_384, 1_024, 2_048, 64, 70));
        assertThat(sip.connections()).isEqualTo(new TransportConfig.ConnectionLimits(4_096, 32,
                Duration.ofMinutes(5), Duration.ofSeconds(5)));
        assertThat(sip.timers().t1()).isEqualTo(Duration.ofMillis(500));
        assertThat(sip.timers().t2()).isEqualTo(Duration.ofSeconds(4));
        assertThat(sip.timers().t4()).isEqualTo(Duration.ofSeconds(5));
        assertThat(sip.maxTransactions()).isEqualTo(200_000);
        assertThat(sip.maxDialogs()).isEqualTo(100_000);
        assertThat(sip.maxCallDuration()).isEqualTo(Duration.ofHours(4));
    }

    @Test
    void listenerPortDefaultsTo5060And5061ForTls() throws Exception {
        SbcConfig config = files.load(ConfigFiles.MINIMAL.replace("address: 127.0.0.1, port: 5060}",
                "address: 127.0.0.1}\n    - {name: tls, transport: tls, address: 127.0.0.1}"));
        assertThat(config.sip().listeners()).extracting(SipConfig.ListenerConfig::port).containsExactly(5060, 5061);
    }

    @Test
    void mediaSectionDefaultsBindToTheFirstListenersAddress() throws Exception {
        SbcConfig config = files.load(ConfigFiles.MINIMAL.replace("address: 127.0.0.1", "address: 203.0.113.5"));
        assertThat(config.media()).isEqualTo(new MediaSettings(true, "203.0.113.5", "203.0.113.5", 10_000, 20_000,
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofHours(2), 1));
    }

    @Test
    void securitySectionDefaults() {
        assertThat(minimal.security()).isEqualTo(new SecurityConfig("sbc.local", List.of(), Duration.ofMinutes(5),
                10, Duration.ofMinutes(10), Duration.ofHours(1), 4, Duration.ofDays(7), 100_000,
                dir.resolve("data").resolve("bans.tsv"), DOCUMENTED_SCANNERS, 50, 200, 20_000, 100_000,
                DOCUMENTED_REQUEST_BUDGETS, 1_000, 5_000, List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5)));
    }

    @Test
    void userDefaultsToEnabledFromAnywhere() throws Exception {
        SbcConfig config = files.load(ConfigFiles.MINIMAL + "security:\n  users:\n"
                + "    - {user: \"1002\", ha1-md5: 58f415c45c5f9e24de3e27a91cf1bdbc}\n");
        assertThat(config.security().users()).singleElement().satisfies(user -> {
            assertThat(user.enabled()).isTrue();
            assertThat(user.allowedSources()).isEmpty();
        });
    }

    @Test
    void registrationSectionDefaults() {
        assertThat(minimal.registration()).isEqualTo(DOCUMENTED_REGISTRATION);
    }

    @Test
    void fraudSectionDefaults() {
        FraudConfig fraud = minimal.fraud();
        assertThat(fraud.dialPlan()).isEqualTo(new DialPlan("49", "0", "00", Set.of("112", "110")));
        assertThat(fraud.prefixes()).isEmpty();
        assertThat(fraud.rates()).isEmpty();
        assertThat(fraud.defaultRate()).isZero();
        assertThat(fraud.defaults()).isEqualTo(new FraudRules(
                Set.of(DestinationClass.LOCAL, DestinationClass.NATIONAL, DestinationClass.MOBILE), 10, 30, 0, 0,
                Set.of(), Set.of(), EnumSet.allOf(DayOfWeek.class), LocalTime.MIDNIGHT, LocalTime.MIDNIGHT, Map.of(),
                null));
        assertThat(fraud.accounts()).isEmpty();
        assertThat(fraud.anomalies()).isEqualTo(DOCUMENTED_ANOMALIES);
        assertThat(fraud.webhook()).isNull();
        assertThat(fraud.webhookTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void fraudAccountTakesWhatItLeavesOutFromDefaultRules() throws Exception {
        SbcConfig config = files.load(ConfigFiles.MINIMAL + "fraud:\n  default-rules:\n    calls-per-minute: 7\n"
                + "  accounts:\n    - {account: sales, max-concurrent-calls: 3}\n");
        FraudRules sales = config.fraud().accounts().get("sales");
        assertThat(sales.maxConcurrentCalls()).isEqualTo(3);
        assertThat(sales.callsPerMinute()).isEqualTo(7);
        assertThat(sales.allowedClasses()).containsExactlyInAnyOrder(DestinationClass.LOCAL,
                DestinationClass.NATIONAL, DestinationClass.MOBILE);
    }

    @Test
    void zoneDefaults() {
        ZoneConfig carrier = minimal.zone("carrier");
        assertThat(carrier.peer()).isEqualTo(new ZoneConfig.PeerConfig("192.0.2.10", 5060, SipTransport.UDP));
        assertThat(carrier.srtp()).isEqualTo(SrtpPolicy.OFF);
        assertThat(carrier.office()).isFalse();
        assertThat(carrier.sessionTimers()).isEqualTo(new SessionTimerConfig(true, Duration.ofSeconds(1800),
                Duration.ofSeconds(90)));
        assertThat(carrier.keepalive()).isEqualTo(ZoneConfig.Keepalive.AFTER_LOSS);
    }

    @Test
    void stirShakenIsOffWithoutItsSection() {
        assertThat(minimal.stirShaken()).isEqualTo(StirShakenConfig.OFF);
    }

    @Test
    void stirShakenSectionDefaults() throws Exception {
        TestKeyFiles.pkcs8(dir.resolve("shaken-key.pem"), TestKeyFiles.ec("secp256r1").getPrivate());
        TestKeyFiles.certificate(dir.resolve("sti-ca.pem"));
        SbcConfig config = files.load(ConfigFiles.MINIMAL + """
                stir-shaken:
                  sign:
                    zones: [carrier]
                    private-key: shaken-key.pem
                    certificate-url: https://certs.example.net/sbc.pem
                  verify:
                    zones: {carrier: mark}
                    trust-anchors: sti-ca.pem
                """);
        assertThat(config.stirShaken()).isEqualTo(new StirShakenConfig(
                new StirShakenConfig.Signing(Set.of("carrier"), dir.resolve("shaken-key.pem"),
                        "https://certs.example.net/sbc.pem", List.of(), Map.of(), Map.of()),
                new StirShakenConfig.Verification(Map.of("carrier", StirShakenConfig.FailureAction.MARK),
                        dir.resolve("sti-ca.pem"), Duration.ofSeconds(60), Duration.ofSeconds(2), 1_000,
                        Duration.ofMinutes(1), Duration.ofHours(24), Duration.ofMinutes(5), Set.of())));
    }

    @Test
    void eachHalfOfStirShakenIsOptional() throws Exception {
        TestKeyFiles.certificate(dir.resolve("sti-ca.pem"));
        SbcConfig verifyOnly = files.load(ConfigFiles.MINIMAL
                + "stir-shaken:\n  verify: {zones: {carrier: pass}, trust-anchors: sti-ca.pem}\n");
        assertThat(verifyOnly.stirShaken().sign()).isNull();
        assertThat(verifyOnly.stirShaken().verify().zones())
                .isEqualTo(Map.of("carrier", StirShakenConfig.FailureAction.PASS));
    }

    @Test
    void shippedStirShakenExampleLoadsWhenUncommented() throws Exception {
        TestKeyFiles.pkcs8(dir.resolve("shaken-key.pem"), TestKeyFiles.ec("secp256r1").getPrivate());
        TestKeyFiles.certificate(dir.resolve("sti-ca.pem"));
        StringBuilder uncommented = new StringBuilder();
        boolean inSection = false;
        for (String line : Files.readAllLines(ConfigFiles.SHIPPED)) {
            inSection = line.equals("# stir-shaken:") || inSection && line.startsWith("#  ");
            uncommented.append(inSection ? line.substring(2) : line).append('\n');
        }
        SbcConfig config = files.load(uncommented.toString().replace("/etc/sbc/", dir + "/"));
        assertThat(config.stirShaken()).isEqualTo(new StirShakenConfig(
                new StirShakenConfig.Signing(Set.of("trunk"), dir.resolve("shaken-key.pem"),
                        "https://certs.example.net:8443/sbc.pem", List.of("1202555"), Map.of("1001", Attestation.A),
                        Map.of("1800", Attestation.B)),
                new StirShakenConfig.Verification(Map.of("trunk", StirShakenConfig.FailureAction.MARK),
                        dir.resolve("sti-ca.pem"), Duration.ofSeconds(60), Duration.ofSeconds(2), 1_000,
                        Duration.ofMinutes(1), Duration.ofHours(24), Duration.ofMinutes(5), Set.of())));
    }

    @Test
    void logsSectionDefaults() {
        assertThat(minimal.logs()).isEqualTo(new LogsConfig(
                new RollingFileConfig(100L << 20, 30, 5L << 30, true),
                new RollingFileConfig(100L << 20, 400, 20L << 30, true)));
        assertThat(minimal.logs()).isEqualTo(LogsConfig.DEFAULTS);
    }

    @Test
    void managementSectionDefaults() {
        assertThat(minimal.management()).isEqualTo(new ManagementConfig("127.0.0.1", 9090, null,
                new DrainConfig(Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofSeconds(60))));
    }

    @Test
    void shippedConfigurationLoadsWithTheValuesItShows() throws Exception {
        SbcConfig shipped = ConfigLoader.load(ConfigFiles.SHIPPED);
        assertThat(shipped.logs()).isEqualTo(LogsConfig.DEFAULTS);
        assertThat(shipped.dataDir()).isEqualTo(ConfigFiles.SHIPPED.toAbsolutePath().getParent().resolve("../data")
                .normalize());
        SipConfig sip = shipped.sip();
        assertThat(sip.advertisedHost()).isEqualTo("127.0.0.1");
        assertThat(sip.listeners()).containsExactly(
                new SipConfig.ListenerConfig("udp", SipTransport.UDP, "127.0.0.1", 5060),
                new SipConfig.ListenerConfig("tcp", SipTransport.TCP, "127.0.0.1", 5060),
                new SipConfig.ListenerConfig("tls", SipTransport.TLS, "127.0.0.1", 5061));
        // The lab's peers have self-signed certificates: the one value the shipped file sets against its default.
        assertThat(sip.tls()).isEqualTo(new SipConfig.TlsConfig(null, null, null, false, false));
        assertThat(sip.udpReceiveBufferBytes()).isEqualTo(4_194_304);
        assertThat(sip.gate()).isEqualTo(new TransportConfig.GateLimits(16_384, 1_024, 2_048, 64, 70));
        assertThat(sip.connections()).isEqualTo(new TransportConfig.ConnectionLimits(4_096, 32,
                Duration.ofMinutes(5), Duration.ofSeconds(5)));
        assertThat(sip.timers()).isEqualTo(new SipConfig.TimerConfig(Duration.ofMillis(500), Duration.ofSeconds(4),
                Duration.ofSeconds(5)));
        assertThat(List.of(sip.ioThreads(), sip.workerThreads(), sip.maxTransactions(), sip.maxDialogs()))
                .containsExactly(1, 2, 200_000, 100_000);
        assertThat(sip.maxCallDuration()).isEqualTo(Duration.ofHours(4));
        assertThat(shipped.media()).isEqualTo(new MediaSettings(true, "127.0.0.1", "127.0.0.1", 10_000, 20_000,
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofHours(2), 1, false, MediaIo.AUTO,
                OptionalInt.of(-10), MediaConfig.KERNEL_RECEIVE_BUFFER));
        assertThat(shipped.security().users()).singleElement().satisfies(user -> {
            assertThat(user.name()).isEqualTo("1001");
            assertThat(user.ha1()).isEqualTo(Map.of(DigestAlgorithm.MD5, "58f415c45c5f9e24de3e27a91cf1bdbc",
                    DigestAlgorithm.SHA_256, "7f55be2fac14fa685204f6aaa0574622d48816e0b381c331672a297003b7d42d"));
            assertThat(user.allowedSources()).containsExactly(Cidr.parse("127.0.0.0/25"));
        });
        assertThat(shipped.security()).isEqualTo(new SecurityConfig("sbc.local", shipped.security().users(),
                Duration.ofMinutes(5), 10, Duration.ofMinutes(10), Duration.ofHours(1), 4, Duration.ofDays(7),
                100_000, shipped.dataDir().resolve("bans.tsv"), DOCUMENTED_SCANNERS, 50, 200, 20_000, 100_000,
                DOCUMENTED_REQUEST_BUDGETS, 1_000, 5_000, List.of(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5)));
        assertThat(shipped.registration()).isEqualTo(DOCUMENTED_REGISTRATION);
        assertThat(shipped.fraud().dialPlan()).isEqualTo(new DialPlan("49", "0", "00", Set.of("112", "110")));
        assertThat(shipped.fraud().defaults().callsPerMinute()).isEqualTo(30);
        assertThat(shipped.fraud().accounts()).containsOnlyKeys("sipp");
        assertThat(shipped.fraud().accounts().get("sipp").maxConcurrentCalls()).isEqualTo(1000);
        assertThat(shipped.fraud().accounts().get("sipp").callsPerMinute()).isEqualTo(6000);
        assertThat(shipped.fraud().anomalies()).isEqualTo(DOCUMENTED_ANOMALIES);
        assertThat(shipped.zones()).extracting(ZoneConfig::keepalive).containsExactly(
                ZoneConfig.Keepalive.AFTER_LOSS, ZoneConfig.Keepalive.AFTER_LOSS,
                ZoneConfig.Keepalive.every(Duration.ofSeconds(30)));
        assertThat(shipped.zones()).usingRecursiveFieldByFieldElementComparatorIgnoringFields("keepalive")
                .containsExactly(
                new ZoneConfig("trunk", ZoneConfig.ZoneRole.TRUNK, List.of(Cidr.parse("127.0.0.2/32")),
                        new ZoneConfig.PeerConfig("127.0.0.2", 5060, SipTransport.UDP), SrtpPolicy.OFF),
                new ZoneConfig("pbx", ZoneConfig.ZoneRole.PBX, List.of(Cidr.parse("127.0.0.3/32")),
                        new ZoneConfig.PeerConfig("127.0.0.3", 5060, SipTransport.UDP), SrtpPolicy.OFF),
                new ZoneConfig("phones", ZoneConfig.ZoneRole.ACCESS, List.of(Cidr.parse("127.0.0.0/25")), null,
                        SrtpPolicy.OFF));
        assertThat(shipped.management()).isEqualTo(new ManagementConfig("127.0.0.1", 9090, null,
                new DrainConfig(Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofSeconds(60))));
        assertThat(shipped.stirShaken()).isEqualTo(StirShakenConfig.OFF);
    }
}
