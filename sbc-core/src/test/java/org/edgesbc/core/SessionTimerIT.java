package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.core.config.SessionTimerConfig;
import org.edgesbc.fixtures.net.FreePorts;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.fixtures.sipp.Sipp;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * RFC 4028 session timers through the daemon, each leg negotiated with the SBC on its own: the trunk (caller) and
 * the PBX (callee) are plain UDP peers; intervals of a few seconds, which only code can configure (the loader keeps
 * min-se at 90 s or more), keep the flows of RFC 4028 §7-§10 short.
 */
class SessionTimerIT {
    private static final long WAIT = 5_000;
    private static final String PBX_CONTACT = "<sip:callee@127.0.0.3>";

    @TempDir
    Path dataDir;

    private static SessionTimerConfig timers(long sessionExpires, long minSe) {
        return new SessionTimerConfig(true, Duration.ofSeconds(sessionExpires), Duration.ofSeconds(minSe));
    }

    /** The caller's view of an answered call: its Call-ID and the 200's From and To. */
    record Answered(String callerCallId, String calleeCallId, String ok, String invite) {
        String from() {
            return header(ok, "From");
        }

        String to() {
            return header(ok, "To");
        }
    }


    private static String sbcUri(SbcDaemon sbc) {
        return "sip:sbc@127.0.0.1:" + sbc.sipAddress(SipTransport.UDP).getPort();
    }

