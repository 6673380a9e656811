package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.core.MediaAnchoringIT.Call;
import org.edgesbc.fixtures.rtp.T38Packets;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * T.38 fax through the daemon (ITU-T T.38 Annex D call flow): a call answered with G.711 audio, which carries
 * pass-through fax as it is; the caller's fax gateway re-INVITEs to an image stream over UDPTL, the PBX accepts,
 * real UDPTL packets cross the anchored ports both ways; then the PBX re-INVITEs back to audio. Each side sees only
 * its own leg's Call-ID, the SBC's Contact and the SBC's addresses.
 */
class FaxT38IT {
    private static final long WAIT = 5_000;

    @TempDir
    Path dataDir;

    @Test
    void aReInviteToT38IsAnchoredAndUdptlIsRelayedBothWaysThenAudioComesBack() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket callerRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket calleeRtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket callerFax = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket calleeFax = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(MediaAnchoringIT.config(dataDir, trunk, pbx,
                        Duration.ofSeconds(60)))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            Call call = MediaAnchoringIT.establish(sbc, trunk, pbx, callerRtp, calleeRtp);

            // G.711 pass-through fax is audio to the SBC: the modem tones arrive bit for bit.
            for (int seq = 0; seq < 5; seq++) {
                byte[] tone = MediaAnchoringIT.rtp(seq, 0x1111, "ced-tone-2100Hz");
                MediaAnchoringIT.send(callerRtp, call.sbcForCaller(), tone);
                DatagramPacket got = MediaAnchoringIT.receive(calleeRtp);
                assertThat(got).isNotNull();
                assertThat(Arrays.copyOf(got.getData(), got.getLength())).isEqualTo(tone);
            }

            // The caller's gateway detects fax and re-INVITEs to T.38 from another port.
            String callerUri = "sip:sbc@127.0.0.1:" + sbcUdp.getPort();
            trunk.send(SipMessages.withSdp(SipMessages.withHeaders(SipMessages.inDialog("INVITE", callerUri, "UDP",
                    trunk.localAddress(), call.callerCallId(), call.callerFrom(), call.callerTo(), 2, "z9hG4bK-fax1"),
                    "Contact: <sip:caller@127.0.0.2:" + trunk.localAddress().getPort() + ">"),
                    SipMessages.t38Sdp("127.0.0.2", callerFax.getLocalPort())));
            String faxOffer = pbx.receiveStartingWith("INVITE ", WAIT);
            assertThat(faxOffer).as("the re-INVITE reaches the PBX").isNotNull();
            assertLegIsHidden(faxOffer, call.calleeCallId(), call.callerCallId(), "127.0.0.2", call.callerTags());
            assertThat(faxOffer).contains("c=IN IP4 127.0.0.1", "a=T38FaxVersion:0", "a=T38MaxBitRate:14400",
                    "a=T38FaxUdpEC:t38UDPRedundancy").doesNotContain("m=audio", "crypto");
            InetSocketAddress sbcFaxForCallee = imageAddress(faxOffer);
            assertThat(sbcFaxForCallee.getPort()).as("the stream keeps its anchored port")
                    .isEqualTo(call.sbcForCallee().getPort());

            pbx.send(SipMessages.answer(faxOffer, 200, "OK", null, "<sip:callee@127.0.0.3:"
                    + pbx.localAddress().getPort() + ">", SipMessages.t38Sdp("127.0.0.3", calleeFax.getLocalPort())));
            String faxAnswer = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(faxAnswer).isNotNull();
            assertLegIsHidden(faxAnswer, call.callerCallId(), call.calleeCallId(), "127.0.0.3", call.calleeTags());
            assertThat(faxAnswer).contains("CSeq: 2 INVITE", "a=T38FaxVersion:0");
            InetSocketAddress sbcFaxForCaller = imageAddress(faxAnswer);
            assertThat(sbcFaxForCaller).isEqualTo(call.sbcForCaller());
            trunk.send(SipMessages.inDialog("ACK", callerUri, "UDP", trunk.localAddress(), call.callerCallId(),
                    call.callerFrom(), header(faxAnswer, "To"), 2, "z9hG4bK-fax1-ack"));
            assertThat(pbx.receiveStartingWith("ACK ", WAIT)).isNotNull();

            for (int seq = 0; seq < 10; seq++) {
                assertRelayed(callerFax, sbcFaxForCaller, calleeFax, sbcFaxForCallee,
                        T38Packets.udptl(seq, T38Packets.CNG));
                assertRelayed(calleeFax, sbcFaxForCallee, callerFax, sbcFaxForCaller,
                        T38Packets.udptl(seq, T38Packets.CED));
            }
            // The old audio socket is no longer the caller's media: the fax leg latched the gateway's port.
            MediaAnchoringIT.send(callerRtp, sbcFaxForCaller, T38Packets.udptl(99, T38Packets.CNG));
            assertThat(SbcDaemonIT.metrics(sbc))
                    .contains("sbc_media_udptl_packets_total{result=\"relayed\"} 20.0",
                            "sbc_media_udptl_packets_total{result=\"foreign_source\"} 1.0",
                            "sbc_media_packets_dropped_total{reason=\"not_rtp\"} 0.0");

