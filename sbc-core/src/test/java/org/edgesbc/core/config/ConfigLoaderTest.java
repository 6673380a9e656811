package org.edgesbc.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.scan.ScannerFingerprint;
import org.edgesbc.policy.scan.ScannerFingerprints;
import org.edgesbc.policy.identity.Attestation;
import org.edgesbc.policy.interconnect.DirectionRules;
import org.edgesbc.policy.interconnect.NumberFormat;
import org.edgesbc.policy.identity.PassportSigner;
import org.edgesbc.policy.identity.PassportVerifier;
import org.edgesbc.policy.routing.RouteTable;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.tls.SelfSignedCertificateGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String MINIMAL = ConfigFiles.MINIMAL;

    @TempDir
    Path dir;

    private ConfigFiles files;

    @BeforeEach
    void useTemporaryFolder() {
        files = new ConfigFiles(dir);
    }

    @Test
    void digestAlgorithmsAreBoundInOrderAndValidated() throws IOException, ConfigException {
        SbcConfig md5First = files.load(MINIMAL + "security:\n  digest-algorithms: [md5, SHA-256]\n");
        assertThat(md5First.security().digestAlgorithms()).containsExactly(DigestAlgorithm.MD5,
                DigestAlgorithm.SHA_256);
        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "security:\n  digest-algorithms: [MD5, SHA-1, MD5]\n")).containsExactly(
                file + ":14: security.digest-algorithms = 'SHA-1': must be SHA-256 or MD5",
                file + ":14: security.digest-algorithms = 'MD5': is listed twice");
        assertThat(files.problems(MINIMAL + "security:\n  digest-algorithms: []\n")).containsExactly(
                file + ":14: security.digest-algorithms: needs at least one algorithm (SHA-256, MD5)");
    }

    @Test
    void withoutAClusterSectionTheSbcIsOneNode() throws Exception {
        assertThat(files.load(MINIMAL).cluster()).isEqualTo(ClusterConfig.OFF);
        assertThat(ClusterConfig.OFF.enabled()).isFalse();
    }

    @Test
    void aClusterSectionIsBoundWithDefaultsAndAPasswordFile() throws Exception {
        Files.writeString(dir.resolve("redis-password"), "s3cret\n");
        SbcConfig config = files.load(MINIMAL + "cluster:\n  node-id: sbc-a\n  redis:\n"
                + "    sentinels: [10.0.0.51:26379, '[2001:db8::5]:26379']\n    sentinel-master: sbc\n    tls: true\n"
                + "    password-file: redis-password\n  key-prefix: 'edge:'\n"
                + "  node-addresses: [10.0.0.11, '2001:db8::12']\n");
        ClusterConfig cluster = config.cluster();
        assertThat(cluster.enabled()).isTrue();
        assertThat(cluster.nodeId()).isEqualTo("sbc-a");
        assertThat(cluster.redis()).isNull();
        assertThat(cluster.sentinels()).extracting(java.net.InetSocketAddress::getHostString)
                .containsExactly("10.0.0.51", "2001:db8::5");
        assertThat(cluster.sentinelMaster()).isEqualTo("sbc");
        assertThat(cluster.tls()).isTrue();
        assertThat(cluster.passwordFile()).isEqualTo(dir.resolve("redis-password"));
        assertThat(cluster.keyPrefix()).isEqualTo("edge:");
        assertThat(cluster.heartbeatInterval()).isEqualTo(java.time.Duration.ofSeconds(1));
        assertThat(cluster.maxPendingUpdates()).isEqualTo(10_000);
        assertThat(cluster.nodeAddressTexts()).containsExactly("10.0.0.11", "2001:db8:0:0:0:0:0:12");
    }

    @Test
    void clusterMistakesNameTheKeyAndTheRule() throws IOException {
        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "cluster:\n  node-id: 'sbc a'\n  redis:\n    address: redis\n"
                + "    password-file: missing\n  heartbeat-interval: 2s\n  node-timeout: 3s\n")).containsExactly(
                file + ":14: cluster.node-id = 'sbc a': must be 1 to 64 letters, digits, '.', '_' or '-'",
                file + ":16: cluster.redis.address = 'redis': must be host:port with a port from 1 to 65535",
                file + ":17: cluster.redis.password-file = 'missing': must name a readable file ("
                        + dir.resolve("missing") + ")",
                file + ":19: cluster.node-timeout = '3s': must be at least twice cluster.heartbeat-interval (2s)");
        assertThat(files.problems(MINIMAL + "cluster:\n  node-id: sbc-a\n  redis: {address: 'h:1', "
                + "sentinels: ['h:2']}\n")).containsExactly(
                file + ":15: cluster.redis: takes address or sentinels, not both",
                file + ":15: cluster.redis.sentinel-master: is required with sentinels");
        assertThat(files.problems(MINIMAL + "cluster:\n  node-id: sbc-a\n  redis: {address: 'h:1'}\n"
                + "  node-addresses: [sbc2.example, 10.0.0.0/24, 10.0.0.11, 10.0.0.11]\n")).containsExactly(
                file + ":16: cluster.node-addresses = 'sbc2.example': '" + "sbc2.example' is not an IP address literal",
                file + ":16: cluster.node-addresses = '10.0.0.0/24': must be an address, not a network",
                file + ":16: cluster.node-addresses = '10.0.0.11': is listed twice");
        assertThat(files.problems(MINIMAL + "cluster:\n  redis: {}\n")).containsExactly(
                file + ":14: cluster.node-id: is required",
                file + ":14: cluster.redis: needs either address or sentinels");
    }

    @Test
    void aRedisCaFileIsBoundWithTlsAndAFileWithoutACertificateOrWithoutTlsStopsTheLoad() throws Exception {
        SelfSignedCertificateGenerator.generate(dir.resolve("redis-ca.pem"), dir.resolve("redis-ca-key.pem"),
                List.of("redis.example"));
        String section = MINIMAL + "cluster:\n  node-id: sbc-a\n  redis: {address: 'redis.example:6380', tls: %s, "
                + "ca-file: %s}\n";
        assertThat(files.load(section.formatted("true", "redis-ca.pem")).cluster().caFile())
                .isEqualTo(dir.resolve("redis-ca.pem"));
        assertThat(files.load(section.formatted("true", "redis-ca.pem").replace(", ca-file: redis-ca.pem", ""))
                .cluster().caFile()).as("without the key: the JDK's trust store").isNull();

        String file = files.file().toString();
        assertThat(files.problems(section.formatted("true", "missing.pem"))).containsExactly(
                file + ":15: cluster.redis.ca-file = 'missing.pem': must name a readable file ("
                        + dir.resolve("missing.pem") + ")");
        assertThat(files.problems(section.formatted("true", "redis-ca-key.pem"))).containsExactly(
                file + ":15: cluster.redis.ca-file = 'redis-ca-key.pem': " + dir.resolve("redis-ca-key.pem")
                        + ": no PEM certificate found");
        Files.writeString(dir.resolve("broken.pem"), "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n"
                + "-----END CERTIFICATE-----\n");
        assertThat(files.problems(section.formatted("true", "broken.pem"))).singleElement().asString()
                .startsWith(file + ":15: cluster.redis.ca-file = 'broken.pem': " + dir.resolve("broken.pem")
                        + ": not valid PEM (");
        assertThat(files.problems(section.formatted("false", "redis-ca.pem"))).containsExactly(
                file + ":15: cluster.redis.ca-file = 'redis-ca.pem': only applies with cluster.redis.tls: true");
    }

    @Test
    void digestAlgorithmsPerAccountAndPerAccessZoneAreBoundAndValidated() throws IOException, ConfigException {
        String md5 = "0".repeat(32);
        String phones = "  - name: phones\n    role: access\n    networks: [203.0.113.0/24]\n"
                + "    digest-algorithms: [MD5]\n";
        SbcConfig config = files.load(MINIMAL + phones + "security:\n  users:\n    - user: \"2001\"\n"
                + "      ha1-md5: " + md5 + "\n      digest-algorithms: [MD5]\n");
        assertThat(config.security().users().get(0).algorithms()).containsExactly(DigestAlgorithm.MD5);
        assertThat(config.zones().get(2).digestAlgorithms()).containsExactly(DigestAlgorithm.MD5);
        assertThat(config.zones().get(0).digestAlgorithms()).as("absent: the SBC's list").isEmpty();
        assertThat(config.security().digestAlgorithms()).as("SHA-256 stays the default for the rest")
                .containsExactly(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);

        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "security:\n  users:\n    - user: \"2001\"\n      ha1-md5: " + md5
                + "\n      digest-algorithms: [SHA-256]\n")).containsExactly(file + ":17: "
                + "security.users[0].digest-algorithms = 'SHA-256': needs the account's ha1-sha256 (make it with: "
                + "sbc hash-password)");
        assertThat(files.problems(MINIMAL.replace("    peer: {host: 192.0.2.10}\n",
                "    peer: {host: 192.0.2.10}\n    digest-algorithms: [MD5]\n"))).containsExactly(file + ":9: "
                + "zones[0].digest-algorithms: only an access zone authenticates its phones");
        assertThat(files.problems(MINIMAL + phones.replace("[MD5]", "[MD4]"))).containsExactly(
                file + ":16: zones[2].digest-algorithms = 'MD4': must be SHA-256 or MD5");
    }

    @Test
    void theExtensionSweepThresholdAndWindowAreReadAndCheckedAndZeroTurnsTheCheckOff()
            throws IOException, ConfigException {
        assertThat(files.load(MINIMAL).security().extensionSweep()).isEqualTo(SecurityConfig.ExtensionSweep.DEFAULT);
        SecurityConfig.ExtensionSweep set = files.load(MINIMAL + "security:\n  extension-sweep:\n    threshold: 50\n"
                + "    window: 5m\n").security().extensionSweep();
        assertThat(set).isEqualTo(new SecurityConfig.ExtensionSweep(50, java.time.Duration.ofMinutes(5)));
        assertThat(files.load(MINIMAL + "security:\n  extension-sweep:\n    threshold: 0\n").security()
                .extensionSweep().enabled()).isFalse();

        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "security:\n  extension-sweep:\n    threshold: 1\n"))
                .containsExactly(file + ":15: security.extension-sweep.threshold = '1': must be 0 (no sweep "
                        + "detection) or at least 2");
        assertThat(files.problems(MINIMAL + "security:\n  extension-sweep:\n    threshold: 1001\n")).singleElement()
                .asString().startsWith(file + ":15: security.extension-sweep.threshold = '1001'");
        assertThat(files.problems(MINIMAL + "security:\n  extension-sweep:\n    window: 0s\n")).singleElement()
                .asString().startsWith(file + ":15: security.extension-sweep.window = '0s'");
        assertThat(files.problems(MINIMAL + "security:\n  extension-sweep:\n    limit: 3\n")).singleElement()
                .asString().contains("security.extension-sweep.limit");
    }

    @Test
    void scannerFingerprintsAreAddedToTheShippedOnesOrReplaceThem() throws IOException, ConfigException {
        String own = "    fingerprints:\n      - {header: user-agent, contains: Evil-Dialer, tool: our logs}\n"
                + "      - {header: from, contains: \"sip:999@\"}\n";
        SbcConfig added = files.load(MINIMAL + "security:\n  scanner-fingerprints:\n" + own);
        List<ScannerFingerprint> shipped = ScannerFingerprints.shipped().list();
        assertThat(added.security().scannerFingerprints().list()).hasSize(shipped.size() + 2)
                .startsWith(shipped.toArray(ScannerFingerprint[]::new))
                .endsWith(new ScannerFingerprint(ScannerFingerprint.Header.USER_AGENT, "evil-dialer", "our logs"),
                        new ScannerFingerprint(ScannerFingerprint.Header.FROM, "sip:999@", "operator's list"));
        SbcConfig replaced = files.load(MINIMAL + "security:\n  scanner-fingerprints:\n    shipped: false\n" + own);
        assertThat(replaced.security().scannerFingerprints().list()).hasSize(2);

        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "security:\n  scanner-fingerprints:\n    shipped: false\n"))
                .containsExactly(file + ":15: security.scanner-fingerprints.shipped = 'false': replaces the shipped "
                        + "list with nothing: list fingerprints, or keep the shipped ones");
        assertThat(files.problems(MINIMAL + "security:\n  scanner-fingerprints:\n    fingerprints:\n"
                + "      - {header: server, contains: x}\n")).containsExactly(file + ":16: "
                + "security.scanner-fingerprints.fingerprints[0].header = 'server': must be one of user-agent, from, "
                + "to, contact, via, call-id");
    }

    @Test
    void logsSectionIsBoundWithSizesInBinaryUnits() throws Exception {
        SbcConfig config = files.load(MINIMAL + "logs:\n  security-events:\n    max-file-size: 512KB\n"
                + "    max-history: 0\n    total-size-cap: 0\n    compress: false\n  cdr:\n    max-history: 3650\n"
                + "    total-size-cap: 1GB\n");
        assertThat(config.logs()).isEqualTo(new LogsConfig(new RollingFileConfig(512 * 1024, 0, 0, false),
                new RollingFileConfig(100L << 20, 3650, 1L << 30, true)));
    }

    @Test
    void logsValuesAreValidatedWithTheirLines() throws IOException {
        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "logs:\n  security-events:\n    max-file-size: 10\n"
                + "    max-history: -1\n    compres: true\n  cdr:\n    max-file-size: 1KB\n"
                + "    total-size-cap: 50MB\n")).containsExactly(
                file + ":17: logs.security-events.compres: unknown key; did you mean 'compress'?",
                file + ":15: logs.security-events.max-file-size = '10': must be a size with a unit: 512KB, 100MB or "
                        + "2GB",
                file + ":16: logs.security-events.max-history = '-1': must be between 0 and 36500",
                file + ":19: logs.cdr.max-file-size = '1KB': must be between 65536 and 107374182400 bytes",
                file + ":20: logs.cdr.total-size-cap = '50MB': must be 0 (no cap) or at least max-file-size "
                        + "(104857600 bytes)");
        assertThat(files.problems(MINIMAL + "logs:\n  access-log: {}\n")).containsExactly(
                file + ":14: logs.access-log: unknown key; allowed here: cdr, security-events");
    }

    @Test
    void aDataDirGivenToTheLoaderReplacesTheFilesAndMovesTheStateFilesWithIt() throws Exception {
        Path elsewhere = dir.resolve("var").resolve("lib").resolve("sbc");
        SbcConfig config = ConfigLoader.load(files.write("data-dir: ../data\n" + MINIMAL), elsewhere);
        assertThat(config.dataDir()).isEqualTo(elsewhere);
        assertThat(config.security().banStateFile()).isEqualTo(elsewhere.resolve("bans.tsv"));
        assertThat(ConfigLoader.load(files.file()).dataDir()).isEqualTo(dir.resolveSibling("data"));
    }

    @Test
    void registrationSectionIsBound() throws Exception {
        SbcConfig config = files.load(MINIMAL + "registration:\n  udp-expires: 45s\n"
                + "  stream-expires: 1h\n  min-expires: 20s\n  expires-jitter: 0\n  pbx-expires: 2h\n"
                + "  keepalive-interval: 90s\n  max-bindings: 5_000\n  max-contacts-per-aor: 3\n");
        assertThat(config.registration()).isEqualTo(new RegistrationConfig(Duration.ofSeconds(45),
                Duration.ofHours(1), Duration.ofSeconds(20), 0, Duration.ofHours(2), Duration.ofSeconds(90), 5_000,
                3));
        SbcConfig partial = files.load(MINIMAL + "registration:\n  max-contacts-per-aor: 1\n");
        assertThat(partial.registration()).isEqualTo(new RegistrationConfig(Duration.ofSeconds(60),
                Duration.ofMinutes(10), Duration.ofSeconds(30), 20, Duration.ofHours(1), Duration.ofMinutes(2),
                100_000, 1));
    }

    @Test
    void registrationValuesAreValidatedWithTheirLines() throws IOException {
        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "registration:\n  expires-jitter: 80\n  pbx-expires: 30s\n"
                + "  max-bindings: lots\n")).containsExactly(
                file + ":14: registration.expires-jitter = '80': must be between 0 and 50",
                file + ":15: registration.pbx-expires = '30s': must be between 1m and 1d",
                file + ":16: registration.max-bindings = 'lots': must be a whole number");
        assertThat(files.problems(MINIMAL + "registration:\n  udp-expires: 20s\n  min-expires: 40s\n")).containsExactly(
                file + ":15: registration.min-expires = '40s': must not exceed udp-expires (20s) nor stream-expires "
                        + "(10m)");
        assertThat(files.problems(MINIMAL + "registration:\n  stream-expires: 15s\n"))
                .containsExactly(file + ":14: registration.min-expires = '30s': must not exceed udp-expires (1m) "
                        + "nor stream-expires (15s)");
    }

    @Test
    void unknownRegistrationKeyIsAnErrorWithASuggestion() throws IOException {
        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "registration:\n  udp-expire: 60s\n")).containsExactly(
                file + ":14: registration.udp-expire: unknown key; did you mean 'udp-expires'?");
        assertThat(files.problems(MINIMAL + "registraton:\n  udp-expires: 60s\n")).containsExactly(
                file + ":13: registraton: unknown key; did you mean 'registration'?");
    }

    @Test
    void unknownKeyIsAnErrorWithASuggestionAndItsLine() throws IOException {
        List<String> problems = files.problems(MINIMAL.replace("  listeners:", "  listners: []\n  listeners:"));
        assertThat(problems).anySatisfy(p -> assertThat(p)
                .startsWith(files.file() + ":2: sip.listners: unknown key; did you mean 'listeners'?"));
    }

    @Test
    void everyProblemIsReportedAtOnceWithFileLineKeyValueAndRule() throws IOException {
        List<String> problems = files.problems(MINIMAL
                .replace("networks: [192.0.2.0/24]", "networks: [192.0.2.1/24]")
                .replace("port: 5080", "port: 70000")
                .replace("transport: udp,", "transport: sctp,"));
        String file = files.file().toString();
        assertThat(problems).contains(
                file + ":3: sip.listeners[0].transport = 'sctp': must be one of udp, tcp, tls",
                file + ":7: zones[0].networks[0] = '192.0.2.1/24': host bits are set in 192.0.2.1/24 for a /24 network",
                file + ":12: zones[1].peer.port = '70000': must be between 1 and 65535");
    }

    @Test
    void wholeConfigurationRulesAreChecked() throws IOException {
        assertThat(files.problems(MINIMAL.replace("role: pbx", "role: trunk")))
                .anyMatch(p -> p.contains("needs at least one zone with role pbx, found 0"));
        assertThat(files.problems(MINIMAL.replace("peer: {host: 192.0.2.10}", "peer: {host: 203.0.113.1}")))
                .anyMatch(p -> p.contains("zones.carrier.peer.host = '203.0.113.1': lies outside the zone's own"));
        assertThat(files.problems(MINIMAL.replace("198.51.100.7/32", "192.0.2.0/24")))
                .anyMatch(p -> p.contains("already belongs to zone 'carrier'"));
        assertThat(files.problems(MINIMAL.replace("peer: {host: 192.0.2.10}",
                "peer: {host: 192.0.2.10, transport: tls}")))
                .anyMatch(p -> p.contains("no listener of this transport"));
    }

    @Test
    void valuesAreNeverClamped() throws IOException {
        assertThat(files.problems(MINIMAL + "  \nmanagement: {token: tooshort}\n"))
                .anyMatch(p -> p.contains("management.token") && p.contains("at least 16 characters"));
        assertThat(files.problems(MINIMAL.replace("sip:\n", "sip:\n  timers: {t1: 10s}\n")))
                .anyMatch(p -> p.contains("sip.timers.t1 = '10s': must be between 50ms and 5s"));
        assertThat(files.problems(MINIMAL.replace("sip:\n", "sip:\n  max-call-duration: 3 hours\n")))
                .anyMatch(p -> p.contains("must be a duration with a unit"));
        assertThat(files.problems(MINIMAL.replace("address: 127.0.0.1", "address: localhost")))
                .anyMatch(p -> p.contains("sip.listeners[0].address = 'localhost': 'localhost' is not an IP address"));
    }

    @Test
    void tlsCertificateAndKeyGoTogether() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), "x");
        assertThat(files.problems(MINIMAL.replace("sip:\n", "sip:\n  tls: {certificate: cert.pem}\n")))
                .anyMatch(p -> p.contains("certificate and private-key go together"));
        assertThat(files.problems(MINIMAL.replace("sip:\n",
                "sip:\n  tls: {certificate: cert.pem, private-key: nope.pem}\n")))
                .anyMatch(p -> p.contains("sip.tls.private-key = 'nope.pem': no readable file"));
    }

    @Test
    void aZonesClientCertificateIsBoundAndItsKeyMustBeTheCertificates() throws Exception {
        SelfSignedCertificateGenerator.generate(dir.resolve("carrier-cert.pem"), dir.resolve("carrier-key.pem"),
                List.of("sbc.example"));
        SelfSignedCertificateGenerator.generate(dir.resolve("other-cert.pem"), dir.resolve("other-key.pem"),
                List.of("other.example"));
        String zoneTls = "peer: {host: 192.0.2.10}\n    tls: {certificate: %s, private-key: %s}\n";
        SbcConfig config = files.load(MINIMAL.replace("peer: {host: 192.0.2.10}\n",
                zoneTls.formatted("carrier-cert.pem", "carrier-key.pem")));
        assertThat(config.zones().get(0).tls()).isEqualTo(new ZoneConfig.ClientTls(dir.resolve("carrier-cert.pem"),
                dir.resolve("carrier-key.pem")));
        assertThat(config.zones().get(1).tls()).as("other zones present the SBC's certificate").isNull();

        String file = files.file().toString();
        assertThat(files.problems(MINIMAL.replace("peer: {host: 192.0.2.10}\n",
                zoneTls.formatted("carrier-cert.pem", "other-key.pem")))).containsExactly(
                file + ":9: zones[0].tls.private-key = 'other-key.pem': is not the private key of "
                        + dir.resolve("carrier-cert.pem") + " (O=Edge SBC, CN=sbc.example)");
        assertThat(files.problems(MINIMAL.replace("peer: {host: 192.0.2.10}\n",
                zoneTls.formatted("carrier-key.pem", "carrier-key.pem")))).containsExactly(
                file + ":9: zones[0].tls.certificate = 'carrier-key.pem': " + dir.resolve("carrier-key.pem")
                        + ": no PEM certificate found");
        assertThat(files.problems(MINIMAL.replace("peer: {host: 192.0.2.10}\n",
                zoneTls.formatted("carrier-cert.pem", "carrier-cert.pem")))).containsExactly(
                file + ":9: zones[0].tls.private-key = 'carrier-cert.pem': " + dir.resolve("carrier-cert.pem")
                        + ": no unencrypted PEM private key found");
        assertThat(files.problems(MINIMAL.replace("peer: {host: 192.0.2.10}\n",
                zoneTls.formatted("missing.pem", "carrier-key.pem")))).containsExactly(
                file + ":9: zones[0].tls.certificate = 'missing.pem': no readable file at " + dir.resolve("missing.pem"));
        assertThat(files.problems(MINIMAL.replace("peer: {host: 192.0.2.10}\n",
                "peer: {host: 192.0.2.10}\n    tls: {certificate: carrier-cert.pem}\n")))
                .containsExactly(file + ":9: zones[0].tls.private-key: is required");
        assertThat(files.problems(MINIMAL + "  - name: phones\n    role: access\n    networks: [10.0.0.0/8]\n"
                + "    tls: {certificate: carrier-cert.pem, private-key: carrier-key.pem}\n"))
                .contains(file + ":16: zones[2].tls: an access zone has no peer the SBC connects to");
    }

    @Test
    void fraudRulesAndPrefixFilesAreValidatedWithTheirLines() throws Exception {
        Files.writeString(dir.resolve("extra.tsv"), "# ranges\n4412 premium\nabc mobile\n");
        List<String> problems = files.problems(MINIMAL + "fraud:\n  prefix-files: [extra.tsv]\n  default-rules:\n"
                + "    hours: 25:00-26:00\n    days: [mon, someday]\n    blocked-prefixes: [\"44x\"]\n");
        assertThat(problems).anyMatch(p -> p.contains("extra.tsv:3: prefix 'abc' must be digits"))
                .anyMatch(p -> p.contains("fraud.default-rules.hours = '25:00-26:00'"))
                .anyMatch(p -> p.contains("'someday': must be a day"))
                .anyMatch(p -> p.contains("fraud.default-rules.blocked-prefixes = '44x'"));
        SbcConfig ok = files.load(MINIMAL + "fraud:\n  default-rules:\n    hours: 08:00-18:00\n"
                + "    days: [mon, tue]\n    daily-spend-cap: 12.5\n");
        assertThat(ok.fraud().defaults().dailySpendCap()).isEqualTo(12_500_000);
        assertThat(ok.fraud().defaults().days()).hasSize(2);
    }

    @Test
    void unreadableOrBrokenYamlIsReportedNotThrown() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read configuration");
        assertThatThrownBy(() -> files.load("sip: [unclosed"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sbc.yaml");
    }

    @Test
    void yamlSyntaxErrorsAndRepeatedKeysNameTheirLine() throws IOException {
        String file = files.file().toString();
        assertThat(files.problems("sip:\n  listeners: [unclosed\n")).singleElement()
                .satisfies(p -> assertThat(p).startsWith(file + ":3: not valid YAML: ").doesNotContain("\n"));
        assertThat(files.problems(MINIMAL.replace("sip:\n", "sip:\n  io-threads: 1\n  io-threads: 2\n")))
                .containsExactly(file + ":3: sip.io-threads: appears twice in the same mapping (first on line 2)");
    }

    @Test
    void listenersNeedUniqueNamesAndSockets() throws Exception {
        String listeners = "    - {name: udp, transport: udp, address: 127.0.0.1, port: 5060}\n";
        String file = files.file().toString();
        assertThat(files.problems(MINIMAL.replace(listeners, listeners
                + "    - {name: udp, transport: tcp, address: 127.0.0.1, port: 5060}\n"
                + "    - {name: again, transport: udp, address: 127.0.0.1, port: 5060}\n")))
                .contains(file + ":2: sip.listeners = 'udp': two listeners share this name",
                        file + ":2: sip.listeners = 'UDP 127.0.0.1:5060': two listeners bind the same transport, "
                                + "address and port");
        SbcConfig ephemeral = files.load(MINIMAL.replace("port: 5060}", "port: 0}\n"
                + "    - {name: udp2, transport: udp, address: 127.0.0.1, port: 0}"));
        assertThat(ephemeral.sip().listeners()).extracting(SipConfig.ListenerConfig::port).containsExactly(0, 0);
    }

    @Test
    void portZeroIsForListenersOnly() throws IOException {
        assertThat(files.problems(MINIMAL.replace("port: 5080", "port: 0")))
                .anyMatch(p -> p.endsWith(":12: zones[1].peer.port = '0': must be between 1 and 65535"));
    }

    @Test
    void zonesNeedUniqueNamesAndAPeer() throws IOException {
        assertThat(files.problems(MINIMAL.replace("name: office-pbx", "name: carrier")))
                .anyMatch(p -> p.endsWith(":4: zones = 'carrier': two zones share this name"));
        assertThat(files.problems(MINIMAL.replace("    peer: {host: 198.51.100.7, port: 5080}\n", "")))
                .anyMatch(p -> p.endsWith(":9: zones[1].peer: is required: where requests toward this zone are sent (or "
                        + "peers: a list)"));
    }

    @Test
    void relativePathsResolveAgainstTheConfigurationFolder() throws Exception {
        Files.writeString(dir.resolve("cert.pem"), "chain");
        Files.writeString(dir.resolve("key.pem"), "key");
        SbcConfig config = files.load(MINIMAL.replace("sip:\n",
                "data-dir: state/sbc\nsip:\n  tls: {certificate: cert.pem, private-key: ./key.pem}\n"));
        assertThat(config.dataDir()).isEqualTo(dir.resolve("state/sbc"));
        assertThat(config.sip().tls().certificate()).isEqualTo(dir.resolve("cert.pem"));
        assertThat(config.sip().tls().privateKey()).isEqualTo(dir.resolve("key.pem"));
    }

    @Test
    void sipSectionIsRequiredAndItsValuesNameTheirLines() throws IOException {
        String file = files.file().toString();
        assertThat(files.problems("zones: []\n")).contains(file + ":1: sip: is required (at least sip.listeners)");
        assertThat(files.problems(MINIMAL.replace("sip:\n", "sip:\n  timers: {t1: 2s, t2: 100ms}\n"
                + "  gate: {max-vias: 0, max-header: 1}\n"))).containsExactly(
                file + ":3: sip.gate.max-header: unknown key; did you mean 'max-headers'?",
                file + ":3: sip.gate.max-vias = '0': must be between 1 and 70",
                file + ":2: sip.timers.t2 = '100ms': must be between 500ms and 1m");
        assertThat(files.problems(MINIMAL.replace("sip:\n", "sip:\n  timers: {t1: 4s, t2: 2s}\n")))
                .containsExactly(file + ":2: sip.timers.t2 = '2s': must not be shorter than t1 (4s)");
        assertThat(files.problems(MINIMAL.replace("sip:\n", "sip:\n  advertised-host: 10.0.0.0/8\n")))
                .containsExactly(file + ":2: sip.advertised-host = '10.0.0.0/8': must be an address, not a network");
    }

    @Test
    void mediaValuesNameTheirLines() throws IOException {
        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "media:\n  port-min: 20000\n  port-max: 20002\n  enabled: yes\n"
                + "  threads: 0\n")).containsExactly(
                file + ":14: media.port-max = '20002': must leave room for at least two RTP/RTCP pairs above "
                        + "port-min 20000",
                file + ":16: media.enabled = 'yes': must be true or false",
                file + ":17: media.threads = '0': must be between 1 and 64");
    }

    @Test
    void securityUsersAndBudgetsNameTheirLines() throws IOException {
        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "security:\n  users:\n    - {user: a, ha1-md5: secret}\n"
                + "    - {user: a, ha1-sha256: 7f55be2fac14fa685204f6aaa0574622d48816e0b381c331672a297003b7d42d}\n"
                + "  rate-limits:\n    requests-per-second: {invite: 0, bye: 1}\n")).containsExactly(
                file + ":15: security.users[0].ha1-md5 = 'secret': must be 32 hex digits (an HA1 hash, not a "
                        + "password; make it with: sbc hash-password)",
                file + ":15: security.users[0] = 'a': needs ha1-md5 or ha1-sha256 (make them with: sbc "
                        + "hash-password)",
                file + ":16: security.users[1].user = 'a': two users share this name",
                file + ":18: security.rate-limits.requests-per-second.bye: unknown key; allowed here: invite, "
                        + "options, other, register",
                file + ":18: security.rate-limits.requests-per-second.invite = '0': must be between 1 and 100000");
    }

    @Test
    void fraudValuesNameTheirLines() throws IOException {
        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + "fraud:\n  country-code: \"1234\"\n  rates: {\"44\": -1, x: 2}\n"
                + "  anomalies: {spike: panic}\n  webhook: ftp://example.com/\n  accounts:\n"
                + "    - {account: sales, class-caps: {moon: 1}}\n    - {account: sales}\n")).containsExactly(
                file + ":14: fraud.country-code = '1234': must be 1 to 3 digits",
                file + ":19: fraud.accounts[0].class-caps.moon = 'moon': not a destination class",
                file + ":20: fraud.accounts[1].account = 'sales': two entries for the same account",
                file + ":15: fraud.rates.44 = '-1': must be an amount such as 0.05 or 250 (at most 6 decimals)",
                file + ":15: fraud.rates.x = 'x': a rate prefix is E.164 digits",
                file + ":16: fraud.anomalies.spike = 'panic': must be one of alert, throttle, block, hold",
                file + ":17: fraud.webhook = 'ftp://example.com/': must be an http or https URL");
    }

    @Test
    void zoneRulesNameTheirLines() throws IOException {
        String file = files.file().toString();
        String phones = "  - {name: phones, role: access, networks: [203.0.113.0/24], peer: {host: 203.0.113.9}}\n";
        assertThat(files.problems(MINIMAL + phones)).containsExactly(
                file + ":13: zones[2].peer: an access zone has no peer: its phones come to the SBC");
        assertThat(files.problems(MINIMAL.replace("role: trunk", "role: trunk\n    office: true")))
                .containsExactly(file + ":5: zones[0].office = 'true': only an access zone can be an office");
        assertThat(files.problems(MINIMAL.replace("role: trunk", "role: trunk\n    redirects: follow")))
                .containsExactly(file + ":7: zones[0].redirects = 'follow': must be one of recurse, relay");
    }

    @Test
    void redirectsDefaultToRecurseAndCanBeRelayedPerZone() throws Exception {
        SbcConfig config = files.load(MINIMAL.replace("role: pbx", "role: pbx\n    redirects: relay"));
        assertThat(config.zones()).extracting(ZoneConfig::redirects)
                .containsExactly(ZoneConfig.RedirectMode.RECURSE, ZoneConfig.RedirectMode.RELAY);
    }

    @Test
    void peerAccountsAreBoundWithTheirSecretsHidden() throws Exception {
        String withAccounts = MINIMAL.replace("peer: {host: 192.0.2.10}\n", "peer: {host: 192.0.2.10}\n"
                + "    account:\n      user: \"441632960000\"\n      auth-user: acme-sbc\n"
                + "      password: \"s3cret pass\"\n      register: true\n      register-expires: 5m\n")
                .replace("peer: {host: 198.51.100.7, port: 5080}\n", "peer: {host: 198.51.100.7, port: 5080}\n"
                + "    account: {user: sbc, realm: pbx.example, ha1-md5: 0123456789abcdef0123456789ABCDEF}\n");
        SbcConfig config = files.load(withAccounts);
        ZoneConfig.PeerAccount trunk = config.zones().get(0).account();
        assertThat(trunk.user()).isEqualTo("441632960000");
        assertThat(trunk.credentials().username()).isEqualTo("acme-sbc");
        assertThat(trunk.credentials().password()).isEqualTo("s3cret pass");
        assertThat(trunk.registerExpires()).isEqualTo(Duration.ofMinutes(5));
        assertThat(trunk.toString()).doesNotContain("s3cret");
        ZoneConfig.PeerAccount pbx = config.zones().get(1).account();
        assertThat(pbx.credentials().username()).isEqualTo("sbc");
        assertThat(pbx.credentials().ha1()).containsEntry(DigestAlgorithm.MD5, "0123456789abcdef0123456789abcdef");
        assertThat(pbx.registerExpires()).isNull();
        assertThat(pbx.toString()).doesNotContain("0123456789abcdef");
    }

    @Test
    void peerAccountRulesNameTheirLinesAndNeverShowASecret() throws IOException {
        String file = files.file().toString();
        String trunk = "peer: {host: 192.0.2.10}\n";
        assertThat(files.problems(MINIMAL.replace(trunk, trunk
                + "    account: {user: sbc, password: hunter2-secret, ha1-md5: 0123456789abcdef0123456789abcdef}\n")))
                .containsExactly(file + ":9: zones[0].account: needs a password or ha1-md5/ha1-sha256 (not both)");
        assertThat(files.problems(MINIMAL.replace(trunk, trunk
                + "    account: {user: sbc, ha1-sha256: 0123456789abcdef0123456789abcdef}\n")))
                .containsExactly(file + ":9: zones[0].account.ha1-sha256 = '0123456789abcdef0123456789abcdef': must be "
                        + "64 hex digits (an HA1 hash, not a password; make it with: sbc hash-password)",
                        file + ":9: zones[0].account.realm: is required with ha1-md5/ha1-sha256: an HA1 hash holds for "
                        + "one realm");
        assertThat(files.problems(MINIMAL.replace(trunk, trunk
                + "    account: {user: \"a b\", password: hunter2-secret, register-expires: 1s, realm: 'x\"y'}\n")))
                .containsExactly(
                        file + ":9: zones[0].account.user = 'a b': must be a SIP user part (letters, digits and "
                                + "-_.!~*'()&=+$,;?/%)",
                        file + ":9: zones[0].account.realm = 'x\"y': must be a realm as the peer's challenges name it "
                                + "(no quotes)",
                        file + ":9: zones[0].account.register-expires = '1s': must be between 10s and 1d");
        String pbx = "peer: {host: 198.51.100.7, port: 5080}\n";
        assertThat(files.problems(MINIMAL.replace(pbx, pbx
                + "    account: {user: sbc, password: hunter2-secret, register: true}\n")))
                .containsExactly(file + ":13: zones[1].account.register = 'true': only the SBC's account at a trunk "
                        + "registers (phones register at the PBX through the SBC)");
        String phones = "  - {name: phones, role: access, networks: [203.0.113.0/24],"
                + " account: {user: x, password: y}}\n";
        assertThat(files.problems(MINIMAL + phones)).containsExactly(
                file + ":13: zones[2].account: an access zone has no peer to hold an account at");
    }

    @Test
    void numberAndHeaderRulesAreBound() throws Exception {
        SbcConfig config = files.load(MINIMAL.replace("peer: {host: 192.0.2.10}\n", "peer: {host: 192.0.2.10}\n"
                + "    number-plan: {country-code: \"44\", national-prefix: \"0\"}\n"
                + "    outbound:\n      calling-number: e164\n      called-number: e164\n"
                + "      p-asserted-identity: from\n      diversion: strip\n      from-host: sbc.carrier.example\n"
                + "      privacy: honour\n      add-headers: {X-Account: acme-42}\n"
                + "      remove-headers: [X-Cost-Centre]\n"
                + "    inbound: {called-number: national}\n"));
        ZoneConfig.Rules rules = config.zones().get(0).rules();
        assertThat(rules.numberPlan()).isEqualTo(new DialPlan("44", "0", "00", Set.of()));
        assertThat(rules.outbound()).isEqualTo(new DirectionRules(NumberFormat.E164, NumberFormat.E164,
                DirectionRules.AssertedIdentity.FROM, true, "sbc.carrier.example", true, Map.of("X-Account", "acme-42"),
                List.of("X-Cost-Centre")));
        assertThat(rules.inbound().calledNumber()).isEqualTo(NumberFormat.NATIONAL);
        assertThat(rules.inbound().callingNumber()).isEqualTo(NumberFormat.AS_DIALLED);
        assertThat(config.zones().get(1).rules()).isEqualTo(ZoneConfig.Rules.NONE);
    }

    @Test
    void numberAndHeaderRulesNameTheirLines() throws IOException {
        String file = files.file().toString();
        String trunk = "peer: {host: 192.0.2.10}\n";
        assertThat(files.problems(MINIMAL.replace(trunk, trunk
                + "    number-plan: {national-prefix: \"0\"}\n"
                + "    outbound: {calling-number: international, p-asserted-identity: set, privacy: on,\n"
                + "      from-host: \"bad host\", add-headers: {Via: x, \"X-Bad Name\": y, Expires: soon},\n"
                + "      remove-headers: [Call-ID, Privacy]}\n")))
                .containsExactlyInAnyOrder(
                        file + ":9: zones[0].number-plan.country-code: is required",
                        file + ":10: zones[0].outbound.calling-number = 'international': must be one of as-dialled, "
                                + "e164, national",
                        file + ":10: zones[0].outbound.p-asserted-identity = 'set': must be one of keep, strip, from",
                        file + ":10: zones[0].outbound.privacy = 'on': must be one of pass, honour",
                        file + ":11: zones[0].outbound.from-host = 'bad host': must be a host name or an IP address",
                        file + ":11: zones[0].outbound.add-headers.Via = 'Via': is a header the SBC writes itself or "
                                + "has a rule of its own for",
                        file + ":11: zones[0].outbound.add-headers.X-Bad Name = 'X-Bad Name': must be a header name "
                                + "(a SIP token)",
                        file + ":11: zones[0].outbound.add-headers.Expires = 'soon': is not a valid value of this "
                                + "header",
                        file + ":12: zones[0].outbound.remove-headers[0] = 'Call-ID': is a header the SBC writes "
                                + "itself or has a rule of its own for",
                        file + ":12: zones[0].outbound.remove-headers[1] = 'Privacy': is a header the SBC writes "
                                + "itself or has a rule of its own for");
    }

    @Test
    void sessionTimersAreBoundAndValidatedWithTheirLines() throws Exception {
        String file = files.file().toString();
        SbcConfig bound = files.load(MINIMAL.replace("role: trunk", "role: trunk\n    session-timers: "
                + "{enabled: false, session-expires: 10m, min-se: 2m}"));
        assertThat(bound.zone("carrier").sessionTimers()).isEqualTo(new SessionTimerConfig(false,
                java.time.Duration.ofMinutes(10), java.time.Duration.ofMinutes(2)));
        assertThat(bound.zone("office-pbx").sessionTimers()).isEqualTo(SessionTimerConfig.DEFAULT);
        assertThat(files.problems(MINIMAL.replace("role: trunk", "role: trunk\n    session-timers: "
                + "{session-expires: 60s, min-se: 30s, refresh: uac}"))).containsExactly(
                file + ":7: zones[0].session-timers.refresh: unknown key; allowed here: enabled, min-se, session-expires",
                file + ":7: zones[0].session-timers.min-se = '30s': must be between 90s and 1d",
                file + ":7: zones[0].session-timers.session-expires = '60s': must be between 90s and 1d");
        assertThat(files.problems(MINIMAL.replace("role: trunk", "role: trunk\n    session-timers: "
                + "{session-expires: 100s, min-se: 120s}"))).containsExactly(
                file + ":7: zones[0].session-timers.session-expires = '100s': must not be shorter than min-se (120s)");
    }

    @Test
    void mediaBusyPollIsBoundAndValidated() throws Exception {
        String file = files.file().toString();
        assertThat(files.load(MINIMAL + "media:\n  busy-poll: true\n").media().busyPoll()).isTrue();
        assertThat(files.problems(MINIMAL + "media:\n  busy-poll: yes\n")).containsExactly(
                file + ":14: media.busy-poll = 'yes': must be true or false");
    }

    @Test
    void mediaNiceIsBoundAndValidated() throws Exception {
        String file = files.file().toString();
        assertThat(files.load(MINIMAL).media().nice()).as("the process's").isEmpty();
        assertThat(files.load(MINIMAL + "media:\n  nice: -10\n").media().nice()).hasValue(-10);
        assertThat(files.problems(MINIMAL + "media:\n  nice: -21\n")).containsExactly(
                file + ":14: media.nice = '-21': must be between -20 and 19");
        assertThat(files.problems(MINIMAL + "media:\n  nice: high\n")).containsExactly(
                file + ":14: media.nice = 'high': must be a whole number");
    }

    @Test
    void mediaReceiveBufferIsBoundAndValidated() throws Exception {
        String file = files.file().toString();
        assertThat(files.load(MINIMAL).media().receiveBufferBytes()).as("the kernel's default").isZero();
        assertThat(files.load(MINIMAL + "media:\n  receive-buffer-bytes: 16384\n").media().receiveBufferBytes())
                .isEqualTo(16_384);
        assertThat(files.problems(MINIMAL + "media:\n  receive-buffer-bytes: 1024\n")).containsExactly(
                file + ":14: media.receive-buffer-bytes = '1024': must be 0 (the kernel's default) or at least 4096");
        assertThat(files.problems(MINIMAL + "media:\n  receive-buffer-bytes: 33554432\n")).containsExactly(
                file + ":14: media.receive-buffer-bytes = '33554432': must be between 0 and 16777216");
    }

    @Test
    void mediaIoIsBoundAndValidated() throws Exception {
        String file = files.file().toString();
        assertThat(files.load(MINIMAL).media().io()).isEqualTo(org.edgesbc.media.MediaIo.AUTO);
        assertThat(files.load(MINIMAL + "media:\n  io: selector\n").media().io())
                .isEqualTo(org.edgesbc.media.MediaIo.SELECTOR);
        assertThat(files.load(MINIMAL + "media:\n  io: io_uring\n").media().io())
                .isEqualTo(org.edgesbc.media.MediaIo.IO_URING);
        assertThat(files.problems(MINIMAL + "media:\n  io: epoll\n")).containsExactly(
                file + ":14: media.io = 'epoll': must be one of auto, io_uring, selector");
    }

    @Test
    void keepaliveAsksAfterALossUnlessAZoneSetsAnIntervalWithinItsBoundsOrOff() throws Exception {
        String file = files.file().toString();
        SbcConfig bound = files.load(MINIMAL.replace("role: trunk", "role: trunk\n    keepalive: 45s")
                .replace("role: pbx", "role: pbx\n    keepalive: off"));
        assertThat(bound.zone("carrier").keepalive())
                .isEqualTo(new ZoneConfig.Keepalive(java.time.Duration.ofSeconds(45), true));
        assertThat(bound.zone("office-pbx").keepalive()).isEqualTo(ZoneConfig.Keepalive.OFF);
        assertThat(files.load(MINIMAL).zone("carrier").keepalive()).isEqualTo(ZoneConfig.Keepalive.AFTER_LOSS);
        assertThat(files.load(MINIMAL.replace("role: trunk", "role: trunk\n    keepalive: after-loss"))
                .zone("carrier").keepalive()).isEqualTo(ZoneConfig.Keepalive.AFTER_LOSS);
        assertThat(files.problems(MINIMAL.replace("role: trunk", "role: trunk\n    keepalive: 5s"))).containsExactly(
                file + ":7: zones[0].keepalive = '5s': must be between 10s and 1h");
        assertThat(files.problems(MINIMAL.replace("role: trunk", "role: trunk\n    keepalive: yes"))).containsExactly(
                file + ":7: zones[0].keepalive = 'yes': must be after-loss, off, or a duration from 10s to 1h with a "
                        + "unit (30s, 5m)");
    }

    @Test
    void managementTokenErrorGivesItsLengthNotTheToken() throws IOException {
        assertThat(files.problems(MINIMAL + "management:\n  token: tooshort\n")).containsExactly(
                files.file() + ":14: management.token = '(8 characters)': a bearer token needs at least 16 "
                        + "characters");
    }

    @Test
    void drainSettingsAreBoundAndValidatedWithTheirLines() throws Exception {
        SbcConfig config = files.load(MINIMAL + "management:\n  drain-timeout: 0s\n  drain-retry-after: 2m\n"
                + "  drain-register-expires: 30s\n");
        assertThat(config.management().drain()).isEqualTo(new DrainConfig(Duration.ZERO, Duration.ofMinutes(2),
                Duration.ofSeconds(30)));
        assertThat(files.problems(MINIMAL + "management:\n  drain-timeout: 2d\n  drain-retry-after: 0s\n"
                + "  drain-register-expires: 5s\n")).containsExactly(
                files.file() + ":14: management.drain-timeout = '2d': must be between 0s and 1d",
                files.file() + ":15: management.drain-retry-after = '0s': must be between 1s and 1d",
                files.file() + ":16: management.drain-register-expires = '5s': must be between 10s and 1h");
    }

    /** Writes the P-256 signing key and the STI-CA bundle the stir-shaken sections below name. */
    private void writeStirShakenFiles() throws Exception {
        TestKeyFiles.pkcs8(dir.resolve("shaken-key.pem"), TestKeyFiles.ec("secp256r1").getPrivate());
        TestKeyFiles.certificate(dir.resolve("sti-ca.pem"));
    }

    /** A sign half with everything valid but the key file (line 16) and the certificate URL (line 17). */
    private static String signing(String privateKey, String certificateUrl) {
        return MINIMAL + "stir-shaken:\n  sign:\n    zones: [carrier]\n    private-key: " + privateKey + "\n"
                + "    certificate-url: '" + certificateUrl + "'\n";
    }

    @Test
    void stirShakenSectionIsBound() throws Exception {
        writeStirShakenFiles();
        Files.createDirectories(dir.resolve("keys"));
        TestKeyFiles.sec1(dir.resolve("keys/sec1.pem"), (ECPrivateKey) TestKeyFiles.ec("secp256r1").getPrivate());
        SbcConfig config = files.load(MINIMAL + """
                stir-shaken:
                  sign:
                    zones: [carrier]
                    private-key: keys/sec1.pem
                    certificate-url: https://certs.example.net:8443/sbc.pem
                    operator-tn-prefixes: ["1202555", 1303]
                    account-attestation: {"1001": A, sales: B}
                    prefix-attestation: {"1800": B, "1900": C}
                  verify:
                    zones: {carrier: reject}
                    trust-anchors: sti-ca.pem
                    max-age: 30s
                    fetch-timeout: 500ms
                    cache-entries: 5_000
                    cache-min-ttl: 30s
                    cache-max-ttl: 2h
                    negative-ttl: 1m
                    allowed-hosts: [Certs.Example.NET, 192.0.2.1, "[2001:db8::1]"]
                """);
        StirShakenConfig.Signing sign = config.stirShaken().sign();
        assertThat(sign).isEqualTo(new StirShakenConfig.Signing(Set.of("carrier"), dir.resolve("keys/sec1.pem"),
                "https://certs.example.net:8443/sbc.pem", List.of("1202555", "1303"),
                Map.of("1001", Attestation.A, "sales", Attestation.B),
                Map.of("1800", Attestation.B, "1900", Attestation.C)));
        StirShakenConfig.Verification verify = config.stirShaken().verify();
        assertThat(verify).isEqualTo(new StirShakenConfig.Verification(
                Map.of("carrier", StirShakenConfig.FailureAction.REJECT), dir.resolve("sti-ca.pem"),
                Duration.ofSeconds(30), Duration.ofMillis(500), 5_000, Duration.ofSeconds(30), Duration.ofHours(2),
                Duration.ofMinutes(1), Set.of("certs.example.net", "192.0.2.1", "[2001:db8::1]")));
        // What the check accepted, the signer and the verifier accept too.
        assertThat(new PassportSigner(StirShakenKeys.privateKey(sign.privateKey()), sign.certificateUrl()))
                .isNotNull();
        assertThat(new PassportVerifier(StirShakenKeys.trustAnchors(verify.trustAnchors()), verify.maxAge()))
                .isNotNull();
    }

    @Test
    void signingRulesNameTheirLines() throws Exception {
        writeStirShakenFiles();
        String file = files.file().toString();
        String e164 = "must be 1 to 15 digits of an E.164 number, without '+'";
        String letters = "must be A, B or C (RFC 8588 §4)";
        assertThat(files.problems(MINIMAL + """
                stir-shaken:
                  sign:
                    zones: [carrier, office-pbx, backup, carrier]
                    private-key: shaken-key.pem
                    certificate-url: https://certs.example.net/sbc.pem
                    operator-tn-prefixes: ["1202555", "+1202", "1234567890123456"]
                    account-attestation: {"1001": A, "1002": a}
                    prefix-attestation: {"1800": B, "1-800": C, "1900": D}
                """)).containsExactly(
                file + ":15: stir-shaken.sign.zones[3] = 'carrier': is listed twice",
                file + ":18: stir-shaken.sign.operator-tn-prefixes[1] = '+1202': " + e164,
                file + ":18: stir-shaken.sign.operator-tn-prefixes[2] = '1234567890123456': " + e164,
                file + ":19: stir-shaken.sign.account-attestation.1002 = 'a': " + letters,
                file + ":20: stir-shaken.sign.prefix-attestation.1-800 = '1-800': " + e164,
                file + ":20: stir-shaken.sign.prefix-attestation.1900 = 'D': " + letters,
                file + ":15: stir-shaken.sign.zones[1] = 'office-pbx': is a pbx zone; STIR/SHAKEN signs and "
                        + "verifies only at trunk zones (the interconnect with other carriers)",
                file + ":15: stir-shaken.sign.zones[2] = 'backup': names no zone; zones are carrier, office-pbx");
    }

    @Test
    void signingKeyMustBeAReadableP256Key() throws Exception {
        writeStirShakenFiles();
        TestKeyFiles.pkcs8(dir.resolve("rsa.pem"), TestKeyFiles.rsa().getPrivate());
        TestKeyFiles.pkcs8(dir.resolve("p384.pem"), TestKeyFiles.ec("secp384r1").getPrivate());
        String url = "https://certs.example.net/sbc.pem";
        String prefix = files.file() + ":16: stir-shaken.sign.private-key = ";
        assertThat(files.problems(signing("missing.pem", url))).containsExactly(
                prefix + "'missing.pem': " + dir.resolve("missing.pem") + ": no readable file");
        assertThat(files.problems(signing("rsa.pem", url))).containsExactly(
                prefix + "'rsa.pem': " + dir.resolve("rsa.pem") + ": holds an RSA key; ES256 (RFC 8588 §3) signs "
                        + "with an EC P-256 key only");
        assertThat(files.problems(signing("p384.pem", url))).containsExactly(
                prefix + "'p384.pem': " + dir.resolve("p384.pem") + ": holds an EC key on curve 1.3.132.0.34; "
                        + "ES256 (RFC 8588 §3) signs with P-256 (1.2.840.10045.3.1.7) only");
        assertThat(files.problems(signing("sti-ca.pem", url))).containsExactly(
                prefix + "'sti-ca.pem': " + dir.resolve("sti-ca.pem") + ": holds no unencrypted PEM private key "
                        + "(PKCS#8 PRIVATE KEY or SEC1 EC PRIVATE KEY)");
    }

    @Test
    void certificateUrlMustBeFetchableWithoutCredentials() throws Exception {
        writeStirShakenFiles();
        String prefix = files.file() + ":17: stir-shaken.sign.certificate-url = ";
        assertThat(files.problems(signing("shaken-key.pem", "https://sbc:secret@certs.example.net/sbc.pem")))
                .containsExactly(prefix + "'https://sbc:secret@certs.example.net/sbc.pem': must not carry user "
                        + "info: every verifier fetches it, so it would publish the credentials");
        assertThat(files.problems(signing("shaken-key.pem", "ftp://certs.example.net/sbc.pem"))).containsExactly(
                prefix + "'ftp://certs.example.net/sbc.pem': must be an absolute http or https URL with a host");
        assertThat(files.problems(signing("shaken-key.pem", "/sbc.pem"))).containsExactly(
                prefix + "'/sbc.pem': must be an absolute http or https URL with a host");
    }

    @Test
    void certificateUrlIsAcceptedExactlyWhenTheSignerAcceptsIt() throws Exception {
        writeStirShakenFiles();
        PrivateKey key = StirShakenKeys.privateKey(dir.resolve("shaken-key.pem"));
        List<String> urls = List.of("https://certs.example.net:8443/sbc.pem", "http://192.0.2.1/sbc.pem",
                "HTTPS://certs.example.net/sbc.pem", "https://[2001:db8::1]/sbc.pem",
                "https://sbc@certs.example.net/sbc.pem", "ftp://certs.example.net/sbc.pem", "file:///etc/passwd",
                "/sbc.pem", "https:///sbc.pem", "https://certs.example.net/a b", "https://certs.example.net/<a>",
                "https://certs.example.net/\u00e4", "https://certs.example.net/" + "a".repeat(2_048));
        for (String url : urls) {
            boolean signerAccepts;
            try {
                new PassportSigner(key, url);
                signerAccepts = true;
            } catch (IllegalArgumentException e) {
                signerAccepts = false;
            }
            boolean configAccepts;
            try {
                files.load(signing("shaken-key.pem", url));
                configAccepts = true;
            } catch (ConfigException e) {
                configAccepts = false;
            }
            assertThat(configAccepts).as(url).isEqualTo(signerAccepts);
        }
    }

    @Test
    void verificationRulesNameTheirLines() throws Exception {
        writeStirShakenFiles();
        Files.writeString(dir.resolve("empty.pem"), "# the STI-PA's roots go here\n");
        String file = files.file().toString();
        String host = "must be a host name or IP address (IPv6 in brackets), without scheme, port or path";
        assertThat(files.problems(MINIMAL + """
                stir-shaken:
                  verify:
                    zones: {carrier: mark, office-pbx: reject, backup: drop}
                    trust-anchors: empty.pem
                    max-age: 0s
                    fetch-timeout: 20s
                    cache-min-ttl: 2h
                    cache-max-ttl: 1h
                    allowed-hosts: [certs.example.net, "https://certs.example.net", "certs.example.net:443"]
                """)).containsExactly(
                file + ":15: stir-shaken.verify.zones.backup = 'drop': must be one of pass, mark, reject",
                file + ":16: stir-shaken.verify.trust-anchors = 'empty.pem': " + dir.resolve("empty.pem")
                        + ": no PEM certificate found",
                file + ":17: stir-shaken.verify.max-age = '0s': must be between 1s and 1d",
                file + ":18: stir-shaken.verify.fetch-timeout = '20s': must be between 100ms and 10s",
                file + ":20: stir-shaken.verify.cache-max-ttl = '1h': must not be shorter than cache-min-ttl (2h)",
                file + ":21: stir-shaken.verify.allowed-hosts[1] = 'https://certs.example.net': " + host,
                file + ":21: stir-shaken.verify.allowed-hosts[2] = 'certs.example.net:443': " + host,
                file + ":15: stir-shaken.verify.zones.office-pbx = 'office-pbx': is a pbx zone; STIR/SHAKEN signs "
                        + "and verifies only at trunk zones (the interconnect with other carriers)",
                file + ":15: stir-shaken.verify.zones.backup = 'backup': names no zone; zones are carrier, "
                        + "office-pbx");
        String verify = MINIMAL + "stir-shaken:\n  verify:\n    zones: {carrier: pass}\n"
                + "    trust-anchors: sti-ca.pem\n";
        assertThat(files.problems(verify + "    max-age: 1500ms\n")).containsExactly(
                file + ":17: stir-shaken.verify.max-age = '1500ms': must be whole seconds: iat counts seconds");
        assertThat(files.problems(verify + "    max-age: 2d\n")).containsExactly(
                file + ":17: stir-shaken.verify.max-age = '2d': must be between 1s and 1d");
    }

    @Test
    void stirShakenRequiredKeysAndUnknownKeysAreReported() throws Exception {
        String file = files.file().toString();
        assertThat(files.problems(MINIMAL + """
                stir-shaken:
                  sign:
                    zones: []
                    private-ky: key.pem
                  verify: {trust-anchors: null}
                  verfy: {}
                """)).containsExactly(
                file + ":18: stir-shaken.verfy: unknown key; did you mean 'verify'?",
                file + ":16: stir-shaken.sign.private-ky: unknown key; did you mean 'private-key'?",
                file + ":15: stir-shaken.sign.zones: needs at least one trunk zone",
                file + ":15: stir-shaken.sign.private-key: is required",
                file + ":15: stir-shaken.sign.certificate-url: is required",
                file + ":17: stir-shaken.verify.zones: is required: the trunk zones whose INVITEs are verified, "
                        + "each with pass, mark or reject",
                file + ":17: stir-shaken.verify.trust-anchors: is required");
        assertThat(files.problems(MINIMAL + "stir-shaken:\n  sign: {certificate-url: 'https://certs.example.net/'}\n"
                + "  verify: {zones: [carrier], trust-anchors: missing.pem}\n")).containsExactly(
                file + ":14: stir-shaken.sign.zones: is required",
                file + ":14: stir-shaken.sign.private-key: is required",
                file + ":15: stir-shaken.verify.zones: must be a mapping of keys to values",
                file + ":15: stir-shaken.verify.trust-anchors = 'missing.pem': " + dir.resolve("missing.pem")
                        + ": no readable file");
    }

    @Test
    void severalPeersProbesAndRoutesAreBound() throws Exception {
        SbcConfig config = files.load(ConfigFiles.TWO_CARRIERS);
        ZoneConfig carrierA = config.zone("carrier-a");
        assertThat(carrierA.peers()).containsExactly(new ZoneConfig.PeerConfig("192.0.2.10", 5060, SipTransport.UDP),
                new ZoneConfig.PeerConfig("192.0.2.11", 5080, SipTransport.UDP));
        assertThat(carrierA.probe()).isEqualTo(new ZoneConfig.ProbeConfig(Duration.ofSeconds(10),
                Duration.ofSeconds(1), 2, 2));
        assertThat(config.zone("carrier-b").probe()).isNull();
        RoutingConfig routing = config.routing();
        assertThat(routing.outbound()).hasSize(3).element(2).isEqualTo(new RouteTable.OutboundRoute("4989",
                Set.of("branch-pbx"), Set.of("1001"), List.of("carrier-a")));
        assertThat(routing.emergencyTrunks()).containsExactly("carrier-a");
        assertThat(routing.inbound()).containsExactly(new RouteTable.DidRange("4930123400", "4930123499",
                "branch-pbx"), new RouteTable.DidRange("4989", "4989", "branch-pbx"));
        assertThat(routing.defaultPbx()).isEqualTo("pbx");
        assertThat(routing.failoverStatuses()).containsExactlyInAnyOrder(502, 504);
        assertThat(routing.attemptTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void withoutARoutingSectionCallsTryEveryTrunkInOrderAndGoToTheFirstPbx() throws Exception {
        SbcConfig config = files.load(ConfigFiles.TWO_CARRIERS.substring(0, ConfigFiles.TWO_CARRIERS.indexOf("routing:")));
        assertThat(config.routing().outbound()).containsExactly(new RouteTable.OutboundRoute("", Set.of(), Set.of(),
                List.of("carrier-a", "carrier-b")));
        assertThat(config.routing().defaultPbx()).isEqualTo("pbx");
        assertThat(config.routing().attemptTimeout()).isEqualTo(RoutingConfig.DEFAULT_ATTEMPT_TIMEOUT);
    }

    @Test
    void routesNameZonesOfTheRightRoleAndNumbersAreE164Digits() throws Exception {
        String file = files.file().toString();
        assertThat(files.problems(ConfigFiles.TWO_CARRIERS.replace("trunks: [carrier-b, carrier-a]", "trunks: [pbx, nowhere]")
                .replace("\"4930123400-4930123499\"", "\"4930123499-4930123400\"")
                .replace("prefix: \"4989\", trunks", "prefix: \"+4989\", trunks")
                .replace("default-pbx: pbx", "default-pbx: carrier-a")
                .replace("[502, 504]", "[502, 180]")
                .replace("attempt-timeout: 2s", "attempt-timeout: 1m"))).contains(
                file + ":27: routing.outbound[1].prefix = '+4989': must be up to 15 digits of an E.164 number "
                        + "without '+', such as \"4930\"",
                file + ":27: routing.outbound[1].trunks[0] = 'pbx': is a pbx zone; a trunk zone is needed here",
                file + ":27: routing.outbound[1].trunks[1] = 'nowhere': names no zone; trunk zones are carrier-a, "
                        + "carrier-b",
                file + ":31: routing.inbound[0].numbers = '4930123499-4930123400': a block's ends must have the "
                        + "same number of digits, the first not above the last",
                file + ":33: routing.default-pbx = 'carrier-a': is a trunk zone; a pbx zone is needed here",
                file + ":34: routing.failover-statuses = '180': entries must be final failure statuses from 300 "
                        + "to 699",
                file + ":35: routing.attempt-timeout = '1m': must be between 100ms and 32s");
    }

    @Test
    void peersAndProbesAreValidated() throws Exception {
        String file = files.file().toString();
        assertThat(files.problems(ConfigFiles.TWO_CARRIERS.replace("    peer: {host: 203.0.113.5}",
                "    peer: {host: 203.0.113.5}\n    peers: [{host: 203.0.113.6}]")
                .replace("{interval: 10s, timeout: 1s, down-after: 2}", "{interval: 1s, timeout: 2s, down-after: 0}")
                .replace("- {host: 192.0.2.11, port: 5080}", "- {host: 192.0.2.11, port: 5080, weight: 2}")))
                .contains(
                        file + ":11: zones[0].probe.timeout = '2s': must not be longer than the interval (1s)",
                        file + ":11: zones[0].probe.down-after = '0': must be between 1 and 100",
                        file + ":10: zones[0].peers[1].weight: unknown key; allowed here: host, port, transport",
                        file + ":16: zones[1].peers: give either peer (one) or peers (a list), not both");
        assertThat(files.problems(ConfigFiles.TWO_CARRIERS.replace("{host: 192.0.2.11, port: 5080}", "{host: 198.51.100.9}")))
                .anyMatch(p -> p.contains("zones.carrier-a.peers[1].host = '198.51.100.9': lies outside the zone's"));
    }

    @Test
    void aTrunkPeerMayBeAHostNameWhosePortAndTransportDnsGivesAndTheDnsSectionIsBound() throws Exception {
        SbcConfig config = files.load(ConfigFiles.TWO_CARRIERS.replace("peer: {host: 203.0.113.5}",
                "peers: [{host: SIP.Carrier-B.example}, {host: sip2.carrier-b.example, transport: udp}]") + """
                dns:
                  servers: ["127.0.0.1:5353", "[::1]", 192.0.2.53]
                  negative-ttl: 10s
                """);
        assertThat(config.zone("carrier-b").peers()).containsExactly(
                new ZoneConfig.PeerConfig("sip.carrier-b.example", 0, null),
                new ZoneConfig.PeerConfig("sip2.carrier-b.example", 0, SipTransport.UDP));
        assertThat(config.zone("carrier-b").peers()).allMatch(ZoneConfig.PeerConfig::named);
        assertThat(config.zone("carrier-a").peers()).noneMatch(ZoneConfig.PeerConfig::named);
        assertThat(config.dns().servers()).containsExactly(new java.net.InetSocketAddress("127.0.0.1", 5353),
                new java.net.InetSocketAddress("::1", 53), new java.net.InetSocketAddress("192.0.2.53", 53));
        assertThat(config.dns().negativeTtl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.dns().queryTimeout()).isEqualTo(DnsConfig.DEFAULTS.queryTimeout());
    }

    @Test
    void aPbxPeerIsAnAddressAndDnsServersAreAddresses() throws Exception {
        String file = files.file().toString();
        assertThat(files.problems(ConfigFiles.TWO_CARRIERS.replace("peer: {host: 198.51.100.7}",
                "peer: {host: pbx.example}") + "dns: {servers: [ns.example, \"127.0.0.1:0\"], min-ttl: 2h}\n"))
                .contains(file + ":19: zones[2].peer.host = 'pbx.example': only a trunk zone's peers may be host "
                                + "names; a pbx zone's are IP addresses",
                        file + ":36: dns.servers[0] = 'ns.example': 'ns.example' is not an IP address literal",
                        file + ":36: dns.servers[1] = '127.0.0.1:0': the port must be 1-65535",
                        file + ":36: dns.min-ttl = '2h': must be between 0s and 1h");
    }
}
