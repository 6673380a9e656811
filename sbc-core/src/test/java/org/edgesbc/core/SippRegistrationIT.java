package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.core.SbcDaemonIT.metric;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.net.FreePorts;
import org.edgesbc.fixtures.sipp.Sipp;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 200 remote phones registering through the daemon with digest authentication, played by SIPp
 * ({@code sipp/register-uac.xml} of the test fixtures: REGISTER, 401, REGISTER with credentials, 200), with SIPp as
 * the PBX's registrar at 127.0.0.3 ({@code sipp/register-pbx.xml}: 200 to every REGISTER). The SBC must register
 * each address-of-record once at the PBX, with itself as contact, and answer the second round of registrations
 * (refreshes of the same contacts) itself.
 *
 * <p>All phones reach the SBC from one address, SIPp's 127.0.0.10: one IP carrying many phones is an office NAT, so
 * their zone is an office zone (peer budgets, never banned automatically); as a plain access zone the per-source
 * REGISTER budget would rightly drop most of them. Every phone's Contact names a private address (192.168.77.10)
 * that the SBC must not use. SIPp 3.6 reads only the first WWW-Authenticate header and knows only MD5, so the SBC
 * challenges with MD5 first ({@code security.digest-algorithms: [MD5, SHA-256]}), as it would for such phones.
 */
class SippRegistrationIT {
    private static final int PHONES = 200;
    private static final int RATE = 50;
    private static final String PHONE_HOST = "127.0.0.10";
    private static final String PBX_HOST = "127.0.0.3";

    @TempDir
    Path work;

    @BeforeAll
    static void sippInstalled() {
        assertThat(Sipp.available()).as("sipp on the PATH (Debian package sip-tester; .ci/run installs it)").isTrue();
    }

    @Test
    void twoHundredPhonesBehindAnOfficeNatRegisterOnceAtThePbxAndTheirRefreshesAreAbsorbed() throws Exception {
        Path phoneScenario = scenario("register-uac.xml");
        Path pbxScenario = scenario("register-pbx.xml");
        Path accounts = work.resolve("accounts.csv");
        List<DigestUser> users = new ArrayList<>();
        StringBuilder csv = new StringBuilder("SEQUENTIAL\n");
        for (int i = 1; i <= PHONES; i++) {
            String user = "2" + String.format("%03d", i);
            String password = "secret-" + user;
            users.add(TestConfigs.user(user, password));
            // SIPp 3.6 does not expand [field0] inside [authentication ...]: the third field is the whole keyword.
            csv.append(user).append(';').append(password).append(";[authentication username=").append(user)
                    .append(" password=").append(password).append("]\n");
        }
        Files.writeString(accounts, csv);

        int pbxPort = FreePorts.udp(PBX_HOST);
        int phonePort = FreePorts.udp(PHONE_HOST);
        SbcConfig config = officeConfig(pbxPort, users);
        try (SbcDaemon sbc = SbcDaemon.start(config);
                Sipp pbx = Sipp.start(work.resolve("pbx"), List.of("-sf", pbxScenario.toString(), "-i", PBX_HOST,
                        "-p", Integer.toString(pbxPort), "-timeout", "60s"))) {
            Thread.sleep(300);
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            String target = sbcUdp.getAddress().getHostAddress() + ":" + sbcUdp.getPort();

            List<String> firstAnswers = registerAll(work.resolve("phones-1"), phoneScenario, accounts, target,
                    phonePort);
            List<String> registers = registersAt(pbx, PHONES, Duration.ofSeconds(5));
            assertThat(registers).as("one REGISTER per address-of-record reached the PBX").hasSize(PHONES);
            for (String register : registers) {
                assertThat(register).as("the PBX sees the SBC as contact, never a phone")
                        .containsPattern("(?m)^Contact: <sip:2\\d{3}@127\\.0\\.0\\.1:\\d+>")
                        .doesNotContain("192.168.", PHONE_HOST, "Authorization", "SIPp-phone");
            }
            // At least one 401 and one 200 per phone (more if SIPp retransmitted a REGISTER).
            assertThat(firstAnswers.stream().filter(m -> m.startsWith("SIP/2.0 401 ")))
                    .hasSizeGreaterThanOrEqualTo(PHONES)
                    .allSatisfy(challenge -> assertThat(challenge).as("MD5 challenged first, SHA-256 second")
                            .containsPattern("(?s)WWW-Authenticate: Digest [^\\r\\n]*algorithm=MD5[^\\r\\n]*\\r?\\n"
                                    + "WWW-Authenticate: Digest [^\\r\\n]*algorithm=SHA-256"));
            assertThat(firstAnswers.stream().filter(m -> m.startsWith("SIP/2.0 200 ")))
                    .hasSizeGreaterThanOrEqualTo(PHONES)
                    .allSatisfy(ok -> assertThat(ok)
                            .as("the phone's binding, with the private Contact it registered")
                            .containsPattern("Contact: <sip:2\\d{3}@192\\.168\\.77\\.10:5062>;expires=\\d+"));
            assertThat(metric(sbc, "sbc_registrar_phone_registers_total{outcome=\"relayed\"}")).isEqualTo(PHONES);
            assertThat(metric(sbc, "sbc_registrar_bindings_active")).isEqualTo(PHONES);
            String bindings = admin(sbc, "/admin/registrations");
            String source = "\"source\":\"" + PHONE_HOST.replace(".", "\\.") + ":" + phonePort + "\"";
            assertThat(bindings.split(source, -1))
                    .as("every binding keeps the (NAT) address it came from, not the Contact's private one")
                    .hasSize(PHONES + 1);

            // The same phones again (new Call-IDs, same contacts): refreshes the SBC answers alone.
            registerAll(work.resolve("phones-2"), phoneScenario, accounts, target, phonePort);
            Thread.sleep(500);
            assertThat(registersAt(pbx, PHONES, Duration.ZERO)).as("refreshes never reach the PBX").hasSize(PHONES);
            assertThat(metric(sbc, "sbc_registrar_phone_registers_total{outcome=\"absorbed\"}")).isEqualTo(PHONES);
            assertThat(metric(sbc, "sbc_registrar_phone_registers_total{outcome=\"refused\"}")).isZero();
            assertThat(metric(sbc, "sbc_registrar_pbx_registers_total{kind=\"register\"}")).isEqualTo(PHONES);
            assertThat(metric(sbc, "sbc_registrar_bindings_active")).isEqualTo(PHONES);
            assertThat(metric(sbc, "sbc_security_auth_failures_total")).isZero();
        }
    }