    /**
     * The trunk calls with {@code callerHeaders}; the PBX's INVITE is checked by {@code onInvite} and answered with
     * 200 carrying {@code calleeHeaders}; the trunk ACKs.
     */
    static Answered call(SbcDaemon sbc, UdpSipPeer trunk, UdpSipPeer pbx, List<String> callerHeaders,
            List<String> calleeHeaders) throws IOException {
        InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
        trunk.towards(sbcUdp);
        pbx.towards(sbcUdp);
        NewCalls.Relayed relayed = NewCalls.invite(trunk, pbx, "st-" + System.nanoTime() + "@trunk",
                (id, branch) -> SipMessages.withHeaders(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp,
                        "5551234", id, branch, "ct"), callerHeaders.toArray(String[]::new)));
        assertThat(relayed).as("the INVITE reaches the PBX").isNotNull();
        String callId = relayed.callId();
        String atPbx = relayed.invite();
        String ok = SipMessages.answer(atPbx, 200, "OK", "pt", PBX_CONTACT, SipMessages.sdp("127.0.0.3", 40002));
        pbx.send(calleeHeaders.isEmpty() ? ok : SipMessages.withHeaders(ok, calleeHeaders.toArray(String[]::new)));
        String atTrunk = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
        assertThat(atTrunk).as("the caller hears the answer").isNotNull();
        trunk.send(SipMessages.inDialog("ACK", sbcUri(sbc), "UDP", trunk.localAddress(), callId,
                header(atTrunk, "From"), header(atTrunk, "To"), 1, "z9hG4bK-st1-ack"));
        assertThat(pbx.receiveStartingWith("ACK ", WAIT)).isNotNull();
        return new Answered(callId, header(atPbx, "Call-ID"), atTrunk, atPbx);
    }

    /** Each side gets the SBC's BYE with its own leg's Call-ID; both are answered. */
    static void expectByesOnBothSides(UdpSipPeer trunk, UdpSipPeer pbx, Answered call) throws IOException {
        String toCaller = trunk.receiveStartingWith("BYE ", WAIT);
        String toCallee = pbx.receiveStartingWith("BYE ", WAIT);
        assertThat(toCaller).as("the caller is hung up").isNotNull();
        assertThat(toCallee).as("the callee is hung up").isNotNull();
        assertThat(header(toCaller, "Call-ID")).isEqualTo(call.callerCallId());
        assertThat(header(toCallee, "Call-ID")).isEqualTo(call.calleeCallId());
        trunk.send(SipMessages.answer(toCaller, 200, "OK", null, null));
        pbx.send(SipMessages.answer(toCallee, 200, "OK", null, null));
    }

    @Test
    void eachLegNegotiatesItsOwnIntervalAndACallWhoseRefreshNeverComesIsEndedOnBothSides() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.withSessionTimers(TestConfigs.loopbackUdp(dataDir,
                        trunk.localAddress(), pbx.localAddress()), timers(2, 1), timers(6, 1)))) {
            Answered call = call(sbc, trunk, pbx, List.of("Supported: timer", "Session-Expires: 2;refresher=uac"),
                    List.of("Session-Expires: 6;refresher=uas", "Require: timer"));
            assertThat(call.invite()).as("the SBC's own offer on the PBX's leg")
                    .contains("Session-Expires: 6\r\n", "Min-SE: 1\r\n", "Supported: timer\r\n")
                    .doesNotContain("refresher=uac", call.callerCallId(), "127.0.0.2");
            assertThat(call.ok()).as("the caller's leg: the caller refreshes every 2 s")
                    .contains("Session-Expires: 2;refresher=uac\r\n", "Require: timer\r\n", "CSeq: 1 INVITE")
                    .doesNotContain("refresher=uas", "Min-SE", call.calleeCallId(), "127.0.0.3");

            // The caller never refreshes: 2 s less a third after the answer, both legs get BYE.
            expectByesOnBothSides(trunk, pbx, call);
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"disposition\":\"answered\"", "\"ended_by\":\"sbc:session-timer-expired\"");
            assertThat(SbcDaemonIT.metrics(sbc)).contains("sbc_session_timer_expired_total{zone=\"trunk\"} 1.0");
        }
    }

    /**
     * The same expiry with SIPp on both sides (RFC 4028 §10): each side's scenario checks the interval it is given,
     * and that the next thing it receives after the ACK is the SBC's BYE, with nothing of the other side in it.
     */
    @Test
    void aCallWhoseRefreshNeverComesIsEndedOnBothSidesWithSippOnBoth() throws Exception {
        assertThat(Sipp.available()).as("sipp on the PATH (Debian package sip-tester; .ci/run installs it)").isTrue();
        InetSocketAddress trunk = new InetSocketAddress("127.0.0.2", FreePorts.udp("127.0.0.2"));
        InetSocketAddress pbx = new InetSocketAddress("127.0.0.3", FreePorts.udp("127.0.0.3"));
        try (SbcDaemon sbc = SbcDaemon.start(TestConfigs.withSessionTimers(TestConfigs.loopbackUdp(dataDir, trunk, pbx),
                timers(2, 1), timers(6, 1)));
                Sipp callee = sipp(dataDir.resolve("pbx"), "session-expiry-pbx.xml", pbx, null);
                Sipp caller = sipp(dataDir.resolve("trunk"), "session-expiry-trunk.xml", trunk,
                        sbc.sipAddress(SipTransport.UDP))) {
            assertThat(caller.await(Duration.ofSeconds(60))).as("trunk scenario\n%s", caller.diagnostics()).isZero();
            assertThat(callee.await(Duration.ofSeconds(60))).as("PBX scenario\n%s", callee.diagnostics()).isZero();
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"ended_by\":\"sbc:session-timer-expired\"");
        }
    }

    /** SIPp with one of the flow scenarios, bound to {@code local}: a UAS, or a UAC calling 200 at {@code sbc}. */
    private static Sipp sipp(Path dir, String scenario, InetSocketAddress local, InetSocketAddress sbc)
            throws IOException {
        List<String> arguments = new ArrayList<>(List.of("-sf", CallFlowSippIT.scenario(dir, scenario),
                "-i", local.getHostString(), "-p", Integer.toString(local.getPort()), "-m", "1", "-timeout", "30s"));
        if (sbc != null) {
            arguments.addAll(List.of(sbc.getHostString() + ":" + sbc.getPort(), "-s", "200"));
        }
        return Sipp.start(dir, arguments);
    }

    @Test
    void refreshesAreRelayedWithEachLegsOwnValuesAndKeepTheCallUp() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.withSessionTimers(TestConfigs.loopbackUdp(dataDir,
                        trunk.localAddress(), pbx.localAddress()), timers(4, 1), timers(30, 1)))) {
            Answered call = call(sbc, trunk, pbx, List.of("Supported: timer", "Session-Expires: 4"),
                    List.of("Session-Expires: 30;refresher=uas", "Require: timer"));
            assertThat(call.ok()).contains("Session-Expires: 4;refresher=uac\r\n");
            long answeredAt = System.nanoTime();
            // Four refreshes a second apart outlive the first expiry (4 s less a third) by more than a second.
            for (int cseq = 2; cseq <= 5; cseq++) {
                List<String> early = new ArrayList<>();
                String bye = trunk.receiveStartingWith("BYE ", 1_000, early);
                assertThat(bye).as("no BYE while the caller refreshes").isNull();
                trunk.send(SipMessages.withHeaders(SipMessages.inDialog("UPDATE", sbcUri(sbc), "UDP", trunk.localAddress(),
                        call.callerCallId(), call.from(), call.to(), cseq, "z9hG4bK-up" + cseq),
                        "Contact: <sip:caller@127.0.0.2:" + trunk.localAddress().getPort() + ">",
                        "Supported: timer", "Session-Expires: 4;refresher=uac"));
                String update = pbx.receiveStartingWith("UPDATE ", WAIT);
                assertThat(update).as("refresh %d reaches the PBX", cseq).isNotNull();
                assertThat(header(update, "Call-ID")).isEqualTo(call.calleeCallId());
                assertThat(update).as("the PBX's leg: the PBX refreshes every 30 s")
                        .contains("Session-Expires: 30;refresher=uas\r\n", "CSeq: " + cseq + " UPDATE")
                        .doesNotContain("Session-Expires: 4", "127.0.0.2");
                pbx.send(SipMessages.withHeaders(SipMessages.answer(update, 200, "OK", null, PBX_CONTACT),
                        "Session-Expires: 30;refresher=uas", "Require: timer"));
                String ok = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
                assertThat(ok).isNotNull().contains("Session-Expires: 4;refresher=uac\r\n", "Require: timer\r\n",
                        "CSeq: " + cseq + " UPDATE").doesNotContain("Session-Expires: 30", call.calleeCallId());
            }
            assertThat(Duration.ofNanos(System.nanoTime() - answeredAt)).isGreaterThan(Duration.ofMillis(3_500));
            assertThat(sbc.activeDialogs()).as("still up past the first interval").isEqualTo(1);

            // Then the caller stops refreshing.
            expectByesOnBothSides(trunk, pbx, call);
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"ended_by\":\"sbc:session-timer-expired\"");
        }
    }

    @Test
    void theSbcRefreshesLegsWhoseUasDoNotSupportTimersAndTheirCSeqsKeepRising() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.withSessionTimers(TestConfigs.loopbackUdp(dataDir,
                        trunk.localAddress(), pbx.localAddress()), timers(4, 1), timers(4, 1)))) {
            Answered call = call(sbc, trunk, pbx, List.of(), List.of());
            assertThat(call.ok()).as("RFC 4028 §9: the SBC refreshes a caller without timer support")
                    .contains("Session-Expires: 4;refresher=uas\r\n").doesNotContain("Require: timer");

            String toCaller = trunk.receiveStartingWith("UPDATE ", WAIT);
            String toCallee = pbx.receiveStartingWith("UPDATE ", WAIT);
            assertThat(toCaller).as("the SBC's refresh of the caller's leg").isNotNull()
                    .contains("Session-Expires: 4;refresher=uac").doesNotContain(call.calleeCallId(), "127.0.0.3");
            assertThat(header(toCaller, "Call-ID")).isEqualTo(call.callerCallId());
            assertThat(toCallee).as("the SBC's refresh of the PBX's leg").isNotNull()
                    .contains("Session-Expires: 4;refresher=uac", "CSeq: 2 UPDATE")
                    .doesNotContain(call.callerCallId(), "127.0.0.2");
            assertThat(header(toCallee, "Call-ID")).isEqualTo(call.calleeCallId());
            assertThat(header(toCallee, "Contact")).contains("127.0.0.1");
            trunk.send(SipMessages.answer(toCaller, 200, "OK", null, null));
            pbx.send(SipMessages.answer(toCallee, 200, "OK", null, null));

            // The caller's BYE, its CSeq 2, reaches the PBX above the SBC's own UPDATE there.
            trunk.send(SipMessages.inDialog("BYE", sbcUri(sbc), "UDP", trunk.localAddress(), call.callerCallId(),
                    call.from(), call.to(), 2, "z9hG4bK-bye"));
            String bye = pbx.receiveStartingWith("BYE ", WAIT);
            assertThat(bye).isNotNull().contains("CSeq: 3 BYE");
            pbx.send(SipMessages.answer(bye, 200, "OK", null, null));
            String byeOk = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(byeOk).as("the caller hears its own CSeq").isNotNull().contains("CSeq: 2 BYE");
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"ended_by\":\"caller\"");
        }
    }

    /** The body of a SIP message: what follows its blank line. */
    private static String body(String message) {
        return message.substring(message.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void aUaThatTakesNoUpdateIsRefreshedByReInviteWithTheSessionItWasLastSentAndTheSbcAcksIt() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.withSessionTimers(TestConfigs.loopbackUdp(dataDir,
                        trunk.localAddress(), pbx.localAddress()), timers(4, 1), timers(4, 1)))) {
            // Neither side supports timers: the SBC refreshes both legs. The caller's Allow lists no UPDATE; the
            // PBX sends no Allow, so the SBC tries UPDATE there first.
            Answered call = call(sbc, trunk, pbx, List.of("Allow: INVITE, ACK, BYE, CANCEL, OPTIONS"), List.of());

            String toCaller = trunk.receiveStartingWith("INVITE ", WAIT);
            assertThat(toCaller).as("RFC 4028 §7.4: a re-INVITE toward a UA without UPDATE").isNotNull()
                    .contains("Session-Expires: 4;refresher=uac", "Content-Type: application/sdp")
                    .doesNotContain(call.calleeCallId(), "127.0.0.3");
            assertThat(header(toCaller, "Call-ID")).isEqualTo(call.callerCallId());
            assertThat(body(toCaller)).as("RFC 3264 §8: the session the caller was last sent, version and all")
                    .isEqualTo(body(call.ok()));

            String updateToCallee = pbx.receiveStartingWith("UPDATE ", WAIT);
            assertThat(updateToCallee).as("no Allow tells nothing: UPDATE first").isNotNull();
            pbx.send(SipMessages.answer(updateToCallee, 405, "Method Not Allowed", null, null));
            String toCallee = pbx.receiveStartingWith("INVITE ", WAIT);
            assertThat(toCallee).as("after 405, a re-INVITE at once").isNotNull()
                    .contains("CSeq: 3 INVITE").doesNotContain(call.callerCallId(), "127.0.0.2");
            assertThat(body(toCallee)).as("the offer the PBX answered at set-up").isEqualTo(body(call.invite()));

            // While the SBC's re-INVITE toward the caller is pending, an offer from the PBX meets glare.
            String pbxFrom = header(call.invite(), "To") + ";tag=pt";
            pbx.send(SipMessages.withSdp(SipMessages.withHeaders(SipMessages.inDialog("INVITE",
                            "sip:sbc@127.0.0.1:" + sbc.sipAddress(SipTransport.UDP).getPort(), "UDP",
                            pbx.localAddress(), call.calleeCallId(), pbxFrom, header(call.invite(), "From"), 1,
                            "z9hG4bK-st-glare"), "Contact: " + PBX_CONTACT), SipMessages.sdp("127.0.0.3", 40004)));
            String glare = pbx.receiveStartingWith("SIP/2.0 491 ", WAIT);
            assertThat(glare).as("RFC 3261 §14.1: the SBC's own offer is pending toward the caller").isNotNull();
            pbx.send(SipMessages.inDialog("ACK", "sip:sbc@127.0.0.1:" + sbc.sipAddress(SipTransport.UDP).getPort(),
                    "UDP", pbx.localAddress(), call.calleeCallId(), pbxFrom, header(glare, "To"), 1,
                    "z9hG4bK-st-glare"));

            trunk.send(SipMessages.answer(toCaller, 200, "OK", null, "<sip:caller@127.0.0.2>",
                    SipMessages.sdp("127.0.0.2", 40000)));
            pbx.send(SipMessages.answer(toCallee, 200, "OK", null, PBX_CONTACT, SipMessages.sdp("127.0.0.3", 40002)));
            String ackToCaller = trunk.receiveStartingWith("ACK ", WAIT);
            String ackToCallee = pbx.receiveStartingWith("ACK ", WAIT);
            assertThat(ackToCaller).as("the SBC ACKs its own re-INVITE's 2xx").isNotNull()
                    .contains("CSeq: " + header(toCaller, "CSeq").split(" ")[0] + " ACK");
            assertThat(header(ackToCaller, "Call-ID")).isEqualTo(call.callerCallId());
            assertThat(ackToCallee).isNotNull().contains("CSeq: 3 ACK");
            assertThat(trunk.receiveStartingWith("SIP/2.0 200 ", 500)).as("a refresh's answer is not relayed").isNull();

            // The next refresh of the caller's leg, half the interval later, is a re-INVITE again.
            String again = trunk.receiveStartingWith("INVITE ", WAIT);
            assertThat(again).isNotNull();
            assertThat(body(again)).isEqualTo(body(call.ok()));
            assertThat(sbc.activeDialogs()).isEqualTo(1);
        }
    }

    @Test
    void a422FromTheCalleeIsRetriedWithTheIntervalItAsksForAndTheCallerNeverSeesIt() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.withSessionTimers(TestConfigs.loopbackUdp(dataDir,
                        trunk.localAddress(), pbx.localAddress()), timers(1800, 90), timers(100, 90)))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.towards(sbcUdp);
            pbx.towards(sbcUdp);
            NewCalls.Relayed relayed = NewCalls.invite(trunk, pbx, "st422@trunk", (id, branch) ->
                    SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", id, branch, "ct"));
            assertThat(relayed).isNotNull();
            String callId = relayed.callId();
            String first = relayed.invite();
            assertThat(first).contains("Session-Expires: 100\r\n", "CSeq: 1 INVITE");
            pbx.send(SipMessages.withHeaders(SipMessages.answer(first, 422, "Session Interval Too Small", "p422", null),
                    "Min-SE: 150"));
            assertThat(pbx.receiveStartingWith("ACK ", WAIT)).as("the 422 is ACKed hop by hop").isNotNull();
            String retry = pbx.receiveStartingWith("INVITE ", WAIT);
            assertThat(retry).as("RFC 4028 §7.4: retried with the Min-SE asked for").isNotNull()
                    .contains("Session-Expires: 150\r\n", "Min-SE: 150\r\n", "CSeq: 2 INVITE");
            assertThat(header(retry, "Call-ID")).isEqualTo(header(first, "Call-ID"));
            pbx.send(SipMessages.withHeaders(SipMessages.answer(retry, 200, "OK", "pt", PBX_CONTACT,
                    SipMessages.sdp("127.0.0.3", 40002)), "Session-Expires: 150;refresher=uas", "Require: timer"));

            List<String> callerGot = new ArrayList<>();
            String ok = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT, callerGot);
            assertThat(ok).isNotNull().contains("CSeq: 1 INVITE", "Session-Expires: 1800;refresher=uas")
                    .doesNotContain("Min-SE", "Session-Expires: 150");
            assertThat(callerGot).noneMatch(message -> message.startsWith("SIP/2.0 422"));
            trunk.send(SipMessages.inDialog("ACK", sbcUri(sbc), "UDP", trunk.localAddress(), callId,
                    header(ok, "From"), header(ok, "To"), 1, "z9hG4bK-422-ack"));
            String ack = pbx.receiveStartingWith("ACK ", WAIT);
            assertThat(ack).as("the ACK names the retried INVITE's CSeq").isNotNull().contains("CSeq: 2 ACK");

            trunk.send(SipMessages.inDialog("BYE", sbcUri(sbc), "UDP", trunk.localAddress(), callId,
                    header(ok, "From"), header(ok, "To"), 2, "z9hG4bK-422-bye"));
            String bye = pbx.receiveStartingWith("BYE ", WAIT);
            assertThat(bye).isNotNull().contains("CSeq: 3 BYE");
            pbx.send(SipMessages.answer(bye, 200, "OK", null, null));
            assertThat(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT)).isNotNull().contains("CSeq: 2 BYE");
        }
    }

    @Test
    void anIntervalBelowTheZonesMinSeIsRefusedWith422AndAMalformedOneWith400() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.loopbackUdp(dataDir, trunk.localAddress(),
                        pbx.localAddress()))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.towards(sbcUdp);
            trunk.send(SipMessages.withHeaders(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", "brief@trunk",
                    "z9hG4bK-brief", "ct"), "Supported: timer", "Session-Expires: 30"));
            String tooBrief = trunk.receiveStartingWith("SIP/2.0 4", WAIT);
            assertThat(tooBrief).isNotNull().startsWith("SIP/2.0 422 ").contains("Min-SE: 90\r\n");
            trunk.send(SipMessages.withHeaders(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", "bad@trunk",
                    "z9hG4bK-bad", "ct"), "Session-Expires: soon"));
            // Retransmissions of the 422, which this caller never ACKs, are passed over.
            assertThat(trunk.receiveStartingWith("SIP/2.0 400 ", WAIT)).isNotNull();
            assertThat(pbx.receive(200)).as("nothing reaches the PBX").isNull();
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 2)).hasSize(2)
                    .allMatch(line -> line.contains("\"ended_by\":\"sbc:session-timer-refused\""));
        }
    }
}
