package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;
import static org.edgesbc.fixtures.sip.SipTestPeer.tag;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early media through the daemon: a 183 with SDP anchored like an answer, reliable provisionals (RFC 3262: RSeq,
 * PRACK with RAck, end to end), an UPDATE with a new offer in the early dialog (RFC 3311), and a PBX forking to two
 * phones (two early dialogs, each with a To-tag of the SBC's for the caller; the one that answers wins, a second
 * answer is hung up by the SBC). Real RTP crosses the anchored ports before and after the answer; neither side
 * receives the other leg's Call-ID, tags, Contact or addresses.
 */
class EarlyMediaIT {
    private static final long WAIT = 5_000;

    @TempDir
    Path dataDir;
    /** The tags of the caller's leg and of the callee's leg, as the test learns them. */
    private final Set<String> callerTags = new HashSet<>(Set.of("ct"));
    private final Set<String> calleeTags = new HashSet<>();


    private static String sbcUri(SbcDaemon sbc) {
        return "sip:sbc@127.0.0.1:" + sbc.sipAddress(SipTransport.UDP).getPort();
    }

    private static String contactOf(UdpSipPeer peer, String user) {
        return "<sip:" + user + "@" + peer.localAddress().getAddress().getHostAddress() + ":"
                + peer.localAddress().getPort() + ">";
    }

