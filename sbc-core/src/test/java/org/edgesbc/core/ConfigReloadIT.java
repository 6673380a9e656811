package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.List;
import org.edgesbc.core.cli.SbcCommand;
import org.edgesbc.core.config.ConfigLoader;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.StreamSipPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.fixtures.tls.TestTls;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestAuthenticator;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.tls.PemFiles;
import org.edgesbc.transport.tls.SelfSignedCertificateGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reload of the whole YAML on the real daemon over loopback sockets: a call set up before a reload stays up across
 * it, a TLS connection opened before keeps its certificate and keeps working, and what the reload changed (a user,
 * a request budget, the certificate) is in force for what comes after. An invalid file and a change that needs a
 * restart change nothing.
 */
class ConfigReloadIT {
    private static final long WAIT = 5_000;
    private static final String TOKEN = "reload-test-token-0123456789";
    private static final String PASSWORD = "phone-secret-42";

    @TempDir
    Path dir;

    private Path file;
    private Path certificate;
    private Path key;

    /**
     * What the tests change between generations of the file. Ports 0 bind ephemeral ones; the management port is a
     * fixed one only where the CLI must find the daemon through the file.
     */
    private record Knobs(List<String> users, int registerRate, int tcpPort, String packetsPerSecond,
            int managementPort) {
        Knobs(List<String> users, int registerRate, int tcpPort, String packetsPerSecond) {
            this(users, registerRate, tcpPort, packetsPerSecond, 0);
        }
    }

    private static final Knobs START = new Knobs(List.of("1001"), 100, 0, "50");

    @BeforeEach
    void certificateAndFile() throws IOException {
        file = dir.resolve("sbc.yaml");
        certificate = dir.resolve("sbc-cert.pem");
        key = dir.resolve("sbc-key.pem");
        SelfSignedCertificateGenerator.generate(certificate, key, List.of("127.0.0.1"));
    }

    /** The configuration file with the trunk and PBX peers at their bound addresses. */
    private void write(Knobs knobs, InetSocketAddress trunk, InetSocketAddress pbx) throws IOException {
        StringBuilder users = new StringBuilder();
        for (String user : knobs.users()) {
            users.append("    - {user: \"").append(user).append("\", ha1-md5: ")
                    .append(DigestAuthenticator.ha1(DigestAlgorithm.MD5, user, TestConfigs.REALM, PASSWORD))
                    .append("}\n");
        }
        Files.writeString(file, """
                data-dir: .
                sip:
                  listeners:
                    - {name: udp, transport: udp, address: 127.0.0.1, port: 0}
                    - {name: tcp, transport: tcp, address: 127.0.0.1, port: %d}
                    - {name: tls, transport: tls, address: 127.0.0.1, port: 0}
                  tls: {certificate: sbc-cert.pem, private-key: sbc-key.pem, verify-peers: false}
                media: {address: 127.0.0.1, advertised-address: 127.0.0.1, port-min: 61000, port-max: 61999}
                security:
                  realm: %s
                  users:
                %s  rate-limits:
                    packets-per-second: %s
                    requests-per-second: {register: %d, invite: 100, options: 100, other: 100}
                zones:
                  - {name: trunk, role: trunk, networks: [127.0.0.2/32], peer: {host: 127.0.0.2, port: %d}}
                  - {name: pbx, role: pbx, networks: [127.0.0.3/32], peer: {host: 127.0.0.3, port: %d}}
                  - {name: phones, role: access, networks: [127.0.0.0/25]}
                management: {address: 127.0.0.1, port: %d, token: %s}
                """.formatted(knobs.tcpPort(), TestConfigs.REALM, users, knobs.packetsPerSecond(),
                knobs.registerRate(), trunk.getPort(), pbx.getPort(), knobs.managementPort(), TOKEN));
    }