            // The fax is done: the PBX re-INVITEs back to audio.
            // The PBX's own view of the dialog, as the SBC's re-INVITE gave it: its To (with its tag) is its From.
            pbx.send(SipMessages.withSdp(SipMessages.withHeaders(SipMessages.inDialog("INVITE",
                    uri(header(faxOffer, "Contact")), "UDP",
                    pbx.localAddress(), call.calleeCallId(), header(faxOffer, "To"), header(faxOffer, "From"), 1,
                    "z9hG4bK-audio1"), "Contact: <sip:callee@127.0.0.3:" + pbx.localAddress().getPort() + ">"),
                    SipMessages.sdp("127.0.0.3", calleeRtp.getLocalPort())));
            String audioOffer = trunk.receiveStartingWith("INVITE ", WAIT);
            assertThat(audioOffer).as("the PBX's re-INVITE reaches the caller").isNotNull();
            assertLegIsHidden(audioOffer, call.callerCallId(), call.calleeCallId(), "127.0.0.3", call.calleeTags());
            assertThat(audioOffer).contains("m=audio " + call.sbcForCaller().getPort() + " RTP/AVP 0 101")
                    .doesNotContain("m=image");
            trunk.send(SipMessages.answer(audioOffer, 200, "OK", null, "<sip:caller@127.0.0.2:"
                    + trunk.localAddress().getPort() + ">", SipMessages.sdp("127.0.0.2", callerRtp.getLocalPort())));
            String audioAnswer = pbx.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(audioAnswer).isNotNull();
            assertLegIsHidden(audioAnswer, call.calleeCallId(), call.callerCallId(), "127.0.0.2", call.callerTags());

            byte[] voice = MediaAnchoringIT.rtp(50, 0x1111, "voice again");
            MediaAnchoringIT.send(callerRtp, call.sbcForCaller(), voice);
            DatagramPacket back = MediaAnchoringIT.receive(calleeRtp);
            assertThat(back).as("audio flows again after the fax").isNotNull();
            assertThat(Arrays.copyOf(back.getData(), back.getLength())).isEqualTo(voice);
        }
    }

    /** {@code packet} sent to the SBC's port {@code via} arrives unchanged at {@code to} from the SBC's {@code from}. */
    private static void assertRelayed(DatagramSocket sender, InetSocketAddress via, DatagramSocket to,
            InetSocketAddress from, byte[] packet) throws IOException {
        MediaAnchoringIT.send(sender, via, packet);
        DatagramPacket got = MediaAnchoringIT.receive(to);
        assertThat(got).as("UDPTL packet %d relayed", ((packet[0] & 0xFF) << 8) | (packet[1] & 0xFF)).isNotNull();
        assertThat(got.getSocketAddress()).isEqualTo(from);
        assertThat(Arrays.copyOf(got.getData(), got.getLength())).isEqualTo(packet);
    }

    /** The message carries this leg's Call-ID and neither the other leg's Call-ID nor the other side's address. */
    private static void assertLegIsHidden(String message, String ownCallId, String otherCallId, String otherHost,
            List<String> otherTags) {
        assertThat(header(message, "Call-ID")).isEqualTo(ownCallId);
        assertThat(message).doesNotContain(otherCallId, otherHost, "FixtureCaller", "FixtureCallee");
        assertThat(RelayedCall.tagsIn(message)).as("the other leg's tags").doesNotContainAnyElementsOf(otherTags);
        String contact = header(message, "Contact");
        if (contact != null) {
            assertThat(contact).as("the SBC's Contact").contains("127.0.0.1");
        }
    }

    private static InetSocketAddress imageAddress(String message) {
        Matcher c = Pattern.compile("c=IN IP4 (\\S+)").matcher(message);
        Matcher m = Pattern.compile("m=image (\\d+) udptl t38").matcher(message);
        assertThat(c.find() && m.find()).as("T.38 SDP in %s", message).isTrue();
        return new InetSocketAddress(c.group(1), Integer.parseInt(m.group(1)));
    }

    private static String uri(String nameAddress) throws IOException {
        Matcher m = Pattern.compile("<([^>]+)>").matcher(nameAddress);
        if (!m.find()) {
            throw new IOException("no URI in " + nameAddress);
        }
        return m.group(1);
    }
}
