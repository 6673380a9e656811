package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.fixtures.rtp.RtpPeer;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Re-INVITEs through the real daemon: hold and resume in every direction and form (RFC 3264 §8.4, RFC 3261's
 * c=0.0.0.0), a codec change, DTMF as RFC 4733 events in RTP and as SIP INFO, and glare (RFC 3261 §14) on both legs.
 * Each side only ever sees its own Call-ID and the SBC's addresses; the anchored media ports stay what they were.
 */
class ReInviteIT {
    private static final long WAIT = RelayedCall.WAIT;
    private static final Pattern AUDIO_PORT = Pattern.compile("m=audio (\\d+) ");

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

    @Test
    void holdAndResumeInEveryDirectionAndACodecChangeKeepTheAnchoredPorts() throws Exception {
        RelayedCall call = RelayedCall.establish(trunk, pbx, sbcUdp, "200", "hold@trunk.example", "th", "ph");
        String callerSeesPort = audioPort(call.okToCaller);
        String calleeSeesPort = audioPort(call.inviteToCallee);

        String[] sendonly = offerAndAnswer(call, true, sdp("127.0.0.2", 40_000, "0 101", "sendonly"),
                sdp("127.0.0.3", 42_000, "0 101", "recvonly"));
        assertThat(sendonly[0]).contains("a=sendonly", "c=IN IP4 127.0.0.1");
        assertThat(sendonly[1]).contains("a=recvonly", "c=IN IP4 127.0.0.1");

        String[] inactive = offerAndAnswer(call, false, sdp("127.0.0.3", 42_000, "0 101", "inactive"),
                sdp("127.0.0.2", 40_000, "0 101", "inactive"));
        assertThat(inactive[0]).contains("a=inactive");
        assertThat(inactive[1]).contains("a=inactive");

        // RFC 2543 hold, still sent by older PBXs: the zero address stays zero, so the other side stops sending.
        String[] zeroHold = offerAndAnswer(call, false, sdp("0.0.0.0", 42_000, "0 101", "sendrecv"),
                sdp("127.0.0.2", 40_000, "0 101", "sendrecv"));
        assertThat(zeroHold[0]).contains("c=IN IP4 0.0.0.0");

        String[] recvonly = offerAndAnswer(call, true, sdp("127.0.0.2", 40_000, "0 101", "recvonly"),
                sdp("127.0.0.3", 42_000, "0 101", "sendonly"));
        assertThat(recvonly[0]).contains("a=recvonly");
        assertThat(recvonly[1]).contains("a=sendonly");

        String[] resumed = offerAndAnswer(call, false, sdp("127.0.0.3", 42_000, "0 101", "sendrecv"),
                sdp("127.0.0.2", 40_000, "0 101", "sendrecv"));
        assertThat(resumed[0]).contains("a=sendrecv", "c=IN IP4 127.0.0.1");

        String[] pcma = offerAndAnswer(call, true, sdp("127.0.0.2", 40_000, "8 101", "sendrecv"),
                sdp("127.0.0.3", 42_000, "8 101", "sendrecv"));
        assertThat(pcma[0]).contains("m=audio " + calleeSeesPort + " RTP/AVP 8 101", "a=rtpmap:8 PCMA/8000");
        assertThat(pcma[1]).contains("m=audio " + callerSeesPort + " RTP/AVP 8 101");
        assertThat(audioPort(resumed[0])).isEqualTo(callerSeesPort);
        assertThat(audioPort(resumed[1])).isEqualTo(calleeSeesPort);
    }