    private static HttpResponse<String> postReload(SbcDaemon sbc) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + sbc.managementPort() + "/admin/reload"))
                        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    }

    /** The value of the first series of {@code name} whose labels include every one of {@code labels}. */
    private static double metric(SbcDaemon sbc, String name, String... labels) throws Exception {
        for (String line : SbcDaemonIT.metrics(sbc).split("\n")) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                String series = line.substring(0, line.lastIndexOf(' '));
                if (List.of(labels).stream().allMatch(series::contains)) {
                    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        throw new AssertionError("no series " + name + " with " + List.of(labels));
    }

    private TestPhone udpPhone(SbcDaemon sbc, String host, String user) throws IOException {
        return new TestPhone(new UdpSipPeer(new InetSocketAddress(host, 0), sbc.sipAddress(SipTransport.UDP)), "UDP",
                TestConfigs.REALM, user, PASSWORD, "sip:" + user + "@192.168.1.40:5062");
    }

    /**
     * REGISTERs without credentials from one new source, each its own transaction, sent at once: how many are
     * answered (with a 401) before the source's REGISTER budget runs dry.
     */
    private static int answeredRegisters(SbcDaemon sbc, String host, int sent) throws IOException {
        try (UdpSipPeer probe = new UdpSipPeer(new InetSocketAddress(host, 0), sbc.sipAddress(SipTransport.UDP))) {
            String from = host + ":" + probe.localAddress().getPort();
            for (int i = 1; i <= sent; i++) {
                probe.send("REGISTER sip:" + TestConfigs.REALM + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP " + from + ";branch=z9hG4bK-probe-" + i + ";rport\r\n"
                        + "Max-Forwards: 70\r\n"
                        + "From: <sip:2000@" + TestConfigs.REALM + ">;tag=probe" + i + "\r\n"
                        + "To: <sip:2000@" + TestConfigs.REALM + ">\r\n"
                        + "Call-ID: probe-" + i + "-" + host + "\r\n"
                        + "CSeq: 1 REGISTER\r\n"
                        + "Contact: <sip:2000@192.168.1.50:5062>\r\n"
                        + "Content-Length: 0\r\n\r\n");
            }
            int answered = 0;
            // Every answer the SBC gives comes within the bounded wait; the dropped ones never come.
            while (probe.receiveStartingWith("SIP/2.0 401 ", 1_000) != null) {
                answered++;
            }
            return answered;
        }
    }

    /**
     * A call from the trunk through the SBC to {@code pbx}, answered and acknowledged; the INVITE as the PBX got it.
     *
     * @param name makes the Call-ID, branches and tags of this call
     */
    private static String establishCall(UdpSipPeer trunk, RegistrarPbx pbx, InetSocketAddress sbcUdp, String name)
            throws Exception {
        trunk.towards(sbcUdp);
        trunk.send(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", name + "@trunk.example",
                "z9hG4bK-" + name, "trunk-" + name));
        String invite = pbx.next("INVITE ", WAIT);
        assertThat(invite).as("the INVITE of %s reaches the PBX at %s", name, pbx.address()).isNotNull();
        pbx.send(sbcUdp, SipMessages.answer(invite, 200, "OK", "pbx-tag", "<sip:pbx@127.0.0.3:"
                + pbx.address().getPort() + ">", SipMessages.sdp("127.0.0.3", 42_000)));
        String ok = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
        assertThat(ok).as("the 200 reaches the trunk").isNotNull();
        trunk.send(SipMessages.inDialog("ACK", header(ok, "Contact").replaceAll("[<>]", ""), "UDP",
                trunk.localAddress(), name + "@trunk.example", header(ok, "From"), header(ok, "To"), 1,
                "z9hG4bK-" + name + "-ack"));
        assertThat(pbx.next("ACK ", WAIT)).isNotNull();
        return invite;
    }

    /** The PBX ends the call {@code invite} set up: the BYE reaches the trunk and its 200 comes back. */
    private static void hangUpFromThePbx(UdpSipPeer trunk, RegistrarPbx pbx, InetSocketAddress sbcUdp, String invite)
            throws Exception {
        String sbcContact = header(invite, "Contact").replaceAll("[<>]", "");
        pbx.send(sbcUdp, SipMessages.inDialog("BYE", sbcContact, "UDP", pbx.address(), header(invite, "Call-ID"),
                "<sip:pbx@127.0.0.3>;tag=pbx-tag", header(invite, "From"), 2,
                "z9hG4bK-bye-" + pbx.address().getPort()));
        String bye = trunk.receiveStartingWith("BYE ", WAIT);
        assertThat(bye).as("the call hangs up normally").isNotNull();
        trunk.send(SipMessages.answer(bye, 200, "OK", null, null));
        assertThat(pbx.next("SIP/2.0 200 ", WAIT)).as("the BYE is answered").isNotNull();
    }

    @Test
    void aMovedPeerGetsNewCallsWhileACallInProgressStaysWithTheOldOne() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                RegistrarPbx newPbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0))) {
            write(START, trunk.localAddress(), pbx.address());
            try (SbcDaemon sbc = SbcDaemon.start(ConfigLoader.load(file))) {
                InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
                String first = establishCall(trunk, pbx, sbcUdp, "before-move");
                write(START, trunk.localAddress(), newPbx.address());
                assertThat(postReload(sbc).statusCode()).isEqualTo(200);

                String second = establishCall(trunk, newPbx, sbcUdp, "after-move");
                assertThat(sbc.activeDialogs()).isEqualTo(2);
                hangUpFromThePbx(trunk, pbx, sbcUdp, first);
                hangUpFromThePbx(trunk, newPbx, sbcUdp, second);
                SbcDaemonIT.awaitDialogs(sbc, 0);
                assertThat(pbx.next("INVITE ", 200)).as("no new call reached the old PBX").isNull();
            }
        }
    }

    @Test
    void aCallStaysUpAcrossAReloadThatAddsAUserLowersARateLimitAndSwapsTheCertificate() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0))) {
            write(START, trunk.localAddress(), pbx.address());
            try (SbcDaemon sbc = SbcDaemon.start(ConfigLoader.load(file));
                    StreamSipPeer tlsBefore = SbcDaemonIT.connect(SipTransport.TLS, "127.0.0.13", sbc,
                            TestTls.trusting(certificate));
                    TestPhone newcomer = udpPhone(sbc, "127.0.0.21", "1009")) {
                X509Certificate first = PemFiles.certificates(certificate)[0];
                assertThat(metric(sbc, "sbc_config_generation")).isEqualTo(1);
                assertThat(metric(sbc, "sbc_tls_certificate_expiry_timestamp_seconds", "listener=\"tls\""))
                        .isEqualTo(first.getNotAfter().toInstant().getEpochSecond());
                TestPhone tlsPhone = new TestPhone(tlsBefore, "TLS", TestConfigs.REALM, "1001", PASSWORD,
                        "sip:1001@192.168.1.13:5063;transport=tls");
                assertThat(tlsPhone.register(600)).startsWith("SIP/2.0 200 ");
                assertThat(newcomer.register(60)).as("1009 is not a user yet").startsWith("SIP/2.0 401 ");
                assertThat(answeredRegisters(sbc, "127.0.0.30", 6)).as("100 REGISTERs/s admit all six").isEqualTo(6);

                InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
                String invite = establishCall(trunk, pbx, sbcUdp, "kept");
                assertThat(sbc.activeDialogs()).isEqualTo(1);
                assertThat(sbc.activeMediaSessions()).isEqualTo(1);

                // The operator adds 1009, lowers the REGISTER budget to 1/s and rotates the certificate in place.
                SelfSignedCertificateGenerator.generate(certificate, key, List.of("127.0.0.1"));
                X509Certificate second = PemFiles.certificates(certificate)[0];
                assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
                write(new Knobs(List.of("1001", "1009"), 1, 0, "50"), trunk.localAddress(), pbx.address());
                HttpResponse<String> reloaded = postReload(sbc);
                assertThat(reloaded.statusCode()).as(reloaded.body()).isEqualTo(200);
                assertThat(reloaded.body()).contains("\"result\":\"ok\"", "\"generation\":2", "\"problems\":[]");

                assertThat(newcomer.register(60)).as("1009 registers after the reload").startsWith("SIP/2.0 200 ");
                assertThat(answeredRegisters(sbc, "127.0.0.31", 6))
                        .as("1 REGISTER/s with a burst of 4 s admits four of six sent at once").isBetween(4, 5);
                try (StreamSipPeer tlsAfter = SbcDaemonIT.connect(SipTransport.TLS, "127.0.0.14", sbc,
                        TestTls.trusting(certificate))) {
                    assertThat(((X509Certificate) tlsAfter.peerCertificates()[0]).getSerialNumber())
                            .as("a new TLS connection gets the new certificate").isEqualTo(second.getSerialNumber());
                }
                assertThat(((X509Certificate) tlsBefore.peerCertificates()[0]).getSerialNumber())
                        .isEqualTo(first.getSerialNumber());
                assertThat(tlsPhone.register(600)).as("the TLS connection opened before the reload still works")
                        .startsWith("SIP/2.0 200 ");

                assertThat(sbc.activeDialogs()).as("the call is still up").isEqualTo(1);
                assertThat(sbc.activeMediaSessions()).isEqualTo(1);
                hangUpFromThePbx(trunk, pbx, sbcUdp, invite);
                SbcDaemonIT.awaitDialogs(sbc, 0);

                assertThat(metric(sbc, "sbc_config_generation")).isEqualTo(2);
                assertThat(metric(sbc, "sbc_config_reload_total", "result=\"ok\"")).isEqualTo(1);
                assertThat(metric(sbc, "sbc_config_loaded_timestamp_seconds")).isPositive();
                assertThat(metric(sbc, "sbc_tls_certificate_expiry_timestamp_seconds", "listener=\"tls\""))
                        .isEqualTo(second.getNotAfter().toInstant().getEpochSecond());
            }
        }
    }

    @Test
    void anInvalidFileChangesNothingAndTheCliReportsFileAndLine() throws Exception {
        int managementPort;
        try (ServerSocket free = SbcDaemonIT.listen("127.0.0.1")) {
            managementPort = free.getLocalPort();
        }
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0))) {
            write(new Knobs(List.of("1001"), 100, 0, "50", managementPort), trunk.localAddress(), pbx.address());
            try (SbcDaemon sbc = SbcDaemon.start(ConfigLoader.load(file));
                    TestPhone phone = udpPhone(sbc, "127.0.0.22", "1001")) {
                write(new Knobs(List.of(), 1, 0, "lots", managementPort), trunk.localAddress(), pbx.address());
                HttpResponse<String> refused = postReload(sbc);
                assertThat(refused.statusCode()).isEqualTo(422);
                assertThat(refused.body()).contains("\"result\":\"failed\"", "\"generation\":1",
                        file + ":13: security.rate-limits.packets-per-second = 'lots'");

                // The CLI reads the management section of the file, which an invalid file cannot give it.
                StringWriter err = new StringWriter();
                int exit = new SbcCommand(config -> { throw new AssertionError("reload starts nothing"); })
                        .commandLine().setErr(new PrintWriter(err)).execute("reload", "--config", file.toString());
                assertThat(exit).isEqualTo(1);
                assertThat(err.toString()).contains(file + ":13: security.rate-limits.packets-per-second = 'lots'",
                        "nothing was reloaded");

                assertThat(phone.register(60)).as("1001 is still a user").startsWith("SIP/2.0 200 ");
                assertThat(answeredRegisters(sbc, "127.0.0.32", 6)).as("the old budget holds").isEqualTo(6);
                assertThat(metric(sbc, "sbc_config_generation")).isEqualTo(1);
                assertThat(metric(sbc, "sbc_config_reload_total", "result=\"failed\"")).isEqualTo(1);
                assertThat(metric(sbc, "sbc_config_reload_total", "result=\"ok\"")).isZero();

                // Fixed, the same file reloads through the CLI.
                write(new Knobs(List.of("1001", "1009"), 100, 0, "50", managementPort), trunk.localAddress(),
                        pbx.address());
                StringWriter out = new StringWriter();
                assertThat(new SbcCommand(config -> { throw new AssertionError("reload starts nothing"); })
                        .commandLine().setOut(new PrintWriter(out)).execute("reload", "--config", file.toString()))
                        .isZero();
                assertThat(out.toString()).contains("\"result\":\"ok\"", "\"generation\":2");
            }
        }
    }

    @Test
    void aChangedListenerPortIsRefusedNamingTheKey() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0))) {
            write(START, trunk.localAddress(), pbx.address());
            try (SbcDaemon sbc = SbcDaemon.start(ConfigLoader.load(file));
                    TestPhone newcomer = udpPhone(sbc, "127.0.0.23", "1009")) {
                int tcpPort = sbc.sipAddress(SipTransport.TCP).getPort();
                write(new Knobs(List.of("1001", "1009"), 100, tcpPort == 65_535 ? 65_534 : tcpPort + 1, "50"),
                        trunk.localAddress(), pbx.address());
                HttpResponse<String> refused = postReload(sbc);
                assertThat(refused.statusCode()).isEqualTo(409);
                assertThat(refused.body()).contains("\"result\":\"refused\"", "\"generation\":1",
                        "sip.listeners[tcp].port: '0' -> '");
                assertThat(newcomer.register(60)).as("nothing of the refused file took effect, not even the user")
                        .startsWith("SIP/2.0 401 ");
                assertThat(metric(sbc, "sbc_config_generation")).isEqualTo(1);
                assertThat(metric(sbc, "sbc_config_reload_total", "result=\"refused\"")).isEqualTo(1);
            }
        }
    }
}
