package org.edgesbc.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    private static final String MINIMAL = """
            sip:
              listeners:
                - {name: udp, transport: udp, address: 127.0.0.1, port: 5060}
            zones:
              - name: carrier
                role: trunk
                networks: [192.0.2.0/24]
                peer: {host: 192.0.2.10}
              - name: office-pbx
                role: pbx
                networks: [198.51.100.7/32]
                peer: {host: 198.51.100.7, port: 5080}
            """;

    @TempDir
    Path dir;

    private Path write(String yaml) throws IOException {
        Path file = dir.resolve("sbc.yaml");
        Files.writeString(file, yaml);
        return file;
    }

    private List<String> problems(String yaml) throws IOException {
        Path file = write(yaml);
        try {
            ConfigLoader.load(file);
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused");
    }

    @Test
    void shippedDefaultConfigurationLoads() throws Exception {
        SbcConfig config = ConfigLoader.load(Path.of("..", "config", "sbc.yaml"));
        assertThat(config.sip().listeners()).extracting(SipConfig.ListenerConfig::transport)
                .containsExactly(SipTransport.UDP, SipTransport.TCP, SipTransport.TLS);
        assertThat(config.zones()).extracting(ZoneConfig::name).containsExactly("trunk", "pbx", "phones");
        assertThat(config.zone("phones").role()).isEqualTo(ZoneConfig.ZoneRole.ACCESS);
        assertThat(config.security().users()).singleElement().satisfies(u -> assertThat(u.name()).isEqualTo("1001"));
        assertThat(config.security().scannerUserAgents()).contains("friendly-scanner", "sipvicious");
        assertThat(config.fraud().accounts().get("sipp").callsPerMinute()).isEqualTo(6000);
        assertThat(config.fraud().defaults().callsPerMinute()).isEqualTo(30);
        assertThat(config.zone("pbx").peer().host()).isEqualTo("127.0.0.3");
        assertThat(config.management().port()).isEqualTo(9090);
        assertThat(config.registration()).isEqualTo(RegistrationConfig.DEFAULTS);
        assertThat(config.security().digestAlgorithms()).isEqualTo(SecurityConfig.DEFAULT_DIGEST_ALGORITHMS);
    }

    @Test
    void digestAlgorithmsAreBoundInOrderAndValidated() throws IOException, ConfigException {
        SbcConfig md5First = ConfigLoader.load(write(MINIMAL + "security:\n  digest-algorithms: [md5, SHA-256]\n"));
        assertThat(md5First.security().digestAlgorithms()).containsExactly(DigestAlgorithm.MD5,
                DigestAlgorithm.SHA_256);
        assertThat(ConfigLoader.load(write(MINIMAL)).security().digestAlgorithms())
                .isEqualTo(SecurityConfig.DEFAULT_DIGEST_ALGORITHMS);
        String file = dir.resolve("sbc.yaml").toString();
        assertThat(problems(MINIMAL + "security:\n  digest-algorithms: [MD5, SHA-1, MD5]\n")).containsExactly(
                file + ":14: security.digest-algorithms = 'SHA-1': must be SHA-256 or MD5",
                file + ":14: security.digest-algorithms = 'MD5': is listed twice");
        assertThat(problems(MINIMAL + "security:\n  digest-algorithms: []\n")).containsExactly(
                file + ":14: security.digest-algorithms: needs at least one algorithm (SHA-256, MD5)");
    }

    @Test
    void omittedKeysTakeTheirDocumentedDefaults() throws Exception {
        SbcConfig config = ConfigLoader.load(write(MINIMAL));
        assertThat(config.sip().timers().t1()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.sip().maxCallDuration()).isEqualTo(Duration.ofHours(4));
        assertThat(config.sip().gate().maxVias()).isEqualTo(16);
        assertThat(config.zone("carrier").peer().port()).isEqualTo(5060);
        assertThat(config.zone("carrier").peer().transport()).isEqualTo(SipTransport.UDP);
        assertThat(config.management().address()).isEqualTo("127.0.0.1");
        assertThat(config.dataDir()).isEqualTo(dir.resolve("data"));
        assertThat(config.registration()).isEqualTo(RegistrationConfig.DEFAULTS);
    }

    @Test
    void registrationSectionIsBound() throws Exception {
        SbcConfig config = ConfigLoader.load(write(MINIMAL + "registration:\n  udp-expires: 45s\n"
                + "  stream-expires: 1h\n  min-expires: 20s\n  expires-jitter: 0\n  pbx-expires: 2h\n"
                + "  keepalive-interval: 90s\n  max-bindings: 5_000\n  max-contacts-per-aor: 3\n"));
        assertThat(config.registration()).isEqualTo(new RegistrationConfig(Duration.ofSeconds(45),
                Duration.ofHours(1), Duration.ofSeconds(20), 0, Duration.ofHours(2), Duration.ofSeconds(90), 5_000,
                3));
        SbcConfig partial = ConfigLoader.load(write(MINIMAL + "registration:\n  max-contacts-per-aor: 1\n"));
        assertThat(partial.registration()).isEqualTo(new RegistrationConfig(RegistrationConfig.DEFAULTS.udpExpires(),
                RegistrationConfig.DEFAULTS.streamExpires(), RegistrationConfig.DEFAULTS.minExpires(),
                RegistrationConfig.DEFAULTS.expiresJitterPercent(), RegistrationConfig.DEFAULTS.pbxExpires(),
                RegistrationConfig.DEFAULTS.keepaliveInterval(), RegistrationConfig.DEFAULTS.maxBindings(), 1));
    }

    @Test
    void registrationValuesAreValidatedWithTheirLines() throws IOException {
        String file = dir.resolve("sbc.yaml").toString();
        assertThat(problems(MINIMAL + "registration:\n  expires-jitter: 80\n  pbx-expires: 30s\n"
                + "  max-bindings: lots\n")).containsExactly(
                file + ":14: registration.expires-jitter = '80': must be between 0 and 50",
                file + ":15: registration.pbx-expires = '30s': must be between 1m and 1d",
                file + ":16: registration.max-bindings = 'lots': must be a whole number");
        assertThat(problems(MINIMAL + "registration:\n  udp-expires: 20s\n  min-expires: 40s\n")).containsExactly(
                file + ":15: registration.min-expires = '40s': must not exceed udp-expires (20s) nor stream-expires "
                        + "(10m)");
        assertThat(problems(MINIMAL + "registration:\n  stream-expires: 15s\n"))
                .containsExactly(file + ":14: registration.min-expires = '30s': must not exceed udp-expires (1m) "
                        + "nor stream-expires (15s)");
    }

    @Test
    void unknownRegistrationKeyIsAnErrorWithASuggestion() throws IOException {
        String file = dir.resolve("sbc.yaml").toString();
        assertThat(problems(MINIMAL + "registration:\n  udp-expire: 60s\n")).containsExactly(
                file + ":14: registration.udp-expire: unknown key; did you mean 'udp-expires'?");
        assertThat(problems(MINIMAL + "registraton:\n  udp-expires: 60s\n")).containsExactly(
                file + ":13: registraton: unknown key; did you mean 'registration'?");
    }

    @Test
    void unknownKeyIsAnErrorWithASuggestionAndItsLine() throws IOException {
        List<String> problems = problems(MINIMAL.replace("  listeners:", "  listners: []\n  listeners:"));
        assertThat(problems).anySatisfy(p -> assertThat(p)
                .startsWith(dir.resolve("sbc.yaml") + ":2: sip.listners: unknown key; did you mean 'listeners'?"));
    }

    @Test
    void everyProblemIsReportedAtOnceWithFileLineKeyValueAndRule() throws IOException {
        List<String> problems = problems(MINIMAL
                .replace("networks: [192.0.2.0/24]", "networks: [192.0.2.1/24]")
                .replace("port: 5080", "port: 70000")
                .replace("transport: udp,", "transport: sctp,"));
        String file = dir.resolve("sbc.yaml").toString();
        assertThat(problems).contains(
                file + ":3: sip.listeners[0].transport = 'sctp': must be one of udp, tcp, tls",
                file + ":7: zones[0].networks[0] = '192.0.2.1/24': host bits are set in 192.0.2.1/24 for a /24 network",
                file + ":12: zones[1].peer.port = '70000': must be between 1 and 65535");
    }

    @Test
    void wholeConfigurationRulesAreChecked() throws IOException {
        assertThat(problems(MINIMAL.replace("role: pbx", "role: trunk")))
                .anyMatch(p -> p.contains("needs exactly one zone with role pbx, found 0"));
        assertThat(problems(MINIMAL.replace("peer: {host: 192.0.2.10}", "peer: {host: 203.0.113.1}")))
                .anyMatch(p -> p.contains("zones.carrier.peer.host = '203.0.113.1': lies outside the zone's own"));
        assertThat(problems(MINIMAL.replace("198.51.100.7/32", "192.0.2.0/24")))
                .anyMatch(p -> p.contains("already belongs to zone 'carrier'"));
        assertThat(problems(MINIMAL.replace("peer: {host: 192.0.2.10}", "peer: {host: 192.0.2.10, transport: tls}")))
                .anyMatch(p -> p.contains("no listener of this transport"));
    }

    @Test
    void valuesAreNeverClamped() throws IOException {
        assertThat(problems(MINIMAL + "  \nmanagement: {token: tooshort}\n"))
                .anyMatch(p -> p.contains("management.token") && p.contains("at least 16 characters"));
        assertThat(problems(MINIMAL.replace("sip:\n", "sip:\n  timers: {t1: 10s}\n")))
                .anyMatch(p -> p.contains("sip.timers.t1 = '10s': must be between 50ms and 5s"));
        assertThat(problems(MINIMAL.replace("sip:\n", "sip:\n  max-call-duration: 3 hours\n")))
                .anyMatch(p -> p.contains("must be a duration with a unit"));
        assertThat(problems(MINIMAL.replace("address: 127.0.0.1", "address: localhost")))
                .anyMatch(p -> p.contains("sip.listeners[0].address = 'localhost': 'localhost' is not an IP address"));
    }

    @Test
    void tlsCertificateAndKeyGoTogether() throws IOException {
        Files.writeString(dir.resolve("cert.pem"), "x");
        assertThat(problems(MINIMAL.replace("sip:\n", "sip:\n  tls: {certificate: cert.pem}\n")))
                .anyMatch(p -> p.contains("certificate and private-key go together"));
        assertThat(problems(MINIMAL.replace("sip:\n", "sip:\n  tls: {certificate: cert.pem, private-key: nope.pem}\n")))
                .anyMatch(p -> p.contains("sip.tls.private-key = 'nope.pem': no readable file"));
    }

    @Test
    void fraudRulesAndPrefixFilesAreValidatedWithTheirLines() throws Exception {
        Files.writeString(dir.resolve("extra.tsv"), "# ranges\n4412 premium\nabc mobile\n");
        List<String> problems = problems(MINIMAL + "fraud:\n  prefix-files: [extra.tsv]\n  default-rules:\n"
                + "    hours: 25:00-26:00\n    days: [mon, someday]\n    blocked-prefixes: [\"44x\"]\n");
        assertThat(problems).anyMatch(p -> p.contains("extra.tsv:3: prefix 'abc' must be digits"))
                .anyMatch(p -> p.contains("fraud.default-rules.hours = '25:00-26:00'"))
                .anyMatch(p -> p.contains("'someday': must be a day"))
                .anyMatch(p -> p.contains("fraud.default-rules.blocked-prefixes = '44x'"));
        SbcConfig ok = ConfigLoader.load(write(MINIMAL + "fraud:\n  default-rules:\n    hours: 08:00-18:00\n"
                + "    days: [mon, tue]\n    daily-spend-cap: 12.5\n"));
        assertThat(ok.fraud().defaults().dailySpendCap()).isEqualTo(12_500_000);
        assertThat(ok.fraud().defaults().days()).hasSize(2);
    }

    @Test
    void unreadableOrBrokenYamlIsReportedNotThrown() {
        assertThatThrownBy(() -> ConfigLoader.load(dir.resolve("missing.yaml")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("cannot read configuration");
        assertThatThrownBy(() -> ConfigLoader.load(write("sip: [unclosed")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("sbc.yaml");
    }

    @Test
    void yamlSyntaxErrorsAndRepeatedKeysNameTheirLine() throws IOException {
        String file = dir.resolve("sbc.yaml").toString();
        assertThat(problems("sip:\n  listeners: [unclosed\n")).singleElement()
                .satisfies(p -> assertThat(p).startsWith(file + ":3: not valid YAML: ").doesNotContain("\n"));
        assertThat(problems(MINIMAL.replace("sip:\n", "sip:\n  io-threads: 1\n  io-threads: 2\n")))
                .containsExactly(file + ":3: sip.io-threads: appears twice in the same mapping (first on line 2)");
    }

    @Test
    void listenersNeedUniqueNamesAndSockets() throws Exception {
        String listeners = "    - {name: udp, transport: udp, address: 127.0.0.1, port: 5060}\n";
        String file = dir.resolve("sbc.yaml").toString();
        assertThat(problems(MINIMAL.replace(listeners, listeners
                + "    - {name: udp, transport: tcp, address: 127.0.0.1, port: 5060}\n"
                + "    - {name: again, transport: udp, address: 127.0.0.1, port: 5060}\n")))
                .contains(file + ":2: sip.listeners = 'udp': two listeners share this name",
                        file + ":2: sip.listeners = 'UDP 127.0.0.1:5060': two listeners bind the same transport, "
                                + "address and port");
        SbcConfig ephemeral = ConfigLoader.load(write(MINIMAL.replace("port: 5060}", "port: 0}\n"
                + "    - {name: udp2, transport: udp, address: 127.0.0.1, port: 0}")));
        assertThat(ephemeral.sip().listeners()).extracting(SipConfig.ListenerConfig::port).containsExactly(0, 0);
    }

    @Test
    void portZeroIsForListenersOnly() throws IOException {
        assertThat(problems(MINIMAL.replace("port: 5080", "port: 0")))
                .anyMatch(p -> p.endsWith(":12: zones[1].peer.port = '0': must be between 1 and 65535"));
    }

    @Test
    void zonesNeedUniqueNamesAndAPeer() throws IOException {
        assertThat(problems(MINIMAL.replace("name: office-pbx", "name: carrier")))
                .anyMatch(p -> p.endsWith(":4: zones = 'carrier': two zones share this name"));
        assertThat(problems(MINIMAL.replace("    peer: {host: 198.51.100.7, port: 5080}\n", "")))
                .anyMatch(p -> p.endsWith(":9: zones[1].peer: is required: where requests toward this zone are sent"));
    }

    @Test
    void relativePathsResolveAgainstTheConfigurationFolder() throws Exception {
        Files.writeString(dir.resolve("cert.pem"), "chain");
        Files.writeString(dir.resolve("key.pem"), "key");
        SbcConfig config = ConfigLoader.load(write(MINIMAL.replace("sip:\n",
                "data-dir: state/sbc\nsip:\n  tls: {certificate: cert.pem, private-key: ./key.pem}\n")));
        assertThat(config.dataDir()).isEqualTo(dir.resolve("state/sbc"));
        assertThat(config.sip().tls().certificate()).isEqualTo(dir.resolve("cert.pem"));
        assertThat(config.sip().tls().privateKey()).isEqualTo(dir.resolve("key.pem"));
    }
}