    /**
     * The carrier's INVITE with SDP (audio on {@code callerRtpPort}) that supports 100rel, relayed to the PBX; the
     * peers are pointed at the SBC first.
     */
    private static NewCalls.Relayed reliableCall(SbcDaemon sbc, UdpSipPeer trunk, UdpSipPeer pbx, String name,
            int callerRtpPort) throws Exception {
        InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
        trunk.towards(sbcUdp);
        pbx.towards(sbcUdp);
        NewCalls.Relayed relayed = NewCalls.invite(trunk, pbx, name + "-" + System.nanoTime() + "@trunk",
                (id, branch) -> SipMessages.withHeaders(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp,
                        "5551234", id, branch, "ct").replace("m=audio 40000", "m=audio " + callerRtpPort),
                        "Supported: 100rel"));
        assertThat(relayed).isNotNull();
        return relayed;
    }

    /** The message belongs to the trunk's leg: the caller's Call-ID, the SBC's Contact, nothing of the PBX side. */
    private void assertCallerLeg(String message, String callerCallId, String calleeCallId) {
        assertThat(header(message, "Call-ID")).isEqualTo(callerCallId);
        assertThat(message).doesNotContain(calleeCallId, "127.0.0.3", "FixtureCallee");
        assertThat(RelayedCall.tagsIn(message)).doesNotContainAnyElementsOf(calleeTags);
        String contact = header(message, "Contact");
        if (contact != null) {
            assertThat(contact).contains("127.0.0.1");
        }
    }

    private void assertCalleeLeg(String message, String callerCallId, String calleeCallId) {
        assertThat(header(message, "Call-ID")).isEqualTo(calleeCallId);
        assertThat(message).doesNotContain(callerCallId, "127.0.0.2", "FixtureCaller");
        assertThat(RelayedCall.tagsIn(message)).doesNotContainAnyElementsOf(callerTags);
        String contact = header(message, "Contact");
        if (contact != null) {
            assertThat(contact).contains("127.0.0.1");
        }
    }

    /** {@code packet} sent from {@code from} to the SBC's {@code via} arrives unchanged at {@code to}. */
    private static void assertRelayed(DatagramSocket from, InetSocketAddress via, DatagramSocket to, byte[] packet)
            throws IOException {
        MediaAnchoringIT.send(from, via, packet);
        DatagramPacket got = MediaAnchoringIT.receive(to);
        assertThat(got).as("RTP relayed through %s", via).isNotNull();
        assertThat(got.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
        assertThat(Arrays.copyOf(got.getData(), got.getLength())).isEqualTo(packet);
    }

    @Test
    void reliableEarlyMediaWithPrackAndAnUpdateInTheEarlyDialogThenTheAnswer() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket callerRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket callerMovedRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket calleeRtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(MediaAnchoringIT.config(dataDir, trunk, pbx,
                        Duration.ofSeconds(60)))) {
            NewCalls.Relayed relayed = reliableCall(sbc, trunk, pbx, "early", callerRtp.getLocalPort());
            String callId = relayed.callId();
            String invite = relayed.invite();
            String calleeCallId = header(invite, "Call-ID");
            calleeTags.addAll(List.of("pt", tag(header(invite, "From"))));
            assertCalleeLeg(invite, callId, calleeCallId);
            assertThat(header(invite, "Supported")).as("100rel is negotiated end to end").contains("100rel");
            InetSocketAddress sbcForCallee = MediaAnchoringIT.mediaAddress(invite);

            // RFC 3262 §3: a reliable 183 with the callee's SDP.
            pbx.send(SipMessages.withHeaders(SipMessages.answer(invite, 183, "Session Progress", "pt", contactOf(pbx, "callee"),
                    SipMessages.sdp("127.0.0.3", calleeRtp.getLocalPort())), "Require: 100rel", "RSeq: 1"));
            String progress = trunk.receiveStartingWith("SIP/2.0 183 ", WAIT);
            assertThat(progress).isNotNull().contains("RSeq: 1\r\n", "c=IN IP4 127.0.0.1");
            callerTags.add(tag(header(progress, "To")));
            assertCallerLeg(progress, callId, calleeCallId);
            assertThat(header(progress, "Require")).contains("100rel");
            InetSocketAddress sbcForCaller = MediaAnchoringIT.mediaAddress(progress);

            // Early media both ways through the anchored ports, before any answer.
            assertRelayed(calleeRtp, sbcForCallee, callerRtp, MediaAnchoringIT.rtp(1, 0x2222, "ringback"));
            assertRelayed(callerRtp, sbcForCaller, calleeRtp, MediaAnchoringIT.rtp(1, 0x1111, "early hello"));

            trunk.send(SipMessages.withHeaders(SipMessages.inDialog("PRACK", sbcUri(sbc), "UDP", trunk.localAddress(), callId,
                    header(progress, "From"), header(progress, "To"), 2, "z9hG4bK-prack"), "RAck: 1 1 INVITE"));
            String prack = pbx.receiveStartingWith("PRACK ", WAIT);
            assertThat(prack).as("the PRACK reaches the PBX's early dialog").isNotNull()
                    .contains("RAck: 1 1 INVITE\r\n", "CSeq: 2 PRACK");
            assertCalleeLeg(prack, callId, calleeCallId);
            assertThat(tag(header(prack, "To"))).isEqualTo("pt");
            pbx.send(SipMessages.answer(prack, 200, "OK", null, null));
            String prackOk = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(prackOk).isNotNull().contains("CSeq: 2 PRACK");
            assertCallerLeg(prackOk, callId, calleeCallId);

            // RFC 3311: the caller moves its media with an UPDATE in the early dialog.
            trunk.send(SipMessages.withSdp(SipMessages.withHeaders(SipMessages.inDialog("UPDATE", sbcUri(sbc), "UDP",
                    trunk.localAddress(), callId, header(progress, "From"), header(progress, "To"), 3,
                    "z9hG4bK-upd"), "Contact: " + contactOf(trunk, "caller")),
                    SipMessages.sdp("127.0.0.2", callerMovedRtp.getLocalPort())));
            String update = pbx.receiveStartingWith("UPDATE ", WAIT);
            assertThat(update).as("the UPDATE's offer, anchored").isNotNull()
                    .contains("c=IN IP4 127.0.0.1", "m=audio " + sbcForCallee.getPort() + " ");
            assertCalleeLeg(update, callId, calleeCallId);
            pbx.send(SipMessages.answer(update, 200, "OK", null, contactOf(pbx, "callee"),
                    SipMessages.sdp("127.0.0.3", calleeRtp.getLocalPort())));
            String updateOk = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(updateOk).isNotNull().contains("CSeq: 3 UPDATE", "m=audio " + sbcForCaller.getPort() + " ");
            assertCallerLeg(updateOk, callId, calleeCallId);
            assertRelayed(calleeRtp, sbcForCallee, callerMovedRtp, MediaAnchoringIT.rtp(2, 0x2222, "to new port"));

            // The answer, without SDP: the offer and answer were done in the 183 and the UPDATE.
            pbx.send(SipMessages.answer(invite, 200, "OK", "pt", contactOf(pbx, "callee")));
            String ok = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(ok).isNotNull().contains("CSeq: 1 INVITE");
            assertCallerLeg(ok, callId, calleeCallId);
            assertThat(header(ok, "To")).as("the early dialog is the one confirmed").isEqualTo(header(progress, "To"));
            trunk.send(SipMessages.inDialog("ACK", sbcUri(sbc), "UDP", trunk.localAddress(), callId,
                    header(ok, "From"), header(ok, "To"), 1, "z9hG4bK-e1-ack"));
            String ack = pbx.receiveStartingWith("ACK ", WAIT);
            assertThat(ack).isNotNull();
            assertCalleeLeg(ack, callId, calleeCallId);
            assertRelayed(callerMovedRtp, sbcForCaller, calleeRtp, MediaAnchoringIT.rtp(3, 0x1111, "answered"));
            assertRelayed(calleeRtp, sbcForCallee, callerMovedRtp, MediaAnchoringIT.rtp(3, 0x2222, "answered"));
        }
    }

    /**
     * RFC 3262 §5: a PRACK may carry a new offer once the early offer and answer are done. While it is out, the
     * PBX's crossing UPDATE with an offer of its own gets 491 (RFC 3311 §5.2), and the PRACK's answer comes back
     * anchored.
     */
    @Test
    void anOfferInAPrackMakesACrossingUpdateOfferWaitWith491() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(MediaAnchoringIT.config(dataDir, trunk, pbx,
                        Duration.ofSeconds(60)))) {
            NewCalls.Relayed relayed = reliableCall(sbc, trunk, pbx, "prack-offer", 40_000);
            String callId = relayed.callId();
            String invite = relayed.invite();
            calleeTags.addAll(List.of("pt", tag(header(invite, "From"))));
            pbx.send(SipMessages.withHeaders(SipMessages.answer(invite, 183, "Session Progress", "pt",
                    contactOf(pbx, "callee"), SipMessages.sdp("127.0.0.3", 42_000)), "Require: 100rel", "RSeq: 1"));
            String progress = trunk.receiveStartingWith("SIP/2.0 183 ", WAIT);
            assertThat(progress).isNotNull();
            callerTags.add(tag(header(progress, "To")));

            trunk.send(SipMessages.withSdp(SipMessages.withHeaders(SipMessages.inDialog("PRACK", sbcUri(sbc), "UDP",
                    trunk.localAddress(), callId, header(progress, "From"), header(progress, "To"), 2,
                    "z9hG4bK-prack-offer"), "RAck: 1 1 INVITE"), SipMessages.sdp("127.0.0.2", 40_100)));
            String prack = pbx.receiveStartingWith("PRACK ", WAIT);
            assertThat(prack).as("the PRACK's offer, anchored").isNotNull().contains("c=IN IP4 127.0.0.1");

            String pbxSelf = header(invite, "To") + ";tag=pt";
            pbx.send(SipMessages.withSdp(SipMessages.withHeaders(SipMessages.inDialog("UPDATE",
                    RelayedCall.uriOf(header(invite, "Contact")), "UDP", pbx.localAddress(), header(invite, "Call-ID"),
                    pbxSelf, header(invite, "From"), 100, "z9hG4bK-crossing"), "Contact: " + contactOf(pbx, "callee")),
                    SipMessages.sdp("127.0.0.3", 42_100)));
            assertThat(pbx.receiveStartingWith("SIP/2.0 491 ", WAIT)).as("the crossing UPDATE waits").isNotNull();
            assertThat(trunk.receive(300)).as("nothing of the crossing UPDATE reaches the carrier").isNull();

            pbx.send(SipMessages.answer(prack, 200, "OK", null, null, SipMessages.sdp("127.0.0.3", 42_000)));
            String prackOk = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(prackOk).as("the PRACK's answer, anchored").isNotNull().contains("CSeq: 2 PRACK",
                    "c=IN IP4 127.0.0.1");
            assertCallerLeg(prackOk, callId, header(invite, "Call-ID"));
        }
    }

    @Test
    void aForkingPbxGivesTheCallerTwoEarlyDialogsAndASecondAnswerIsHungUp() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket callerRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket phone1Rtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket phone2Rtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(MediaAnchoringIT.config(dataDir, trunk, pbx,
                        Duration.ofSeconds(60)))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.towards(sbcUdp);
            pbx.towards(sbcUdp);
            NewCalls.Relayed relayed = NewCalls.invite(trunk, pbx, "fork-" + System.nanoTime() + "@trunk",
                    (id, branch) -> SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", id, branch,
                            "ct").replace("m=audio 40000", "m=audio " + callerRtp.getLocalPort()));
            assertThat(relayed).isNotNull();
            String callId = relayed.callId();
            String invite = relayed.invite();
            String calleeCallId = header(invite, "Call-ID");
            calleeTags.addAll(List.of("p1", "p2", tag(header(invite, "From"))));
            assertCalleeLeg(invite, callId, calleeCallId);
            InetSocketAddress sbcForCallee = MediaAnchoringIT.mediaAddress(invite);
            String phone1 = "<sip:phone1@127.0.0.3:" + pbx.localAddress().getPort() + ">";
            String phone2 = "<sip:phone2@127.0.0.3:" + pbx.localAddress().getPort() + ">";

            pbx.send(SipMessages.answer(invite, 183, "Session Progress", "p1", phone1,
                    SipMessages.sdp("127.0.0.3", phone1Rtp.getLocalPort())));
            pbx.send(SipMessages.answer(invite, 183, "Session Progress", "p2", phone2,
                    SipMessages.sdp("127.0.0.3", phone2Rtp.getLocalPort())));
            String first = trunk.receiveStartingWith("SIP/2.0 183 ", WAIT);
            String second = trunk.receiveStartingWith("SIP/2.0 183 ", WAIT);
            assertThat(first).isNotNull();
            assertThat(second).isNotNull();
            String firstTag = tag(header(first, "To"));
            String secondTag = tag(header(second, "To"));
            assertThat(firstTag).as("two early dialogs for the caller, under tags of the SBC's").isNotNull()
                    .isNotEqualTo(secondTag);
            callerTags.addAll(List.of(firstTag, secondTag));
            assertCallerLeg(first, callId, calleeCallId);
            assertCallerLeg(second, callId, calleeCallId);
            InetSocketAddress sbcForCaller = MediaAnchoringIT.mediaAddress(second);
            assertThat(MediaAnchoringIT.mediaAddress(first)).as("one anchored stream for both").isEqualTo(sbcForCaller);
            // The early media of the latest early dialog is what the caller hears.
            assertRelayed(phone2Rtp, sbcForCallee, callerRtp, MediaAnchoringIT.rtp(1, 0x2002, "phone 2 rings"));

            // A request in the second early dialog (RFC 3311 UPDATE) reaches phone 2's dialog, and its answer the
            // caller's second dialog.
            trunk.send(SipMessages.inDialog("UPDATE", sbcUri(sbc), "UDP", trunk.localAddress(), callId,
                    header(second, "From"), header(second, "To"), 2, "z9hG4bK-f1-upd"));
            String update = pbx.receiveStartingWith("UPDATE ", WAIT);
            assertThat(update).isNotNull().startsWith("UPDATE sip:phone2@127.0.0.3");
            assertThat(tag(header(update, "To"))).isEqualTo("p2");
            assertThat(tag(header(update, "From"))).isEqualTo(tag(header(invite, "From")));
            assertCalleeLeg(update, callId, calleeCallId);
            pbx.send(SipMessages.answer(update, 200, "OK", null, phone2));
            String updateOk = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(updateOk).isNotNull().contains("CSeq: 2 UPDATE");
            assertThat(header(updateOk, "To")).isEqualTo(header(second, "To"));
            assertCallerLeg(updateOk, callId, calleeCallId);
            // And one in the first goes to phone 1's dialog, at phone 1's own Contact.
            trunk.send(SipMessages.inDialog("UPDATE", sbcUri(sbc), "UDP", trunk.localAddress(), callId,
                    header(first, "From"), header(first, "To"), 3, "z9hG4bK-f1-upd1"));
            String firstUpdate = pbx.receiveStartingWith("UPDATE ", WAIT);
            assertThat(firstUpdate).isNotNull().startsWith("UPDATE sip:phone1@127.0.0.3");
            assertThat(tag(header(firstUpdate, "To"))).isEqualTo("p1");
            assertCalleeLeg(firstUpdate, callId, calleeCallId);
            pbx.send(SipMessages.answer(firstUpdate, 200, "OK", null, phone1));
            String firstUpdateOk = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(firstUpdateOk).isNotNull().contains("CSeq: 3 UPDATE");
            assertThat(header(firstUpdateOk, "To")).isEqualTo(header(first, "To"));

            // Phone 1 answers and wins.
            pbx.send(SipMessages.answer(invite, 200, "OK", "p1", phone1,
                    SipMessages.sdp("127.0.0.3", phone1Rtp.getLocalPort())));
            String ok = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(ok).isNotNull();
            assertCallerLeg(ok, callId, calleeCallId);
            assertThat(tag(header(ok, "To"))).as("phone 1's early dialog is confirmed").isEqualTo(firstTag);
            trunk.send(SipMessages.inDialog("ACK", sbcUri(sbc), "UDP", trunk.localAddress(), callId,
                    header(ok, "From"), header(ok, "To"), 1, "z9hG4bK-f1-ack"));
            String ack = pbx.receiveStartingWith("ACK ", WAIT);
            assertThat(ack).isNotNull();
            assertThat(tag(header(ack, "To"))).isEqualTo("p1");
            assertCalleeLeg(ack, callId, calleeCallId);
            assertRelayed(phone1Rtp, sbcForCallee, callerRtp, MediaAnchoringIT.rtp(2, 0x1001, "phone 1 talks"));
            assertRelayed(callerRtp, sbcForCaller, phone1Rtp, MediaAnchoringIT.rtp(2, 0x1111, "caller talks"));

            // Phone 2 picked up too before the PBX could cancel it: the SBC ACKs and hangs up its dialog.
            pbx.send(SipMessages.answer(invite, 200, "OK", "p2", phone2,
                    SipMessages.sdp("127.0.0.3", phone2Rtp.getLocalPort())));
            String surplusAck = pbx.receiveStartingWith("ACK ", WAIT);
            assertThat(surplusAck).as("RFC 3261 §13.2.2.4: the second answer is ACKed").isNotNull()
                    .startsWith("ACK sip:phone2@127.0.0.3");
            assertThat(tag(header(surplusAck, "To"))).isEqualTo("p2");
            String bye = pbx.receiveStartingWith("BYE ", WAIT);
            assertThat(bye).as("and its dialog hung up").isNotNull().startsWith("BYE sip:phone2@127.0.0.3")
                    .contains("CSeq: 2 BYE");
            assertThat(tag(header(bye, "To"))).isEqualTo("p2");
            assertCalleeLeg(bye, callId, calleeCallId);
            pbx.send(SipMessages.answer(bye, 200, "OK", null, null));
            List<String> callerGot = new ArrayList<>();
            assertThat(trunk.receiveStartingWith("SIP/2.0 200 ", 500, callerGot)).as("the caller never hears it")
                    .isNull();
            assertThat(sbc.activeDialogs()).isEqualTo(1);
            assertRelayed(phone1Rtp, sbcForCallee, callerRtp, MediaAnchoringIT.rtp(3, 0x1001, "still talking"));

            // Phone 2's early dialog ended with the answer: the caller's request in it names no dialog any more.
            trunk.send(SipMessages.inDialog("UPDATE", sbcUri(sbc), "UDP", trunk.localAddress(), callId,
                    header(second, "From"), header(second, "To"), 4, "z9hG4bK-f1-upd2"));
            String ended = trunk.receiveStartingWith("SIP/2.0 481 ", WAIT);
            assertThat(ended).as("RFC 3261 §12.2.2").isNotNull().contains("CSeq: 4 UPDATE");
            assertThat(pbx.receiveStartingWith("UPDATE ", 300)).isNull();
        }
    }
}