    @Test
    void dtmfAsRtpEventsAndAsSipInfoPassUnchanged() throws Exception {
        try (RtpPeer callerMedia = new RtpPeer("127.0.0.2", 0x1111);
                RtpPeer calleeMedia = new RtpPeer("127.0.0.3", 0x2222)) {
            RelayedCall call = RelayedCall.establish(trunk, pbx, sbcUdp, "200", "dtmf@trunk.example", "td", "pd",
                    callerMedia.rtpAddress().getPort(), calleeMedia.rtpAddress().getPort());
            assertThat(call.inviteToCallee).contains("a=rtpmap:101 telephone-event/8000");
            InetSocketAddress sbcForCaller = new InetSocketAddress("127.0.0.1",
                    Integer.parseInt(audioPort(call.okToCaller)));
            // RFC 4733 §2.3: event 5, end bit, volume 10, duration 800; payload type 101 as negotiated.
            byte[] event = {5, (byte) 0x8a, 0x03, 0x20};
            for (int seq = 0; seq < 3; seq++) {
                byte[] packet = RtpPeer.packet(seq, 160, 0x1111, event);
                packet[1] = (byte) (seq == 0 ? 0x80 | 101 : 101);
                callerMedia.sendRawRtp(sbcForCaller, packet);
                RtpPeer.Received got = calleeMedia.receiveRtp(WAIT);
                assertThat(got).as("telephone-event packet %d relayed", seq).isNotNull();
                assertThat(got.bytes()[1] & 0x7f).isEqualTo(101);
                assertThat(java.util.Arrays.copyOfRange(got.bytes(), 12, 16)).isEqualTo(event);
                assertThat(got.source().getAddress().getHostAddress()).isEqualTo("127.0.0.1");
            }

            String dtmf = "Signal=5\r\nDuration=160\r\n";
            call.fromCaller("INFO", "", "application/dtmf-relay", dtmf);
            String info = pbx.receiveStartingWith("INFO ", WAIT);
            call.assertCalleeSees(info);
            assertThat(info).endsWith("\r\n\r\n" + dtmf).contains("Content-Type: application/dtmf-relay");
            RelayedCall.answer(pbx, info, 200, "OK", null);
            call.assertCallerSees(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT));

            String xml = "<?xml version=\"1.0\"?>\r\n<media_control/>\r\n";
            call.fromCallee("INFO", "Info-Package: dtmf\r\n", "application/media_control+xml", xml);
            String back = trunk.receiveStartingWith("INFO ", WAIT);
            call.assertCallerSees(back);
            assertThat(back).endsWith("\r\n\r\n" + xml).contains("Info-Package: dtmf");
        }
    }

    /**
     * RFC 3261 §14: a re-INVITE from the side the SBC has a re-INVITE outstanding toward hears 491 from the SBC and
     * never reaches the other side; a second re-INVITE before the first is answered hears 500 with Retry-After; a
     * 491 from the far side reaches the requester; once answered, the next re-INVITE goes through.
     */
    @Test
    void glareOnEitherLegIsAnsweredWith491AndTheFirstOfferCompletes() throws Exception {
        RelayedCall call = RelayedCall.establish(trunk, pbx, sbcUdp, "200", "glare@trunk.example", "tg", "pg");

        call.fromCaller("INVITE", "", "application/sdp", sdp("127.0.0.2", 40_000, "0 101", "sendonly"));
        int callerInvite = call.callerCSeq();
        String pending = pbx.receiveStartingWith("INVITE ", WAIT);
        call.assertCalleeSees(pending);

        String crossing = call.fromCallee("INVITE", "", "application/sdp",
                sdp("127.0.0.3", 42_000, "0 101", "inactive"));
        String glare = pbx.receiveStartingWith("SIP/2.0 ", WAIT);
        assertThat(glare).startsWith("SIP/2.0 491 ");
        call.assertCalleeSees(glare);
        pbx.send(RelayedCall.ackOfFailure(crossing, glare));

        String second = call.fromCaller("INVITE", "", "application/sdp",
                sdp("127.0.0.2", 40_000, "0 101", "inactive"));
        String busy = trunk.receiveStartingWith("SIP/2.0 ", WAIT);
        assertThat(busy).startsWith("SIP/2.0 500 ");
        assertThat(Integer.parseInt(header(busy, "Retry-After"))).isBetween(0, 10);
        call.assertCallerSees(busy);
        trunk.send(RelayedCall.ackOfFailure(second, busy));
        assertThat(pbx.receive(300)).as("neither refused re-INVITE nor its ACK reaches the PBX").isNull();

        RelayedCall.answer(pbx, pending, 200, "OK", sdp("127.0.0.3", 42_000, "0 101", "recvonly"));
        call.assertCallerSees(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT));
        call.ack(true, callerInvite);
        call.assertCalleeSees(pbx.receiveStartingWith("ACK ", WAIT));

        // The PBX's retry after its §14.1 wait meets a caller in glare of its own, whose 491 comes back.
        call.fromCallee("INVITE", "", "application/sdp", sdp("127.0.0.3", 42_000, "0 101", "sendrecv"));
        String retried = trunk.receiveStartingWith("INVITE ", WAIT);
        call.assertCallerSees(retried);
        RelayedCall.answer(trunk, retried, 491, "Request Pending", null);
        String farGlare = pbx.receiveStartingWith("SIP/2.0 491 ", WAIT);
        call.assertCalleeSees(farGlare);
        assertThat(trunk.receiveStartingWith("ACK ", WAIT)).as("the SBC acknowledges the trunk's 491 itself")
                .isNotNull();

        String[] afterwards = offerAndAnswer(call, true, sdp("127.0.0.2", 40_000, "0 101", "sendrecv"),
                sdp("127.0.0.3", 42_000, "0 101", "sendrecv"));
        assertThat(afterwards[0]).contains("a=sendrecv");
    }

    /**
     * One offer/answer by re-INVITE: sent by the caller ({@code fromCaller}) or the callee, answered 200 by the other
     * side, ACKed. Returns the offer as the answerer got it and the answer as the offerer got it.
     */
    private String[] offerAndAnswer(RelayedCall call, boolean fromCaller, String offer, String answer)
            throws Exception {
        SipTestPeer offerer = fromCaller ? trunk : pbx;
        SipTestPeer answerer = fromCaller ? pbx : trunk;
        if (fromCaller) {
            call.fromCaller("INVITE", "", "application/sdp", offer);
        } else {
            call.fromCallee("INVITE", "", "application/sdp", offer);
        }
        String relayedOffer = answerer.receiveStartingWith("INVITE ", WAIT);
        assertThat(relayedOffer).as("re-INVITE relayed").isNotNull();
        RelayedCall.answer(answerer, relayedOffer, 200, "OK", answer);
        String relayedAnswer = offerer.receiveStartingWith("SIP/2.0 200 ", WAIT);
        assertThat(relayedAnswer).as("answer to the re-INVITE relayed").isNotNull();
        call.ack(fromCaller, fromCaller ? call.callerCSeq() : call.calleeCSeq());
        String ack = answerer.receiveStartingWith("ACK ", WAIT);
        if (fromCaller) {
            call.assertCalleeSees(relayedOffer);
            call.assertCallerSees(relayedAnswer);
            call.assertCalleeSees(ack);
        } else {
            call.assertCallerSees(relayedOffer);
            call.assertCalleeSees(relayedAnswer);
            call.assertCallerSees(ack);
        }
        return new String[] {relayedOffer, relayedAnswer};
    }

    private static String sdp(String host, int port, String formats, String direction) {
        StringBuilder sdp = new StringBuilder("v=0\r\no=party 1 2 IN IP4 ").append(host.equals("0.0.0.0")
                ? "127.0.0.3" : host).append("\r\ns=-\r\nc=IN IP4 ").append(host).append("\r\nt=0 0\r\n")
                .append("m=audio ").append(port).append(" RTP/AVP ").append(formats).append("\r\n");
        for (String format : formats.split(" ")) {
            sdp.append(switch (format) {
                case "0" -> "a=rtpmap:0 PCMU/8000\r\n";
                case "8" -> "a=rtpmap:8 PCMA/8000\r\n";
                default -> "a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\n";
            });
        }
        return sdp.append("a=").append(direction).append("\r\n").toString();
    }

    private static String audioPort(String message) {
        Matcher m = AUDIO_PORT.matcher(message);
        assertThat(m.find()).as("an m=audio line in %s", message).isTrue();
        return m.group(1);
    }
}
