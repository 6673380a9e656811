package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.StirShakenConfig;
import org.edgesbc.core.config.StirShakenConfig.FailureAction;
import org.edgesbc.fixtures.identity.TestStiCa;
import org.edgesbc.fixtures.net.FreePorts;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.fixtures.sipp.Sipp;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * STIR/SHAKEN through the real daemon, checked against an independent implementation: Debian's {@code secsipidx}
 * (the secsipid project) verifies what the SBC signed toward a SIPp trunk, signs what the SBC verifies, and serves
 * the certificate chain over HTTP on loopback. The STI-CA is made at test time.
 */
class StirShakenIT {
    private static final String CALLER = "+49891111111";
    private static final String CALLED = "+49892222222";

    @TempDir
    Path dataDir;

    private final TestStiCa ca = new TestStiCa("Test STI-CA", Instant.now());
    private final KeyPair keys = TestStiCa.ecKeys();
    private Process certificateServer;
    private String x5u;

    @BeforeEach
    void serveCertificates() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/secsipidx")),
                "secsipidx (Debian package secsipidx) is not installed; .ci/run installs it");
        X509Certificate leaf = ca.leaf(keys.getPublic());
        Path served = Files.createDirectories(dataDir.resolve("served"));
        Files.write(served.resolve("shaken.pem"), TestStiCa.pem(List.of(leaf, ca.intermediate)));
        Files.write(dataDir.resolve("key.pem"), TestStiCa.pem(keys.getPrivate()));
        Files.write(dataDir.resolve("root.pem"), TestStiCa.pem(List.of(ca.root)));
        Files.write(dataDir.resolve("intermediate.pem"), TestStiCa.pem(List.of(ca.intermediate)));
        int port = FreePorts.tcp("127.0.0.1");
        certificateServer = new ProcessBuilder("secsipidx", "-http-srv", "127.0.0.1:" + port, "-http-dir",
                served.toString()).redirectErrorStream(true).redirectOutput(dataDir.resolve("secsipidx.log").toFile())
                .start();
        awaitListening(port);
        // secsipidx serves the folder's files under /v1/pub/; a port in x5u must be accepted by every verifier.
        x5u = "http://127.0.0.1:" + port + "/v1/pub/shaken.pem";
    }

    @AfterEach
    void stopCertificateServer() throws InterruptedException {
        if (certificateServer != null) {
            certificateServer.destroy();
            certificateServer.waitFor(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCallLeavingThroughTheTrunkIsSignedAndSecsipidxVerifiesIt() throws Exception {
        assertThat(Sipp.available()).as("sipp on the PATH (Debian package sip-tester; .ci/run installs it)").isTrue();
        InetSocketAddress carrier = new InetSocketAddress("127.0.0.2", FreePorts.udp("127.0.0.2"));
        try (UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(carrier, pbx.localAddress(), FailureAction.MARK));
                Sipp trunk = Sipp.start(dataDir.resolve("sipp-trunk"), List.of("-sn", "uas", "-i", "127.0.0.2",
                        "-p", Integer.toString(carrier.getPort()), "-m", "1"))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            pbx.towards(sbcUdp);
            Thread.sleep(300);
            pbx.send(fromCaller(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, CALLED, "out@pbx",
                    "z9hG4bK-out", "o1")));
            String ok = pbx.receiveStartingWith("SIP/2.0 200 ", 5_000);
            assertThat(ok).as("SIPp, the carrier, answered through the SBC").isNotNull();
            pbx.send(SipMessages.inDialog("ACK", "sip:sbc@127.0.0.1:" + sbcUdp.getPort(), "UDP", pbx.localAddress(),
                    "out@pbx", header(ok, "From"), header(ok, "To"), 1, "z9hG4bK-out-ack"));
            pbx.send(SipMessages.inDialog("BYE", "sip:sbc@127.0.0.1:" + sbcUdp.getPort(), "UDP", pbx.localAddress(),
                    "out@pbx", header(ok, "From"), header(ok, "To"), 2, "z9hG4bK-out-bye"));
            assertThat(pbx.receiveStartingWith("SIP/2.0 200 ", 5_000)).as("the BYE answered").isNotNull();
            assertThat(trunk.await(Duration.ofSeconds(20))).as("SIPp uas: its call succeeded\n%s",
                    trunk.diagnostics()).isZero();

            String invite = trunk.receivedMessages().stream().filter(m -> m.startsWith("INVITE ")).findFirst()
                    .orElseThrow();
            String identity = header(invite, "Identity");
            assertThat(identity).as("signed (RFC 8224)").isNotNull().contains(";info=<" + x5u + ">")
                    .contains("alg=ES256").contains("ppt=shaken");
            String payload = new String(Base64.getUrlDecoder().decode(identity.split("\\.")[1]),
                    StandardCharsets.UTF_8);
            assertThat(payload).as("the PBX calling from the operator's range: attestation A")
                    .contains("\"attest\":\"A\"", "\"orig\":{\"tn\":\"49891111111\"}",
                            "\"dest\":{\"tn\":[\"49892222222\"]}");
            Path token = Files.writeString(dataDir.resolve("identity.txt"), identity);
            Secsipidx check = secsipidx("-check", "-fidentity", token.toString(), "-expire", "60", "-p", x5u,
                    // secsipid's mode bits: 1 validity in time, 4 the given root, 8 the given intermediates.
                    "-cert-verify", "13", "-ca-file", dataDir.resolve("root.pem").toString(), "-ca-inter",
                    dataDir.resolve("intermediate.pem").toString());
            assertThat(check.exit()).as("secsipidx verifies the SBC's token and chain: %s", check.output())
                    .isZero();
            List<String> cdrs = SbcDaemonIT.awaitCdrs(dataDir, 1);
            assertThat(cdrs.get(0)).contains("\"identity\":\"A\"").containsPattern("\"origid\":\"[0-9a-f-]{36}\"");
        }
    }

    @Test
    void aCallSignedBySecsipidxIsVerifiedAndThePbxSeesThePassedVerdict() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx, FailureAction.MARK))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.towards(sbcUdp);
            trunk.send(withIdentity(inbound(trunk, sbcUdp, "in-1"), signedBySecsipidx(CALLED, null)));
            String invite = pbx.receiveStartingWith("INVITE ", 5_000);
            assertThat(invite).as("the verified call reaches the PBX").isNotNull();
            assertThat(header(invite, "From")).contains(CALLER + ";verstat=TN-Validation-Passed@");
            assertThat(header(invite, "Identity")).as("the token stays at the edge").isNull();
        }
    }

    @Test
    void aTamperedTokenIsMarkedFailedForThePbxAndIsASecurityEvent() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx, FailureAction.MARK))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.towards(sbcUdp);
            trunk.send(withIdentity(inbound(trunk, sbcUdp, "in-2"), tampered(signedBySecsipidx(CALLED, null))));
            String invite = pbx.receiveStartingWith("INVITE ", 5_000);
            assertThat(invite).as("policy mark: relayed").isNotNull();
            assertThat(header(invite, "From")).contains(CALLER + ";verstat=TN-Validation-Failed@");
            assertThat(awaitEvents(1)).anySatisfy(e -> assertThat(e).contains("\"rule\":\"CALLER_ID\"",
                    "\"reason\":\"stir_shaken_bad_signature\"", "\"action\":\"mark\""));
        }
    }

    @Test
    void underPolicyRejectEachFailureGetsItsRfc8224Answer() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx, FailureAction.REJECT))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.towards(sbcUdp);
            long old = Instant.now().minusSeconds(120).getEpochSecond();
            trunk.send(withIdentity(inbound(trunk, sbcUdp, "stale"), signedBySecsipidx(CALLED, old)));
            assertThat(trunk.receiveStartingWith("SIP/2.0 403 Stale Date", 3_000)).as("stale iat").isNotNull();
            trunk.send(withIdentity(inbound(trunk, sbcUdp, "dest"), signedBySecsipidx("+49893333333", null)));
            assertThat(trunk.receiveStartingWith("SIP/2.0 438 ", 3_000)).as("another dest").isNotNull();
            String unreachable = signedBySecsipidx(CALLED, null, "http://127.0.0.1:" + FreePorts.tcp("127.0.0.1") + "/v1/pub/x.pem");
            trunk.send(withIdentity(inbound(trunk, sbcUdp, "x5u"), unreachable));
            assertThat(trunk.receiveStartingWith("SIP/2.0 436 ", 5_000)).as("unreachable certificate").isNotNull();
            trunk.send(inbound(trunk, sbcUdp, "none"));
            assertThat(trunk.receiveStartingWith("SIP/2.0 428 ", 3_000)).as("no Identity at all").isNotNull();
            assertThat(pbx.receiveStartingWith("INVITE ", 300)).as("nothing reached the PBX").isNull();
            assertThat(awaitEvents(4)).anySatisfy(e -> assertThat(e).contains("stir_shaken_stale"))
                    .anySatisfy(e -> assertThat(e).contains("stir_shaken_dest_mismatch"))
                    .anySatisfy(e -> assertThat(e).contains("stir_shaken_certificate_unavailable"))
                    .anySatisfy(e -> assertThat(e).contains("stir_shaken_no_identity"));
        }
    }

    @Test
    void aSlowCertificateServerHoldsUpOnlyItsOwnCall() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slow.createContext("/", exchange -> {
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        slow.start();
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx, FailureAction.MARK))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.towards(sbcUdp);
            pbx.towards(sbcUdp);
            String slowX5u = "http://127.0.0.1:" + slow.getAddress().getPort() + "/slow.pem";
            trunk.send(withIdentity(inbound(trunk, sbcUdp, "slow"), signedBySecsipidx(CALLED, null, slowX5u)));
            trunk.send(withIdentity(inbound(trunk, sbcUdp, "fast"), signedBySecsipidx(CALLED, null)));
            String first = pbx.receiveStartingWith("INVITE ", 1_500);
            assertThat(first).as("the call with a reachable certificate does not wait for the slow one").isNotNull();
            assertThat(header(first, "From")).contains("verstat=TN-Validation-Passed");
            release.countDown();
            String second = pbx.receiveStartingWith("INVITE ", 4_000);
            assertThat(second).as("the slow call goes on once its fetch fails").isNotNull();
            assertThat(header(second, "From")).contains("verstat=TN-Validation-Failed");
        } finally {
            release.countDown();
            slow.stop(0);
        }
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private SbcConfig config(UdpSipPeer trunk, UdpSipPeer pbx, FailureAction onFailure) {
        return config(trunk.localAddress(), pbx.localAddress(), onFailure);
    }

    private SbcConfig config(InetSocketAddress trunk, InetSocketAddress pbx, FailureAction onFailure) {
        SbcConfig base = TestConfigs.loopbackUdp(dataDir, trunk, pbx);
        StirShakenConfig stirShaken = new StirShakenConfig(
                new StirShakenConfig.Signing(Set.of("trunk"), dataDir.resolve("key.pem"), x5u, List.of("4989111"),
                        Map.of(), Map.of()),
                new StirShakenConfig.Verification(Map.of("trunk", onFailure), dataDir.resolve("root.pem"),
                        Duration.ofSeconds(60), Duration.ofSeconds(2), 100, Duration.ofMinutes(1),
                        Duration.ofHours(24), Duration.ofSeconds(1), Set.of()));
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), base.security(), base.fraud(),
                base.zones(), base.management(), base.registration(), stirShaken);
    }

    private static String fromCaller(String invite) {
        return invite.replace("sip:caller@", "sip:" + CALLER + "@");
    }

    private static String inbound(UdpSipPeer trunk, InetSocketAddress sbc, String callId) {
        return fromCaller(SipMessages.invite("UDP", trunk.localAddress(), sbc, CALLED, callId + "@trunk",
                "z9hG4bK-" + callId, callId));
    }

    private static String withIdentity(String invite, String identity) {
        return invite.replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nIdentity: " + identity + "\r\n");
    }

    private String signedBySecsipidx(String called, Long iat) throws Exception {
        return signedBySecsipidx(called, iat, x5u);
    }

    /**
     * An Identity header value signed by secsipidx: its own claims and parameters, or, for a given iat (which
     * {@code -sign-full} does not take), a token signed over the header and payload given, with the RFC 8224
     * parameters added here.
     */
    private String signedBySecsipidx(String called, Long iat, String certificateUrl) throws Exception {
        String key = dataDir.resolve("key.pem").toString();
        if (iat == null) {
            Secsipidx signed = secsipidx("-sign-full", "-orig-tn", CALLER.substring(1), "-dest-tn",
                    called.substring(1), "-attest", "A", "-x5u", certificateUrl, "-k", key);
            assertThat(signed.exit()).as("secsipidx signs: %s", signed.output()).isZero();
            return signed.output().trim();
        }
        Secsipidx signed = secsipidx("-sign", "-header", "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
                + "\"x5u\":\"" + certificateUrl + "\"}", "-payload", "{\"attest\":\"A\",\"dest\":{\"tn\":[\""
                + called.substring(1) + "\"]},\"iat\":" + iat + ",\"orig\":{\"tn\":\"" + CALLER.substring(1)
                + "\"},\"origid\":\"4437c7eb-8f93-4bd1-b7b5-f2e8a0ee2c60\"}", "-k", key);
        assertThat(signed.exit()).as("secsipidx signs: %s", signed.output()).isZero();
        return signed.output().trim() + ";info=<" + certificateUrl + ">;alg=ES256;ppt=shaken";
    }

    /** The token with one character of its signature changed, so that the signature no longer matches. */
    private static String tampered(String identity) {
        int signature = identity.lastIndexOf('.', identity.indexOf(';')) + 10;
        char replacement = identity.charAt(signature) == 'A' ? 'B' : 'A';
        return identity.substring(0, signature) + replacement + identity.substring(signature + 1);
    }

    private record Secsipidx(int exit, String output) { }

    private static Secsipidx secsipidx(String... arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add("secsipidx");
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return new Secsipidx(process.exitValue(), output);
    }

    private List<String> awaitEvents(int expected) throws IOException, InterruptedException {
        Path file = dataDir.resolve("security-events.jsonl");
        List<String> lines = List.of();
        for (int attempt = 0; attempt < 50; attempt++) {
            lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (lines.size() >= expected) {
                break;
            }
            Thread.sleep(100);
        }
        return lines;
    }

    private static void awaitListening(int port) throws InterruptedException {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (Socket socket = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        throw new AssertionError("secsipidx did not start serving on port " + port);
    }
}
