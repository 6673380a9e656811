package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;
import static org.edgesbc.fixtures.sip.SipTestPeer.headers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transfers through the real daemon (RFC 3515, RFC 3891, the flows of RFC 5589 §6 and §7), started from the PBX and
 * from the trunk: what the transferee, the target and the transferor receive, and that no Call-ID, tag, Contact or
 * address of one side ever reaches the other.
 */
class TransferIT {
    private static final long WAIT = RelayedCall.WAIT;

    @TempDir
    Path dataDir;
    private TrunkAndPbx sides;
    private UdpSipPeer trunk;
    private UdpSipPeer pbx;
    private InetSocketAddress sbcUdp;

    @BeforeEach
    void start() throws Exception {
        sides = new TrunkAndPbx(dataDir, config -> config);
        trunk = sides.trunk;
        pbx = sides.pbx;
        sbcUdp = sides.sbcUdp;
    }

    @AfterEach
    void stop() throws Exception {
        sides.close();
    }

    /** RFC 5589 §6.1 with the PBX as transferor: the carrier's caller is sent to extension 201. */
    @Test
    void blindTransferFromThePbxSendsTheTransfereesInviteBackThroughTheSbc() throws Exception {
        RelayedCall call = RelayedCall.establish(trunk, pbx, sbcUdp, "200", "blind-pbx@trunk.example", "ta", "pa");
        call.fromCallee("REFER", "Refer-To: <sip:201@127.0.0.3;user=phone>\r\n"
                + "Referred-By: \"Reception\" <sip:200@127.0.0.3>;cid=\"pbx-private@127.0.0.3\"\r\n", null, null);
        String refer = trunk.receiveStartingWith("REFER ", WAIT);
        call.assertCallerSees(refer);
        String sbcHostPort = sides.sbcHostPort();
        assertThat(header(refer, "Refer-To")).isEqualTo("<sip:201@" + sbcHostPort + ">");
        assertThat(header(refer, "Referred-By")).isEqualTo("<sip:200@" + sbcHostPort + ">");
        assertThat(refer).doesNotContain("pbx-private");

        RelayedCall.answer(trunk, refer, 202, "Accepted", null);
        call.assertCalleeSees(pbx.receiveStartingWith("SIP/2.0 202 ", WAIT));

        String notify = call.fromCaller("NOTIFY", "Event: refer\r\nSubscription-State: active;expires=60\r\n",
                "message/sipfrag;version=2.0", "SIP/2.0 100 Trying\r\nVia: SIP/2.0/UDP 127.0.0.2:5099;branch=x\r\n");
        String relayedNotify = pbx.receiveStartingWith("NOTIFY ", WAIT);
        call.assertCalleeSees(relayedNotify);
        assertThat(relayedNotify).endsWith("\r\n\r\nSIP/2.0 100 Trying\r\n").contains("Event: refer");
        RelayedCall.answer(pbx, relayedNotify, 200, "OK", null);
        call.assertCallerSees(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT));
        assertThat(notify).isNotNull();

