package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;
import static org.edgesbc.fixtures.sip.SipTestPeer.headers;
import static org.edgesbc.fixtures.sip.SipTestPeer.tag;
import static org.edgesbc.fixtures.sip.SipTestPeer.topBranch;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.fixtures.sip.StreamSipPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The real daemon on loopback, driven by peers that share none of its code, over UDP, TCP and TLS. */
class SbcDaemonIT {
    private static final long WAIT = 5_000;

    @TempDir
    Path dataDir;

    @Test
    void udpCallsInBothDirectionsHideEachSidesTopology() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            SbcConfig config = TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress());
            try (SbcDaemon sbc = SbcDaemon.start(config)) {
                InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
                trunk.towards(sbcUdp);
                pbx.towards(sbcUdp);
                placeCall(trunk, "UDP", pbx, "UDP", sbcUdp, "call-a@trunk.example");
                placeCall(pbx, "UDP", trunk, "UDP", sbcUdp, "call-b@pbx.example");
                awaitDialogs(sbc, 0);
                assertThat(awaitCdrs(dataDir, 2)).hasSize(2).allSatisfy(c -> assertThat(c)
                        .contains("\"disposition\":\"answered\"", "\"sip_status\":200", "\"ended_by\":\"callee\""));
                assertThat(metric(sbc, "sbc_relay_calls_ended_total{disposition=\"answered\",ended_by=\"callee\"}"))
                        .isEqualTo(2.0);
            }
        }
    }

    /**
     * The relay on threads of its own, on the one I/O thread, and on two I/O threads (two UDP sockets on one port:
     * a message read by the loop that does not own its dialog crosses to the one that does).
     */
    @ParameterizedTest(name = "io-threads {0}, worker-threads {1}")
    @CsvSource({"1, 2", "1, 0", "2, 0"})
    void callsCompleteWhicheverThreadsTheRelayRunsOn(int ioThreads, int workerThreads) throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            SbcConfig config = TestConfigs.withThreads(
                    TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress()), ioThreads,
                    workerThreads);
            try (SbcDaemon sbc = SbcDaemon.start(config)) {
                InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
                trunk.towards(sbcUdp);
                pbx.towards(sbcUdp);
                for (int i = 0; i < 4; i++) {
                    placeCall(trunk, "UDP", pbx, "UDP", sbcUdp, "call-" + i + "-a@trunk.example");
                    placeCall(pbx, "UDP", trunk, "UDP", sbcUdp, "call-" + i + "-b@pbx.example");
                }
                awaitDialogs(sbc, 0);
                assertThat(awaitCdrs(dataDir, 8)).hasSize(8).allSatisfy(c -> assertThat(c)
                        .contains("\"disposition\":\"answered\"", "\"ended_by\":\"callee\""));
            }
        }
    }

    @Test
    void tlsTrunkInterworksWithTcpPbx() throws Exception {
        try (ServerSocket pbxListener = listen("127.0.0.3");
                UdpSipPeer trunkUdp = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0))) {
            SbcConfig config = TestConfigs.loopback(dataDir, 0, 0, 0, peer(trunkUdp.localAddress(), SipTransport.TLS),
                    peer((InetSocketAddress) pbxListener.getLocalSocketAddress(), SipTransport.TCP));
            try (SbcDaemon sbc = SbcDaemon.start(config);
                    StreamSipPeer trunk = connect(SipTransport.TLS, "127.0.0.2", sbc,
                            trusting(dataDir.resolve("tls/sbc-cert.pem")))) {
                trunk.send(SipMessages.invite("TLS", trunk.localAddress(), sbc.sipAddress(SipTransport.TLS), "100",
                        "probe@tls", "z9hG4bK-probe", "t0"));
                try (StreamSipPeer pbx = StreamSipPeer.accept(pbxListener, (int) WAIT)) {
                    String invite = pbx.receiveStartingWith("INVITE ", WAIT);
                    assertThat(invite).isNotNull();
                    assertThat(header(invite, "Via")).startsWith("SIP/2.0/TCP 127.0.0.1:"
                            + sbc.sipAddress(SipTransport.TCP).getPort());
                    pbx.send(SipMessages.answer(invite, 486, "Busy Here", "busy", null));
                    assertThat(pbx.receiveStartingWith("ACK ", WAIT)).as("hop-by-hop ACK for the 486").isNotNull();
                    assertThat(trunk.receiveStartingWith("SIP/2.0 486 ", WAIT)).isNotNull();
                    // A second call reuses the SBC's connection to the PBX.
                    placeCall(trunk, "TLS", pbx, "TCP", sbc.sipAddress(SipTransport.TLS), "call-c@tls.example");
                }
                awaitDialogs(sbc, 0);
            }
        }
    }

    @Test
    void sourcesOutsideEveryZoneGetNoAnswerAndAreCounted() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            SbcConfig config = TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress());
            try (SbcDaemon sbc = SbcDaemon.start(config);
                    UdpSipPeer stranger = new UdpSipPeer(new InetSocketAddress("127.0.0.200", 0),
                            sbc.sipAddress(SipTransport.UDP))) {
                stranger.send(SipMessages.invite("UDP", stranger.localAddress(), sbc.sipAddress(SipTransport.UDP),
                        "100", "scan@x", "z9hG4bK-scan", "s1"));
                stranger.send("OPTIONS sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.200:5060;branch=z9hG4bK-o"
                        + "\r\nFrom: <sip:x@127.0.0.200>;tag=1\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: o1\r\n"
                        + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
                assertThat(stranger.receive(1_000)).as("no answer to an unadmitted source").isNull();
                assertThat(pbx.receive(200)).isNull();
                assertThat(metrics(sbc)).containsPattern("sbc_transport_admission_dropped_total\\{[^}]*transport=\"udp\"[^}]*} [1-9]");
                try (StreamSipPeer tcpStranger = StreamSipPeer.tcp(new InetSocketAddress("127.0.0.200", 0),
                        sbc.sipAddress(SipTransport.TCP))) {
                    assertThat(tcpStranger.closedByPeer(2_000)).as("connection from outside closed").isTrue();
                }
            }
        }
    }

    @Test
    void hostileBytesNeverStopTheDaemon() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            SbcConfig config = TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress());
            try (SbcDaemon sbc = SbcDaemon.start(config)) {
                InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
                trunk.towards(sbcUdp);
                pbx.towards(sbcUdp);
                String good = SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", "hostile@x",
                        "z9hG4bK-h", "h1");
                List<byte[]> hostile = new ArrayList<>();
                hostile.add(new byte[] {(byte) 0xff, 0x00, 0x13, 0x37});
                hostile.add("\r\n\r\n\r\n".getBytes(StandardCharsets.UTF_8));
                hostile.add(good.substring(0, good.length() / 2).getBytes(StandardCharsets.UTF_8));
                hostile.add(good.replace("Content-Length: ", "Content-Length: 5\r\nContent-Length: ")
                        .getBytes(StandardCharsets.UTF_8));
                hostile.add(good.replace("Content-Length: ", "Content-Length: -").getBytes(StandardCharsets.UTF_8));
                hostile.add(good.replace("CSeq: 1", "CSeq: \u0000 1").getBytes(StandardCharsets.UTF_8));
                hostile.add(good.replace("SIP/2.0\r\n", "SIP/3.0\r\n").getBytes(StandardCharsets.UTF_8));
                hostile.add(good.replace("Max-Forwards: 70\r\n",
                        "Max-Forwards: 70\r\n" + "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx\r\n".repeat(10_000))
                        .getBytes(StandardCharsets.UTF_8));
                hostile.add(good.replace("Max-Forwards: 70\r\n",
                        "Max-Forwards: 70\r\nSubject: " + "x".repeat(60_000) + "\r\n").getBytes(StandardCharsets.UTF_8));
                hostile.add(good.replace("Call-ID: hostile@x\r\n", "").getBytes(StandardCharsets.UTF_8));
                hostile.add(good.replace("From: \"Caller\" <sip:caller@127.0.0.2>", "From: <<<")
                        .getBytes(StandardCharsets.UTF_8));
                for (byte[] bytes : hostile) {
                    if (bytes.length <= 65_000) {
                        trunk.sendBytes(bytes);
                    }
                }
                List<String> answers = new ArrayList<>();
                String answer;
                while ((answer = trunk.receive(500)) != null) {
                    answers.add(answer);
                }
                // SIP/3.0 gets 505 (RFC 3261 §21.5.7, RFC 4475 §3.1.2.16); every other refusal is a 4xx.
                assertThat(answers).allMatch(a -> a.startsWith("SIP/2.0 4") || a.startsWith("SIP/2.0 505 "));
                assertThat(answers).anyMatch(a -> a.startsWith("SIP/2.0 505 "));
                assertThat(answers).anyMatch(a -> a.startsWith("SIP/2.0 400 "));
                assertThat(pbx.receive(200)).as("nothing hostile reaches the PBX").isNull();

                try (StreamSipPeer tcp = connect(SipTransport.TCP, "127.0.0.2", sbc, null)) {
                    tcp.send(good.replace("Content-Length: ", "Content-Length: 99999"));
                    assertThat(tcp.closedByPeer(3_000)).as("stream with a lying Content-Length closed").isTrue();
                }
                assertThat(metrics(sbc)).contains("sbc_transport_gate_rejected_total");
                placeCall(trunk, "UDP", pbx, "UDP", sbcUdp, "after-hostile@trunk.example");
            }
        }
    }

    private static ZoneConfig.PeerConfig peer(InetSocketAddress address, SipTransport transport) {
        return new ZoneConfig.PeerConfig(address.getAddress().getHostAddress(), address.getPort(), transport);
    }

    /**
     * RFC 6026: a callee that retransmits its 200 (it has no ACK yet) reaches the caller each time, with the same
     * bytes the first one was relayed as, until the ACK arrives.
     */
    @Test
    void aRetransmittedAnswerReachesTheCallerAgainUnchanged() throws Exception {
        try (TrunkAndPbx sides = new TrunkAndPbx(dataDir, config -> config)) {
            UdpSipPeer trunk = sides.trunk;
            UdpSipPeer pbx = sides.pbx;
            String invite = inviteToPbx(sides.sbc, trunk, pbx, "retrans-ok@trunk");
            String ok = answerOk(pbx, invite);
            pbx.send(ok);
            String first = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            pbx.send(ok);
            String second = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(first).isNotNull();
            assertThat(second).as("the retransmitted 200, relayed").isEqualTo(first);
            trunk.send(SipMessages.inDialog("ACK", RelayedCall.uriOf(header(first, "Contact")), "UDP",
                    trunk.localAddress(), "retrans-ok@trunk", header(first, "From"), header(first, "To"), 1,
                    "z9hG4bK-rok-ack"));
            assertThat(pbx.receiveStartingWith("ACK ", WAIT)).as("ACK relayed").isNotNull();
        }
    }

    /**
     * After the 200 the caller's INVITE transaction still exists (RFC 6026 §8.7, Timer L): its retransmitted INVITE
     * is absorbed, not relayed again, and a CANCEL for it is answered 200 and changes nothing (RFC 3261 §9.2).
     */
    @Test
    void aRetransmittedInviteOrACancelAfterTheAnswerChangesNothing() throws Exception {
        try (TrunkAndPbx sides = new TrunkAndPbx(dataDir, config -> config)) {
            UdpSipPeer trunk = sides.trunk;
            UdpSipPeer pbx = sides.pbx;
            String callId = "late-cancel@trunk";
            String invite = inviteToPbx(sides.sbc, trunk, pbx, callId);
            pbx.send(answerOk(pbx, invite));
            assertThat(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT)).isNotNull();

            String sent = SipMessages.invite("UDP", trunk.localAddress(), sides.sbcUdp, "5551234",
                    callId, "z9hG4bK-" + callId.hashCode(), "caller-tag");
            trunk.send(sent);
            String head = sent.substring(0, sent.indexOf("\r\n\r\n"));
            trunk.send("CANCEL " + head.substring("INVITE ".length(), head.indexOf(" SIP/2.0")) + " SIP/2.0\r\n"
                    + "Via: " + header(head, "Via") + "\r\nMax-Forwards: 70\r\nFrom: " + header(head, "From")
                    + "\r\nTo: " + header(head, "To") + "\r\nCall-ID: " + callId + "\r\nCSeq: 1 CANCEL\r\n"
                    + "Content-Length: 0\r\n\r\n");
            String cancelAnswer = null;
            for (long end = System.currentTimeMillis() + WAIT; cancelAnswer == null
                    && System.currentTimeMillis() < end; ) {
                String got = trunk.receive(200);
                if (got != null && "1 CANCEL".equals(header(got, "CSeq"))) {
                    cancelAnswer = got;
                }
            }
            assertThat(cancelAnswer).as("the CANCEL answered").isNotNull().startsWith("SIP/2.0 200 ");
            assertThat(pbx.receiveStartingWith("CANCEL ", 500)).as("and not relayed").isNull();
            assertThat(pbx.receiveStartingWith("INVITE ", 300)).as("the retransmitted INVITE absorbed").isNull();
        }
    }

    /**
     * RFC 3261 §13.3.1.4 from the middle: a caller that never ACKs the 200 (it gave up, or crashed) does not leave
     * the dialog up on either side; after 64*T1 the SBC sends BYE to both and the dialog is gone.
     */
    @Test
    void aCallerThatNeverAcksTheAnswerIsHungUpOnBothSides() throws Exception {
        try (TrunkAndPbx sides = new TrunkAndPbx(dataDir, SbcDaemonIT::withShortTimers)) {
            UdpSipPeer trunk = sides.trunk;
            UdpSipPeer pbx = sides.pbx;
            String invite = inviteToPbx(sides.sbc, trunk, pbx, "no-ack@trunk");
            pbx.send(answerOk(pbx, invite));
            assertThat(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT)).isNotNull();
            awaitDialogs(sides.sbc, 1);
            // No ACK from the caller.
            String byeToCaller = trunk.receiveStartingWith("BYE ", 4 * WAIT);
            String byeToCallee = pbx.receiveStartingWith("BYE ", WAIT);
            assertThat(byeToCaller).as("BYE toward the caller").isNotNull().contains("no-ack@trunk");
            assertThat(byeToCallee).as("BYE toward the callee").isNotNull().contains(header(invite, "Call-ID"));
            awaitDialogs(sides.sbc, 0);
            assertThat(metric(sides.sbc,
                    "sbc_relay_calls_ended_total{disposition=\"answered\",ended_by=\"sbc:no-ack\"}")).isEqualTo(1.0);
        }
    }

    /**
     * A hang-up the far side never answers (its 200 for the BYE lost, or the far side gone) is still the caller's, and
     * the call ended when the BYE came, not 64*T1 later when the SBC gave up waiting: the record's duration is what
     * was talked, and the SBC is not named as having ended a call it only relayed the end of.
     */
    @Test
    void aHangUpTheCalleeNeverAnswersEndsTheCallWhenTheByeCame() throws Exception {
        try (TrunkAndPbx sides = new TrunkAndPbx(dataDir, SbcDaemonIT::withShortTimers)) {
            UdpSipPeer trunk = sides.trunk;
            UdpSipPeer pbx = sides.pbx;
            String callId = "unanswered-bye@trunk";
            String invite = inviteToPbx(sides.sbc, trunk, pbx, callId);
            pbx.send(answerOk(pbx, invite));
            String ok = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(ok).as("200 relayed to the caller").isNotNull();
            String sbcUri = RelayedCall.uriOf(header(ok, "Contact"));
            trunk.send(SipMessages.inDialog("ACK", sbcUri, "UDP", trunk.localAddress(), callId, header(ok, "From"),
                    header(ok, "To"), 1, "z9hG4bK-ack-unanswered"));
            assertThat(pbx.receiveStartingWith("ACK ", WAIT)).as("ACK relayed to the callee").isNotNull();
            trunk.send(SipMessages.inDialog("BYE", sbcUri, "UDP", trunk.localAddress(), callId, header(ok, "From"),
                    header(ok, "To"), 2, "z9hG4bK-bye-unanswered"));
            assertThat(pbx.receiveStartingWith("BYE ", WAIT)).as("BYE relayed to the callee").isNotNull();
            // The callee never answers the BYE: the SBC's client transaction times out after 64*T1.
            assertThat(trunk.receiveStartingWith("SIP/2.0 408 ", 4 * WAIT)).as("408 for the caller's BYE").isNotNull();
            awaitDialogs(sides.sbc, 0);
            assertThat(awaitCdrs(dataDir, 1)).singleElement().satisfies(c -> assertThat(c)
                    .contains("\"disposition\":\"answered\"", "\"ended_by\":\"caller\"", "\"duration_seconds\":0"));
            assertThat(metric(sides.sbc,
                    "sbc_relay_calls_ended_total{disposition=\"answered\",ended_by=\"caller\"}")).isEqualTo(1.0);
        }
    }

    /**
     * T1 = 200 ms: 64*T1 is 12.8 s. (Much shorter, and a cold JVM's first message can wait longer than T1 and be
     * dropped as stale.)
     */
    private static SbcConfig withShortTimers(SbcConfig config) {
        return TestConfigs.withT1(config, Duration.ofMillis(200));
    }

    /** An INVITE from the trunk with {@code callId}, as the PBX receives it. */
    private static String inviteToPbx(SbcDaemon sbc, UdpSipPeer trunk, UdpSipPeer pbx, String callId)
            throws IOException {
        InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
        trunk.towards(sbcUdp);
        pbx.towards(sbcUdp);
        trunk.send(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", callId,
                "z9hG4bK-" + callId.hashCode(), "caller-tag"));
        String invite = pbx.receiveStartingWith("INVITE ", WAIT);
        assertThat(invite).as("INVITE relayed to the PBX").isNotNull();
        return invite;
    }

    /** The PBX's 200 with SDP for {@code invite}. */
    private static String answerOk(UdpSipPeer pbx, String invite) {
        return SipMessages.answer(invite, 200, "OK", "callee-tag", "<sip:callee@127.0.0.3:"
                + pbx.localAddress().getPort() + ">", SipMessages.sdp("127.0.0.3", 42_000));
    }

    /**
     * A whole call: INVITE with SDP, 180, 200, ACK, then BYE from the callee and its 200. Checks that what each side
     * receives carries none of the other side's addresses, Call-ID, branches or product names.
     */
    static void placeCall(SipTestPeer caller, String callerTransport, SipTestPeer callee, String calleeTransport,
            InetSocketAddress sbcForCaller, String callId) throws IOException {
        String callerHost = caller.localAddress().getAddress().getHostAddress();
        String calleeHost = callee.localAddress().getAddress().getHostAddress();
        String branch = "z9hG4bK-" + callId.hashCode();
        caller.send(SipMessages.invite(callerTransport, caller.localAddress(), sbcForCaller, "5551234", callId, branch,
                "caller-tag"));
        String invite = callee.receiveStartingWith("INVITE ", WAIT);
        assertThat(invite).as("INVITE relayed to the callee").isNotNull();
        assertThat(invite).doesNotContain(callerHost, callId, branch, "FixtureCaller");
        assertThat(invite).contains("c=IN IP4 127.0.0.1", "a=rtpmap:101 telephone-event/8000");
        assertThat(invite).startsWith("INVITE sip:5551234@" + calleeHost);

        String calleeContact = "<sip:callee@" + calleeHost + ":" + callee.localAddress().getPort() + ";transport="
                + calleeTransport.toLowerCase() + ">";
        callee.send(SipMessages.answer(invite, 180, "Ringing", "callee-tag", calleeContact));
        callee.send(SipMessages.answer(invite, 200, "OK", "callee-tag", calleeContact,
                SipMessages.sdp(calleeHost, 42_000)));

        List<String> early = new ArrayList<>();
        String ok = caller.receiveStartingWith("SIP/2.0 200 ", WAIT, early);
        assertThat(ok).as("200 relayed to the caller").isNotNull();
        assertThat(early).anyMatch(m -> m.startsWith("SIP/2.0 100 ")).anyMatch(m -> m.startsWith("SIP/2.0 180 "));
        for (String response : early) {
            assertThat(headers(response)).doesNotContain(calleeHost, "FixtureCallee");
        }
        assertThat(ok).contains(callId, branch).doesNotContain(calleeHost, "FixtureCallee",
                header(invite, "Call-ID"), "callee-tag");
        String sbcTagTowardCaller = tag(header(ok, "To"));
        String sbcTagTowardCallee = tag(header(invite, "From"));
        assertThat(sbcTagTowardCallee).as("each leg has tags of its own").isNotEqualTo("caller-tag");
        assertThat(sbcTagTowardCaller).isNotEqualTo("callee-tag").isNotEqualTo(sbcTagTowardCallee);
        for (String response : early) {
            assertThat(response).doesNotContain("callee-tag", sbcTagTowardCallee);
        }
        String requestUri = RelayedCall.uriOf(header(ok, "Contact"));

        caller.send(SipMessages.inDialog("ACK", requestUri, callerTransport, caller.localAddress(), callId,
                header(ok, "From"), header(ok, "To"), 1, branch + "-ack"));
        String ack = callee.receiveStartingWith("ACK ", WAIT);
        assertThat(ack).as("ACK relayed to the callee").isNotNull();
        assertThat(headers(ack)).contains(header(invite, "Call-ID"), sbcTagTowardCallee, "callee-tag")
                .doesNotContain(callerHost, callId, "caller-tag", sbcTagTowardCaller);

        callee.send(SipMessages.inDialog("BYE", "sip:sbc@" + sbcHostOf(invite), calleeTransport,
                callee.localAddress(), header(invite, "Call-ID"), "<sip:callee@" + calleeHost + ">;tag=callee-tag",
                header(invite, "From"), 5, "z9hG4bK-bye-" + callId.hashCode()));
        String bye = caller.receiveStartingWith("BYE ", WAIT);
        assertThat(bye).as("BYE relayed to the caller").isNotNull();
        assertThat(headers(bye)).contains(callId, "caller-tag").doesNotContain(calleeHost, "callee-tag",
                sbcTagTowardCallee);
        assertThat(tag(header(bye, "From"))).isEqualTo(sbcTagTowardCaller);
        caller.send(SipMessages.answer(bye, 200, "OK", null, null));
        String byeOk = callee.receiveStartingWith("SIP/2.0 200 ", WAIT);
        assertThat(byeOk).as("200 for BYE relayed to the callee").isNotNull();
        assertThat(header(byeOk, "CSeq")).isEqualTo("5 BYE");
        assertThat(topBranch(byeOk)).isEqualTo("z9hG4bK-bye-" + callId.hashCode());
    }

    private static String sbcHostOf(String relayedRequest) {
        String via = header(relayedRequest, "Via");
        String sentBy = via.substring(via.indexOf(' ') + 1).split(";")[0];
        return sentBy;
    }

    static void awaitDialogs(SbcDaemon sbc, int expected) throws InterruptedException {
        for (int i = 0; i < 400 && sbc.activeDialogs() != expected; i++) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertThat(sbc.activeDialogs()).isEqualTo(expected);
    }

    /** The CDR lines written so far, waiting (bounded) until there are at least {@code expected}. */
    static List<String> awaitCdrs(Path dataDir, int expected) throws IOException, InterruptedException {
        Path file = dataDir.resolve("cdr").resolve("cdr.jsonl");
        List<String> lines = List.of();
        for (int i = 0; i < 300; i++) {
            lines = java.nio.file.Files.exists(file) ? java.nio.file.Files.readAllLines(file) : List.of();
            if (lines.size() >= expected) {
                break;
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return lines;
    }

    /** The value of {@code series} (a name with its labels as Prometheus writes them) on the SBC's /metrics. */
    static double metric(SbcDaemon sbc, String series) throws IOException, InterruptedException {
        return metric(metrics(sbc), series);
    }

    /** The value of {@code series} in a scrape of /metrics; an assertion error when it is not there. */
    static double metric(String scrape, String series) {
        for (String line : scrape.split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError("no metric " + series);
    }

    static String metrics(SbcDaemon sbc) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sbc.managementPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }

    static SSLContext trusting(Path certificatePem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (var in = java.nio.file.Files.newInputStream(certificatePem)) {
            int i = 0;
            for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("sbc-" + i++, (X509Certificate) certificate);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    static ServerSocket listen(String host) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(host, 0));
        return server;
    }

    static StreamSipPeer connect(SipTransport transport, String fromHost, SbcDaemon sbc, SSLContext tls)
            throws IOException {
        InetSocketAddress target = sbc.sipAddress(transport);
        InetSocketAddress bind = new InetSocketAddress(fromHost, 0);
        return transport == SipTransport.TLS ? StreamSipPeer.tls(bind, target, tls) : StreamSipPeer.tcp(bind, target);
    }
}