    /**
     * One SIPp run of the phone scenario over every account; asserts SIPp's own verdict (exit 0: no failed call)
     * and returns the messages the phones received.
     */
    private static List<String> registerAll(Path dir, Path scenario, Path accounts, String target, int port)
            throws Exception {
        try (Sipp phones = Sipp.start(dir, List.of("-sf", scenario.toString(), target, "-i", PHONE_HOST,
                "-p", Integer.toString(port), "-inf", accounts.toString(), "-r", Integer.toString(RATE),
                "-m", Integer.toString(PHONES), "-timeout", "20s"))) {
            int exit = phones.await(Duration.ofSeconds(30));
            assertThat(exit).as("SIPp phones: every registration succeeded\n%s", phones.diagnostics()).isZero();
            return phones.receivedMessages();
        }
    }

    /** The REGISTERs SIPp's PBX received, once there are {@code expected} or {@code wait} has passed. */
    private static List<String> registersAt(Sipp pbx, int expected, Duration wait) throws Exception {
        long deadline = System.nanoTime() + wait.toNanos();
        while (true) {
            List<String> registers = pbx.receivedMessages().stream().filter(m -> m.startsWith("REGISTER ")).toList();
            if (registers.size() >= expected || System.nanoTime() >= deadline) {
                return registers;
            }
            Thread.sleep(100);
        }
    }

    /**
     * The loopback topology with the phones' access zone over SIPp's address, marked as an office, and MD5
     * challenged first.
     */
    private SbcConfig officeConfig(int pbxPort, List<DigestUser> users) {
        SbcConfig base = TestConfigs.withPhones(TestConfigs.loopback(work, 0, 0, 0,
                        new ZoneConfig.PeerConfig("127.0.0.2", 5060, SipTransport.UDP),
                        new ZoneConfig.PeerConfig(PBX_HOST, pbxPort, SipTransport.UDP)),
                RegistrationConfig.DEFAULTS, List.of(PHONE_HOST + "/32"), users);
        List<ZoneConfig> zones = base.zones().stream()
                .map(z -> z.role() == ZoneConfig.ZoneRole.ACCESS
                        ? new ZoneConfig(z.name(), z.role(), z.networks(), z.peer(), z.srtp(), true) : z)
                .toList();
        SecurityConfig d = base.security();
        SecurityConfig md5First = new SecurityConfig(d.realm(), d.users(), d.nonceLifetime(), d.authFailureThreshold(),
                d.authFailureWindow(), d.banDuration(), d.banEscalation(), d.maxBanDuration(), d.maxBans(),
                d.banStateFile(), d.scannerFingerprints(), d.packetsPerSecond(), d.packetBurst(),
                d.peerPacketsPerSecond(), d.globalPacketsPerSecond(), d.requestsPerSecond(), d.floodBanAfter(),
                d.newInvitesPerSecond(), List.of(DigestAlgorithm.MD5, DigestAlgorithm.SHA_256));
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), md5First, base.fraud(),
                zones, base.management(), base.registration(), base.stirShaken());
    }

    /** A scenario of the test fixtures ({@code src-test-fixtures/src/main/resources/sipp/}), copied to disk. */
    private Path scenario(String name) throws IOException {
        Path file = work.resolve(name);
        try (InputStream in = Sipp.class.getResourceAsStream("/sipp/" + name)) {
            assertThat(in).as("scenario %s on the test class path", name).isNotNull();
            Files.copy(in, file);
        }
        return file;
    }

    private static String admin(SbcDaemon sbc, String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + sbc.managementPort() + path))
                        .header("Authorization", "Bearer test-token").timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return response.body();
    }
}
