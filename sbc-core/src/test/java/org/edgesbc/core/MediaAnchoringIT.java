package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.core.config.MediaSettings;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.proc.ThreadNices;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.media.MediaConfig;
import org.edgesbc.media.srtp.SrtpContext;
import org.edgesbc.media.srtp.SrtpKeys;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.media.srtp.SrtpSuite;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real RTP through the daemon: relayed both ways from the SBC's own ports, injection dropped, dead media ended. */
class MediaAnchoringIT {
    private static final long WAIT = 5_000;

    @TempDir
    Path dataDir;

    /**
     * An established call with one RTP socket per side and the SBC's media ports each side was told; the caller's
     * From and To as the 200 OK gave them, for the caller's in-dialog requests.
     */
    /**
     * A call {@link #establish} set up, as each side knows it.
     *
     * @param callerTags the tags of the caller's dialog: the caller's own and the SBC's To-tag
     * @param calleeTags the tags of the callee's dialog: the SBC's From-tag and the callee's own
     */
    record Call(String callerCallId, String calleeCallId, InetSocketAddress sbcForCaller,
            InetSocketAddress sbcForCallee, String callerFrom, String callerTo, List<String> callerTags,
            List<String> calleeTags) { }

    @Test
    void theMediaThreadsRunAtTheNiceValueTheConfigurationSets() throws Exception {
        Map<String, Integer> before = ThreadNices.ofThreadsNamed("sbc-media-");
        // Higher than the test's own: raising a thread's nice needs no privilege.
        int nice = Math.min(MediaConfig.MAX_NICE, ThreadNices.ofThisThread() + 5);
        assertThat(nice).as("a nice the media threads would not inherit").isNotEqualTo(ThreadNices.ofThisThread());
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            SbcConfig base = TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress());
            MediaSettings m = base.media();
            MediaSettings niced = new MediaSettings(true, m.address(), m.advertisedAddress(), m.portMin(),
                    m.portMax(), m.quarantine(), m.timeout(), m.holdTimeout(), 2, m.busyPoll(), m.io(),
                    OptionalInt.of(nice), m.receiveBufferBytes());
            try (SbcDaemon sbc = SbcDaemon.start(new SbcConfig(base.source(), base.dataDir(), base.sip(), niced,
                    base.security(), base.fraud(), base.zones(), base.management(), base.registration(),
                    base.stirShaken(), base.logs(), base.routing(), base.dns(), base.cluster()))) {
                Map<String, Integer> started = ThreadNices.ofThreadsNamed("sbc-media-");
                started.keySet().removeAll(before.keySet());
                assertThat(started).hasSize(2).allSatisfy((thread, threadNice) -> assertThat(threadNice)
                        .as(thread).isEqualTo(nice));
            }
        }
    }

    @Test
    void rtpFlowsBothWaysThroughTheSbcAndInjectionIsDropped() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket callerRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket calleeRtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket injector = new DatagramSocket(new InetSocketAddress("127.0.0.9", 0));
                SbcDaemon sbc = SbcDaemon.start(config(dataDir, trunk, pbx, Duration.ofSeconds(60)))) {
            Call call = establish(sbc, trunk, pbx, callerRtp, calleeRtp);

            for (int seq = 0; seq < 20; seq++) {
                send(callerRtp, call.sbcForCaller(), rtp(seq, 0x1111, "caller"));
                DatagramPacket got = receive(calleeRtp);
                assertThat(got).as("caller's packet %d reaches the callee", seq).isNotNull();
                assertThat(got.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
                assertThat(payload(got)).isEqualTo("caller");
                send(calleeRtp, call.sbcForCallee(), rtp(seq, 0x2222, "callee"));
                DatagramPacket back = receive(callerRtp);
                assertThat(back).as("callee's packet %d reaches the caller", seq).isNotNull();
                assertThat(back.getAddress().getHostAddress()).isEqualTo("127.0.0.1");
                assertThat(payload(back)).isEqualTo("callee");
            }

            // A third address injecting into the caller-facing port, and a foreign SSRC from the caller's own socket.
            for (int i = 0; i < 10; i++) {
                send(injector, call.sbcForCaller(), rtp(100 + i, 0x1111, "inject"));
                send(callerRtp, call.sbcForCaller(), rtp(200 + i, 0x9999, "forged"));
            }
            send(callerRtp, call.sbcForCaller(), rtp(300, 0x1111, "caller"));
            DatagramPacket next = receive(calleeRtp);
            assertThat(next).isNotNull();
            assertThat(payload(next)).as("only the latched stream gets through").isEqualTo("caller");
            assertThat(SbcDaemonIT.metrics(sbc))
                    .containsPattern("sbc_media_packets_dropped_total\\{reason=\"foreign_source\"} 10\\.0")
                    .containsPattern("sbc_media_packets_dropped_total\\{reason=\"foreign_ssrc\"} 10\\.0");
        }
    }

    @Test
    void deadMediaEndsTheCallOnBothSidesAndFreesThePorts() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket callerRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket calleeRtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(dataDir, trunk, pbx, Duration.ofSeconds(2)))) {
            Call call = establish(sbc, trunk, pbx, callerRtp, calleeRtp);
            send(callerRtp, call.sbcForCaller(), rtp(1, 0x1111, "caller"));
            assertThat(receive(calleeRtp)).isNotNull();
            assertThat(sbc.activeMediaSessions()).isEqualTo(1);

            answerByesOnBothSides(trunk, pbx, call);
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(sbc.activeMediaSessions()).isZero();
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"disposition\":\"answered\"", "\"ended_by\":\"sbc:media-timeout\"",
                            "\"calling\":\"caller\"", "\"called\":\"5551234\"")
                    .containsPattern("\"packets_relayed\":[1-9]");
        }
    }

    @Test
    void aCalleeThatVanishesMidCallIsHungUpOnWhileTheCallerStillTalks() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket callerRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket calleeRtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(dataDir, trunk, pbx, Duration.ofSeconds(2)))) {
            Call call = establish(sbc, trunk, pbx, callerRtp, calleeRtp);
            send(callerRtp, call.sbcForCaller(), rtp(1, 0x1111, "caller"));
            assertThat(receive(calleeRtp)).isNotNull();
            send(calleeRtp, call.sbcForCallee(), rtp(1, 0x2222, "callee"));
            assertThat(receive(callerRtp)).isNotNull();

            // The PBX side vanishes: no BYE, no more RTP. The caller goes on talking (bounded: 15 s at most).
            calleeRtp.close();
            AtomicBoolean hungUp = new AtomicBoolean();
            Thread talker = new Thread(() -> {
                for (int seq = 2; seq < 150 && !hungUp.get(); seq++) {
                    try {
                        send(callerRtp, call.sbcForCaller(), rtp(seq, 0x1111, "caller"));
                        Thread.sleep(100);
                    } catch (IOException | InterruptedException e) {
                        return;
                    }
                }
            }, "caller-rtp");
            talker.start();
            try {
                answerByesOnBothSides(trunk, pbx, call);
            } finally {
                hungUp.set(true);
                talker.join(5_000);
            }
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(sbc.activeMediaSessions()).isZero();
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"ended_by\":\"sbc:media-timeout\"");
        }
    }

    @Test
    void srtpOnTheTrunkSideIsBridgedToPlainRtpTowardThePbx() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket callerRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket calleeRtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(withTrunkSrtp(config(dataDir, trunk, pbx, Duration.ofSeconds(60)),
                        SrtpPolicy.REQUIRED))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.towards(sbcUdp);
            pbx.towards(sbcUdp);

            // A plain offer from a zone that requires SRTP is refused.
            trunk.send(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", "plain@trunk", "z9hG4bK-p",
                    "cp"));
            assertThat(trunk.receiveStartingWith("SIP/2.0 488 ", WAIT)).isNotNull();

            SrtpKeys callerKeys = SrtpKeys.random(new SecureRandom());
            String callId = "srtp@trunk";
            trunk.send(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", callId, "z9hG4bK-s1", "cs")
                    .replace("m=audio 40000 RTP/AVP", "m=audio " + callerRtp.getLocalPort() + " RTP/SAVP")
                    .replace("a=rtpmap:0 PCMU/8000\r\n", "a=rtpmap:0 PCMU/8000\r\na=crypto:1 "
                            + "AES_CM_128_HMAC_SHA1_80 inline:" + callerKeys.toInline() + "\r\n")
                    .replaceFirst("Content-Length: \\d+", "Content-Length: CL")
                    .transform(MediaAnchoringIT::fixLength));
            String invite = pbx.receiveStartingWith("INVITE ", WAIT);
            assertThat(invite).as("plain RTP toward the PBX").contains("RTP/AVP 0 101").doesNotContain("crypto");
            pbx.send(SipMessages.answer(invite, 200, "OK", "ps", "<sip:callee@127.0.0.3:"
                    + pbx.localAddress().getPort() + ">", SipMessages.sdp("127.0.0.3", calleeRtp.getLocalPort())));
            String ok = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(ok).as("SRTP toward the trunk").contains("RTP/SAVP", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:");
            Matcher key = Pattern.compile("inline:(\\S+)").matcher(ok);
            assertThat(key.find()).isTrue();
            SrtpContext callerSends = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, callerKeys);
            SrtpContext callerReceives = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80,
                    SrtpKeys.fromInline(key.group(1)));
            InetSocketAddress sbcForCaller = mediaAddress(ok);
            InetSocketAddress sbcForCallee = mediaAddress(invite);

            // Before latching an SRTP side accepts any source address, but only a packet that authenticates with
            // the caller's key may latch: a forgery from a third address is dropped.
            try (DatagramSocket injector = new DatagramSocket(new InetSocketAddress("127.0.0.9", 0))) {
                SrtpContext forger = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80,
                        SrtpKeys.random(new SecureRandom()));
                byte[] forged = java.util.Arrays.copyOf(rtp(0, 0x5151, "forged audio"), 12 + 12 + 10);
                send(injector, sbcForCaller, java.util.Arrays.copyOf(forged, forger.protectRtp(forged, 24)));
                assertThat(receive(calleeRtp)).as("forged SRTP never reaches the PBX").isNull();
            }
            assertThat(SbcDaemonIT.metrics(sbc)).contains("sbc_media_packets_dropped_total{reason=\"srtp_rejected\"} 1.0");

            for (int seq = 0; seq < 10; seq++) {
                byte[] packet = java.util.Arrays.copyOf(rtp(seq, 0x5151, "secret audio"), 12 + 12 + 10);
                int length = callerSends.protectRtp(packet, 24);
                send(callerRtp, sbcForCaller, java.util.Arrays.copyOf(packet, length));
                DatagramPacket plain = receive(calleeRtp);
                assertThat(plain).as("decrypted packet %d at the PBX side", seq).isNotNull();
                assertThat(payload(plain)).isEqualTo("secret audio");

                send(calleeRtp, sbcForCallee, rtp(seq, 0x6262, "pbx audio"));
                DatagramPacket secured = receive(callerRtp);
                assertThat(secured).as("encrypted packet %d at the trunk side", seq).isNotNull();
                assertThat(secured.getLength()).isEqualTo(12 + 9 + 10);
                byte[] bytes = java.util.Arrays.copyOf(secured.getData(), secured.getLength());
                int plainLength = callerReceives.unprotectRtp(bytes, bytes.length);
                assertThat(plainLength).as("SRTP from the SBC authenticates").isEqualTo(21);
                assertThat(new String(bytes, 12, 9, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("pbx audio");
            }
        }
    }

    private static String fixLength(String message) {
        int body = message.indexOf("\r\n\r\n") + 4;
        return message.replace("Content-Length: CL", "Content-Length: " + (message.length() - body));
    }

    private static SbcConfig withTrunkSrtp(SbcConfig base, SrtpPolicy policy) {
        ZoneConfig trunk = base.zone("trunk");
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), base.security(), base.fraud(), java.util.List.of(
                new ZoneConfig(trunk.name(), trunk.role(), trunk.networks(), trunk.peer(), policy),
                base.zone("pbx")), base.management(), base.registration(), base.stirShaken());
    }

    /** The loopback topology with media anchored and {@code mediaTimeout}. */
    static SbcConfig config(Path dataDir, UdpSipPeer trunk, UdpSipPeer pbx, Duration mediaTimeout) {
        SbcConfig base = TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress());
        MediaSettings m = base.media();
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), new MediaSettings(true, m.address(),
                m.advertisedAddress(), m.portMin(), m.portMax(), m.quarantine(), mediaTimeout, m.holdTimeout(),
                m.threads()), base.security(), base.fraud(), base.zones(), base.management(), base.registration(), base.stirShaken());
    }

    /** A call from the trunk (From user "caller", tag "ct") to 5551234 at the PBX (tag "pt"), answered and ACKed. */
    static Call establish(SbcDaemon sbc, UdpSipPeer trunk, UdpSipPeer pbx, DatagramSocket callerRtp,
            DatagramSocket calleeRtp) throws IOException {
        InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
        trunk.towards(sbcUdp);
        pbx.towards(sbcUdp);
        NewCalls.Relayed relayed = NewCalls.invite(trunk, pbx, "media-" + System.nanoTime() + "@trunk",
                (id, branch) -> SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", id, branch, "ct")
                        .replace("m=audio 40000", "m=audio " + callerRtp.getLocalPort()));
        assertThat(relayed).as("the INVITE reaches the PBX").isNotNull();
        String callId = relayed.callId();
        String invite = relayed.invite();
        assertThat(invite).doesNotContain("127.0.0.2");
        InetSocketAddress sbcForCallee = mediaAddress(invite);
        pbx.send(SipMessages.answer(invite, 200, "OK", "pt", "<sip:callee@127.0.0.3:" + pbx.localAddress().getPort()
                + ">", SipMessages.sdp("127.0.0.3", calleeRtp.getLocalPort())));
        String ok = trunk.receiveStartingWith("SIP/2.0 200 ", WAIT);
        assertThat(ok).isNotNull().doesNotContain("127.0.0.3");
        InetSocketAddress sbcForCaller = mediaAddress(ok);
        assertThat(sbcForCaller.getPort()).isNotEqualTo(sbcForCallee.getPort());
        List<String> callerTags = List.of("ct", SipTestPeer.tag(header(ok, "To")));
        List<String> calleeTags = List.of(SipTestPeer.tag(header(invite, "From")), "pt");
        assertThat(RelayedCall.tagsIn(invite)).as("no tag of the caller's dialog").doesNotContainAnyElementsOf(
                callerTags);
        assertThat(RelayedCall.tagsIn(ok)).as("no tag of the callee's dialog").doesNotContainAnyElementsOf(
                calleeTags);
        trunk.send(SipMessages.inDialog("ACK", "sip:sbc@127.0.0.1:" + sbcUdp.getPort(), "UDP", trunk.localAddress(),
                callId, header(ok, "From"), header(ok, "To"), 1, "z9hG4bK-m1-ack"));
        String ack = pbx.receiveStartingWith("ACK ", WAIT);
        assertThat(ack).isNotNull();
        assertThat(RelayedCall.tagsIn(ack)).containsExactlyInAnyOrderElementsOf(calleeTags);
        return new Call(callId, header(invite, "Call-ID"), sbcForCaller, sbcForCallee, header(ok, "From"),
                header(ok, "To"), callerTags, calleeTags);
    }

    /** Expects the SBC's BYE on each leg of {@code call}, with that leg's Call-ID, and answers both with 200. */
    static void answerByesOnBothSides(UdpSipPeer trunk, UdpSipPeer pbx, Call call) throws IOException {
        String byeToCaller = trunk.receiveStartingWith("BYE ", 10_000);
        String byeToCallee = pbx.receiveStartingWith("BYE ", 10_000);
        assertThat(byeToCaller).as("caller hung up by the SBC").isNotNull();
        assertThat(byeToCallee).as("callee hung up by the SBC").isNotNull();
        assertThat(header(byeToCaller, "Call-ID")).isEqualTo(call.callerCallId());
        assertThat(header(byeToCallee, "Call-ID")).isEqualTo(call.calleeCallId());
        trunk.send(SipMessages.answer(byeToCaller, 200, "OK", null, null));
        pbx.send(SipMessages.answer(byeToCallee, 200, "OK", null, null));
    }

    static InetSocketAddress mediaAddress(String message) {
        Matcher c = Pattern.compile("c=IN IP4 (\\S+)").matcher(message);
        Matcher m = Pattern.compile("m=audio (\\d+) ").matcher(message);
        assertThat(c.find() && m.find()).as("SDP in %s", message).isTrue();
        return new InetSocketAddress(c.group(1), Integer.parseInt(m.group(1)));
    }

    /** A G.711 RTP packet (RFC 3550 §5.1): version 2, payload type 0, the text as payload. */
    static byte[] rtp(int sequence, int ssrc, String text) {
        ByteBuffer packet = ByteBuffer.allocate(12 + text.length());
        packet.put((byte) 0x80).put((byte) 0).putShort((short) sequence).putInt(sequence * 160).putInt(ssrc);
        packet.put(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return packet.array();
    }

    private static String payload(DatagramPacket packet) {
        return new String(packet.getData(), packet.getOffset() + 12, packet.getLength() - 12,
                java.nio.charset.StandardCharsets.US_ASCII);
    }

    static void send(DatagramSocket socket, InetSocketAddress to, byte[] bytes) throws IOException {
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    static DatagramPacket receive(DatagramSocket socket) throws IOException {
        socket.setSoTimeout(2_000);
        DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
        try {
            socket.receive(packet);
            return packet;
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