        // The transferee calls the Refer-To it got: the SBC, which routes the call to the PBX.
        trunk.send(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "201", "transferred@trunk.example",
                "z9hG4bK-transferred", "tb").replace("Max-Forwards: 70\r\n",
                "Max-Forwards: 70\r\nReferred-By: <sip:200@" + sbcHostPort + ">\r\n"));
        String transferred = pbx.receiveStartingWith("INVITE ", WAIT);
        assertThat(transferred).startsWith("INVITE sip:201@127.0.0.3").doesNotContain("127.0.0.2",
                "transferred@trunk.example");
    }

    /**
     * RFC 5589 §6.1 with the carrier as transferor: the PBX is asked to call a number; the SBC checks it against the
     * PBX's toll-fraud rules as the PBX's own call would be, and refuses a premium target with 403.
     */
    @Test
    void blindTransferFromTheTrunkIsRelayedUnlessTheTargetIsOneTheFraudRulesRefuse() throws Exception {
        RelayedCall call = RelayedCall.establish(trunk, pbx, sbcUdp, "200", "blind-trunk@trunk.example", "tc",
                "pc");
        call.fromCaller("REFER", "Refer-To: <sip:030123456@127.0.0.2>\r\n", null, null);
        String refer = pbx.receiveStartingWith("REFER ", WAIT);
        call.assertCalleeSees(refer);
        String sbcHostPort = sides.sbcHostPort();
        assertThat(header(refer, "Refer-To")).isEqualTo("<sip:030123456@" + sbcHostPort + ">");
        RelayedCall.answer(pbx, refer, 202, "Accepted", null);
        call.assertCallerSees(trunk.receiveStartingWith("SIP/2.0 202 ", WAIT));

        call.fromCaller("REFER", "Refer-To: <sip:09001234567@127.0.0.2>\r\n", null, null);
        String refused = trunk.receiveStartingWith("SIP/2.0 ", WAIT);
        assertThat(refused).startsWith("SIP/2.0 403 ");
        call.assertCallerSees(refused);
        assertThat(pbx.receive(300)).as("nothing of the refused REFER reaches the PBX").isNull();
    }

    /**
     * RFC 5589 §7.1 with the PBX as transferor: it holds a call with the carrier's caller and a consultation call to
     * a number out through the carrier, and asks the caller to replace the consultation. The carrier gets a
     * Replaces naming the consultation as the carrier knows it (its Call-ID, the target's tag as to-tag and the
     * SBC's tag there as from-tag), and the target's own URI.
     */
    @Test
    void attendedTransferFromThePbxNamesTheConsultationAsTheTrunkKnowsIt() throws Exception {
        RelayedCall first = RelayedCall.establish(trunk, pbx, sbcUdp, "200", "first@trunk.example", "tf", "pf");
        RelayedCall consultation = RelayedCall.establish(pbx, trunk, sbcUdp, "030999", "consult@pbx.example", "pg",
                "tg");
        // As the PBX knows the consultation: the SBC's To-tag is the target's, its own From-tag the transferor's.
        String sbcTagTowardPbx = SipTestPeer.tag(consultation.callerTo);
        String replaces = "consult%40pbx.example%3Bto-tag%3D" + sbcTagTowardPbx + "%3Bfrom-tag%3Dpg";
        first.fromCallee("REFER", "Refer-To: <sip:030999@127.0.0.3?Replaces=" + replaces + ">\r\n", null, null);
        String refer = trunk.receiveStartingWith("REFER ", WAIT);
        first.assertCallerSees(refer);
        assertThat(refer).doesNotContain("consult@pbx.example", "consult%40pbx.example");
        assertThat(RelayedCall.tagsIn(refer)).doesNotContainAnyElementsOf(consultation.callerSideTags());
        String escapedCallId = consultation.calleeCallId.replace("@", "%40");
        // The target is the trunk's own party of the consultation, reached on the trunk's side.
        assertThat(header(refer, "Refer-To")).isEqualTo("<sip:tg@127.0.0.2:" + trunk.localAddress().getPort()
                + "?Replaces=" + escapedCallId + "%3Bto-tag%3Dtg%3Bfrom-tag%3D"
                + SipTestPeer.tag(consultation.calleeTo) + ">");

        // The consultation named with the trunk's tags, as if they crossed the SBC, names no dialog the PBX has.
        first.fromCallee("REFER", "Refer-To: <sip:030999@127.0.0.3?Replaces=consult%40pbx.example%3Bto-tag%3Dtg"
                + "%3Bfrom-tag%3Dpg>\r\n", null, null);
        first.assertCalleeSees(pbx.receiveStartingWith("SIP/2.0 481 ", WAIT));

        // A Replaces naming a dialog the SBC does not relay is refused: it could name nothing on the other side.
        first.fromCallee("REFER", "Refer-To: <sip:030999@127.0.0.3?Replaces=gone%40pbx%3Bto-tag%3Da%3Bfrom-tag%3Db>\r\n",
                null, null);
        first.assertCalleeSees(pbx.receiveStartingWith("SIP/2.0 481 ", WAIT));
    }

    /**
     * RFC 5589 §7.1 with the consultation on a third side: the PBX holds a carrier's caller and a consultation with
     * a remote phone, and asks the caller to replace the consultation. The carrier cannot reach the phone, so its
     * Refer-To names the SBC, with Replaces naming a stand-in for the phone's leg; its INVITE with that Replaces goes
     * to the phone, naming the phone's own dialog. Once the phone hangs up the consultation, the stand-in names
     * nothing any more.
     */
    @Test
    void attendedTransferToAPhoneTheSbcRelaysSendsTheTransfereesInviteToThePhone() throws Exception {
        sides.close();
        sides = new TrunkAndPbx(dataDir, config -> TestConfigs.withPhones(config, RegistrationConfig.DEFAULTS,
                List.of("127.0.0.0/25"), List.of(TestConfigs.user("1001", "phone-secret-42"))));
        trunk = sides.trunk;
        pbx = sides.pbx;
        sbcUdp = sides.sbcUdp;
        try (TestPhone phone = new TestPhone(new UdpSipPeer(new InetSocketAddress("127.0.0.12", 0), sbcUdp), "UDP",
                TestConfigs.REALM, "1001", "phone-secret-42", "sip:1001@192.168.1.10:5060")) {
            // The SBC registers the phone at the PBX, played here by the PBX's peer, before it answers the phone.
            CompletableFuture<String> registered = CompletableFuture.supplyAsync(() -> {
                try {
                    return phone.register(600);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            String register = pbx.receiveStartingWith("REGISTER ", WAIT);
            assertThat(register).as("the SBC registers the phone at the PBX").isNotNull();
            pbx.send(SipMessages.answer(register, 200, "OK", "pbxreg", header(register, "Contact") + ";expires=3600"));
            assertThat(registered.get(WAIT, TimeUnit.MILLISECONDS)).startsWith("SIP/2.0 200 ");
            RelayedCall first = RelayedCall.establish(trunk, pbx, sbcUdp, "200", "first@trunk.example", "tf", "pf");
            RelayedCall consultation = RelayedCall.establish(pbx, phone.peer, sbcUdp, "1001", "consult@pbx.example",
                    "pg", "ph");
            String replaces = "consult%40pbx.example%3Bto-tag%3D" + SipTestPeer.tag(consultation.callerTo)
                    + "%3Bfrom-tag%3Dpg";
            first.fromCallee("REFER", "Refer-To: <sip:1001@127.0.0.3?Replaces=" + replaces + ">\r\n", null, null);
            String refer = trunk.receiveStartingWith("REFER ", WAIT);
            first.assertCallerSees(refer);
            assertThat(refer).doesNotContain("consult", "127.0.0.12", "192.168.", consultation.calleeCallId);
            assertThat(RelayedCall.tagsIn(refer)).doesNotContainAnyElementsOf(consultation.callerSideTags())
                    .doesNotContainAnyElementsOf(consultation.calleeSideTags());
            java.util.regex.Matcher referTo = java.util.regex.Pattern.compile("<sip:1001@"
                    + java.util.regex.Pattern.quote(sides.sbcHostPort()) + "\\?Replaces=([^>]+)>")
                    .matcher(header(refer, "Refer-To"));
            assertThat(referTo.matches()).as("Refer-To names the SBC: %s", header(refer, "Refer-To")).isTrue();
            String standIn = referTo.group(1).replace("%3B", ";").replace("%3D", "=").replace("%40", "@");
            String replacing = SipMessages.withHeaders(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "1001",
                    "replacing@trunk.example", "z9hG4bK-replacing", "tr"), "Replaces: " + standIn);
            String toPhone = RelayedCall.deliverInvite(trunk, phone.peer, replacing);
            assertThat(toPhone).as("the transferee's INVITE reaches the phone").isNotNull()
                    .startsWith("INVITE sip:ph@127.0.0.12:").doesNotContain("trunk.example", "127.0.0.2",
                            "127.0.0.3", "pbx.example");
            // The phone's own dialog: its Call-ID, its tag as to-tag, the SBC's tag toward it as from-tag.
            assertThat(header(toPhone, "Replaces")).isEqualTo(consultation.calleeCallId + ";to-tag=ph;from-tag="
                    + SipTestPeer.tag(consultation.calleeTo));
            phone.peer.send(SipMessages.answer(toPhone, 200, "OK", "ph2", "<sip:ph@127.0.0.12:"
                    + phone.peer.localAddress().getPort() + ">", SipMessages.sdp("192.168.1.10", 4002)));
            assertThat(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT)).as("the transferee's call is answered")
                    .isNotNull().doesNotContain("127.0.0.12", "192.168.");

            // The phone hangs up the consultation it replaced: the PBX hears it, and the stand-in is gone with it.
            consultation.fromCallee("BYE", "", null, null);
            String bye = pbx.receiveStartingWith("BYE ", WAIT);
            consultation.assertCallerSees(bye);
            RelayedCall.answer(pbx, bye, 200, "OK", null);
            assertThat(phone.peer.receiveStartingWith("SIP/2.0 200 ", WAIT)).as("the BYE is answered").isNotNull();
            trunk.send(SipMessages.withHeaders(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "1001",
                    "again@trunk.example", "z9hG4bK-again", "ta"), "Replaces: " + standIn));
            assertThat(trunk.receiveStartingWith("SIP/2.0 481 ", WAIT)).as("a stand-in outlives no dialog")
                    .isNotNull();
        }
    }

    /**
     * RFC 3891 §3: an INVITE with Replaces from either side reaches the other naming the far leg by its Call-ID and
     * tags (to-tag: the recipient's own, from-tag: the SBC's on that leg); RFC 4538's Target-Dialog likewise
     * (remote-tag: the recipient's, local-tag: the SBC's). A dialog unknown, or named with the other side's tags,
     * gets 481.
     */
    @Test
    void invitesWithReplacesOrTargetDialogFromEitherSideNameTheFarLegAndUnknownDialogsGet481() throws Exception {
        RelayedCall call = RelayedCall.establish(trunk, pbx, sbcUdp, "200", "replaced@trunk.example", "tr", "pr");
        String sbcTagTowardTrunk = SipTestPeer.tag(call.callerTo);
        String sbcTagTowardPbx = SipTestPeer.tag(call.calleeTo);
        trunk.send(withHeader(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "200",
                "replacing@trunk.example", "z9hG4bK-replacing", "tx"),
                "Replaces: replaced@trunk.example;to-tag=" + sbcTagTowardTrunk + ";from-tag=tr"));
        String invite = inviteWith(pbx, "Replaces");
        assertThat(header(invite, "Replaces")).isEqualTo(call.calleeCallId + ";to-tag=pr;from-tag="
                + sbcTagTowardPbx);
        assertThat(invite).doesNotContain("replaced@trunk.example", "replacing@trunk.example", "127.0.0.2");
        assertThat(RelayedCall.tagsIn(invite)).doesNotContainAnyElementsOf(call.callerSideTags());

        trunk.send(withHeader(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "200",
                "targeting@trunk.example", "z9hG4bK-targeting", "tz"),
                "Target-Dialog: replaced@trunk.example;local-tag=tr;remote-tag=" + sbcTagTowardTrunk));
        String targeting = inviteWith(pbx, "Target-Dialog");
        assertThat(header(targeting, "Target-Dialog")).isEqualTo(call.calleeCallId + ";local-tag="
                + sbcTagTowardPbx + ";remote-tag=pr");
        assertThat(RelayedCall.tagsIn(targeting)).doesNotContainAnyElementsOf(call.callerSideTags());

        pbx.send(withHeader(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "5551234", "pickup@pbx.example",
                "z9hG4bK-pickup", "px"),
                "Replaces: " + call.calleeCallId + ";to-tag=" + sbcTagTowardPbx + ";from-tag=pr;early-only"));
        String fromPbx = inviteWith(trunk, "Replaces");
        assertThat(header(fromPbx, "Replaces")).isEqualTo("replaced@trunk.example;to-tag=tr;from-tag="
                + sbcTagTowardTrunk + ";early-only");
        assertThat(headers(fromPbx)).doesNotContain(call.calleeCallId, "pickup@pbx.example", "127.0.0.3");
        assertThat(RelayedCall.tagsIn(fromPbx)).doesNotContainAnyElementsOf(call.calleeSideTags());

        trunk.send(withHeader(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "200", "stranger@trunk.example",
                "z9hG4bK-stranger", "ty"), "Replaces: nobody@trunk.example;to-tag=a;from-tag=b"));
        assertThat(trunk.receiveStartingWith("SIP/2.0 481 ", WAIT)).isNotNull();
        // The right Call-ID with the PBX's tags, as if tags crossed the SBC: no dialog the trunk has.
        trunk.send(withHeader(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "200", "crossed@trunk.example",
                "z9hG4bK-crossed", "tw"), "Replaces: replaced@trunk.example;to-tag=pr;from-tag=tr"));
        assertThat(trunk.receiveStartingWith("SIP/2.0 481 ", WAIT)).isNotNull();
        trunk.send(withHeader(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "200", "lost@trunk.example",
                "z9hG4bK-lost", "tv"), "Target-Dialog: nobody@trunk.example;local-tag=a;remote-tag=b"));
        assertThat(trunk.receiveStartingWith("SIP/2.0 481 ", WAIT)).isNotNull();
    }

    /**
     * RFC 3891 §3: an INVITE whose Replaces names an early dialog the recipient did not initiate gets 481 and the
     * early dialog is left alone. The SBC maps only confirmed dialogs, so a ringing call named from either side is
     * refused at the SBC and rings on.
     */
    @Test
    void anInviteWithReplacesNamingARingingCallGets481AndTheCallRingsOn() throws Exception {
        trunk.send(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "200", "ringing@trunk.example",
                "z9hG4bK-ringing", "tq"));
        String atPbx = pbx.receiveStartingWith("INVITE ", WAIT);
        assertThat(atPbx).isNotNull();
        pbx.send(SipMessages.answer(atPbx, 180, "Ringing", "pq", "<sip:200@127.0.0.3>"));
        String ringing = trunk.receiveStartingWith("SIP/2.0 180 ", WAIT);
        assertThat(ringing).isNotNull();
        String sbcTagTowardTrunk = SipTestPeer.tag(header(ringing, "To"));

        trunk.send(withHeader(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "200", "pickup@trunk.example",
                "z9hG4bK-early-pickup", "tp"),
                "Replaces: ringing@trunk.example;to-tag=" + sbcTagTowardTrunk + ";from-tag=tq;early-only"));
        assertThat(trunk.receiveStartingWith("SIP/2.0 481 ", WAIT)).as("the trunk's side").isNotNull();
        pbx.send(withHeader(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "5551234", "pickup@pbx.example",
                "z9hG4bK-early-pickup-pbx", "pp"),
                "Replaces: " + header(atPbx, "Call-ID") + ";to-tag=" + SipTestPeer.tag(header(atPbx, "From"))
                        + ";from-tag=pq"));
        assertThat(pbx.receiveStartingWith("SIP/2.0 481 ", WAIT)).as("the PBX's side").isNotNull();

        assertThat(pbx.receiveStartingWith("CANCEL ", 500)).as("the early dialog is left alone").isNull();
        pbx.send(SipMessages.answer(atPbx, 200, "OK", "pq", "<sip:200@127.0.0.3>",
                SipMessages.sdp("127.0.0.3", 40002)));
        assertThat(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT)).as("and is answered as usual").isNotNull();
    }

    private static String withHeader(String request, String line) {
        return request.replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\n" + line + "\r\n");
    }

    /** The next INVITE {@code peer} gets that has header {@code name}, skipping retransmissions of earlier ones. */
    private static String inviteWith(SipTestPeer peer, String name) throws IOException {
        long deadline = System.currentTimeMillis() + WAIT;
        for (long left = WAIT; left > 0; left = deadline - System.currentTimeMillis()) {
            String invite = peer.receiveStartingWith("INVITE ", left);
            if (invite != null && header(invite, name) != null) {
                return invite;
            }
        }
        return null;
    }
}
