package org.edgesbc.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.edgesbc.fixtures.proc.ThreadNices;
import org.edgesbc.fixtures.rtp.RtpPeer;
import org.edgesbc.fixtures.rtp.T38Packets;
import org.edgesbc.media.srtp.SdesCrypto;
import org.edgesbc.media.srtp.SrtpContext;
import org.edgesbc.media.srtp.SrtpKeys;
import org.edgesbc.media.srtp.SrtpStatus;
import org.edgesbc.media.srtp.SrtpSuite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay over real loopback UDP: fixture peers on 127.0.0.2 (caller, side A) and 127.0.0.3 (callee, side B), an
 * injector on 127.0.0.9. Time for quarantine and media timeouts is a manual clock; every receive is bounded.
 */
class RtpRelaySessionIT {
    private static final long WAIT_MILLIS = 2_000;
    private static final long SILENCE_MILLIS = 200;
    private static final Duration QUARANTINE = Duration.ofSeconds(30);
    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Duration HOLD_TIMEOUT = Duration.ofMinutes(10);

    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private final CountingMediaMetrics metrics = new CountingMediaMetrics();
    private final CountDownLatch timedOut = new CountDownLatch(1);
    private MediaRelay relay;
    private MediaSession session;
    private MediaStream stream;
    private RtpPeer caller;
    private RtpPeer callee;
    private RtpPeer injector;

    /** How the relay under test reads and sends ({@link SelectorRtpRelaySessionIT} runs every test on the other). */
    MediaIo io() {
        return MediaIo.AUTO;
    }

    private MediaConfig config(int portMin, int portMax) throws java.net.UnknownHostException {
        return config(portMin, portMax, 1);
    }

    private MediaConfig config(int portMin, int portMax, int threads) throws java.net.UnknownHostException {
        return config(portMin, portMax, threads, OptionalInt.empty());
    }

    private MediaConfig config(int portMin, int portMax, int threads, OptionalInt nice)
            throws java.net.UnknownHostException {
        return new MediaConfig(InetAddress.getByName("127.0.0.1"), "127.0.0.1", portMin, portMax, QUARANTINE, TIMEOUT,
                HOLD_TIMEOUT, threads, false, io(), nice, MediaConfig.KERNEL_RECEIVE_BUFFER);
    }

    @BeforeEach
    void start() throws Exception {
        MediaConfig config = config(41_000, 41_199);
        relay = new MediaRelay(config, metrics, clock::get);
        session = relay.open(s -> timedOut.countDown());
        stream = session.addStream();
        assertThat(stream).isNotNull();
        caller = new RtpPeer("127.0.0.2", 0x1111);
        callee = new RtpPeer("127.0.0.3", 0x2222);
        injector = new RtpPeer("127.0.0.9", 0x1111);
    }

    @AfterEach
    void stop() {
        session.close();
        relay.close();
        caller.close();
        callee.close();
        injector.close();
    }

    private InetSocketAddress sbcRtp(MediaSide side) {
        return new InetSocketAddress("127.0.0.1", stream.localPort(side));
    }

    private InetSocketAddress sbcRtcp(MediaSide side) {
        return new InetSocketAddress("127.0.0.1", stream.localPort(side) + 1);
    }

    /** Tells the relay where {@code peer} is, as core does from its SDP, and waits until the loop applied it. */
    private void announce(MediaSide side, RtpPeer peer) throws Exception {
        announce(side, peer, MediaTransport.RTP);
    }

    private void announce(MediaSide side, RtpPeer peer, MediaTransport transport) throws Exception {
        stream.setRemote(side, peer.rtpAddress(), peer.rtcpAddress(), false, peer.rtpAddress().getAddress(),
                transport);
        onLoop(() -> { });
    }

    private static byte[] text(String payload) {
        return payload.getBytes(StandardCharsets.US_ASCII);
    }

    private static String text(RtpPeer.Received received) {
        return new String(received.payload(), StandardCharsets.US_ASCII);
    }

    /** Runs a task on the session's loop and waits for it, so the loop has handled every packet read before. */
    private void onLoop(Runnable task) throws Exception {
        session.loop().submit(task).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Test
    void rtpIsRelayedBothWaysFromTheSbcPortsAndLatchesEachPeer() throws Exception {
        assertThat(stream.legState(MediaSide.A)).isEqualTo(LegState.ALLOCATED);
        announce(MediaSide.A, caller);
        announce(MediaSide.B, callee);
        onLoop(() -> { });
        assertThat(stream.legState(MediaSide.A)).isEqualTo(LegState.WAITING);

        for (int i = 0; i < 20; i++) {
            caller.sendRtp(sbcRtp(MediaSide.A), text("caller-" + i));
            RtpPeer.Received atCallee = callee.receiveRtp(WAIT_MILLIS);
            assertThat(atCallee).as("caller packet %d", i).isNotNull();
            assertThat(atCallee.source()).isEqualTo(sbcRtp(MediaSide.B));
            assertThat(text(atCallee)).isEqualTo("caller-" + i);
            assertThat(atCallee.ssrc()).isEqualTo(0x1111);

            callee.sendRtp(sbcRtp(MediaSide.B), text("callee-" + i));
            RtpPeer.Received atCaller = caller.receiveRtp(WAIT_MILLIS);
            assertThat(atCaller).as("callee packet %d", i).isNotNull();
            assertThat(atCaller.source()).isEqualTo(sbcRtp(MediaSide.A));
            assertThat(text(atCaller)).isEqualTo("callee-" + i);
        }
        onLoop(() -> { });
        assertThat(stream.legState(MediaSide.A)).isEqualTo(LegState.LATCHED);
        assertThat(stream.legState(MediaSide.B)).isEqualTo(LegState.LATCHED);
        MediaStats stats = session.stats();
        assertThat(stats.packets()).isEqualTo(40);
        assertThat(stats.bytes()).isEqualTo(2 * (10 * (12 + 8) + 10 * (12 + 9)));
        assertThat(stats.lost()).isZero();
        assertThat(stats.injected()).isZero();
        assertThat(stats.latched()).isTrue();
    }

    @Test
    void t38OverUdptlReplacesTheAudioOfAStreamAndIsRelayedWithItsOwnLatchingAndCounters() throws Exception {
        announce(MediaSide.A, caller);
        announce(MediaSide.B, callee);
        caller.sendRtp(sbcRtp(MediaSide.A), text("voice"));
        assertThat(text(callee.receiveRtp(WAIT_MILLIS))).isEqualTo("voice");

        // The re-INVITE to fax: both sides announce m=image udptl t38 on the same stream.
        announce(MediaSide.A, caller, MediaTransport.UDPTL);
        announce(MediaSide.B, callee, MediaTransport.UDPTL);
        assertThat(stream.legState(MediaSide.A)).as("a new transport unlatches").isEqualTo(LegState.WAITING);
        injector.sendRawRtp(sbcRtp(MediaSide.A), T38Packets.udptl(0, T38Packets.CNG));
        for (int seq = 0; seq < 10; seq++) {
            assertUdptlRelayed(caller, MediaSide.A, callee, T38Packets.udptl(seq, T38Packets.CNG));
            assertUdptlRelayed(callee, MediaSide.B, caller, T38Packets.udptl(seq, T38Packets.CED));
        }
        // Latched: a third address is refused; RTP, truncated UDPTL and the unused odd port are not fax.
        injector.sendRawRtp(sbcRtp(MediaSide.A), T38Packets.udptl(20, T38Packets.CNG));
        caller.sendRtp(sbcRtp(MediaSide.A), text("late voice"));
        caller.sendRawRtp(sbcRtp(MediaSide.A), Arrays.copyOf(T38Packets.udptl(21, T38Packets.CNG), 3));
        caller.sendRawRtcp(sbcRtcp(MediaSide.A), T38Packets.udptl(22, T38Packets.CNG));
        byte[] last = T38Packets.udptl(23, T38Packets.CNG);
        caller.sendRawRtp(sbcRtp(MediaSide.A), last);
        assertThat(callee.receiveRtp(WAIT_MILLIS).bytes()).as("only the latched fax source gets through")
                .isEqualTo(last);
        onLoop(() -> { });
        assertThat(stream.legState(MediaSide.A)).isEqualTo(LegState.LATCHED);
        assertThat(metrics.udptlRelayed.get()).isEqualTo(21);
        assertThat(metrics.udptlDroppedFor(MediaDropReason.FOREIGN_SOURCE)).isEqualTo(2);
        assertThat(metrics.udptlDroppedFor(MediaDropReason.NOT_UDPTL)).isEqualTo(3);
        assertThat(metrics.dropped(MediaDropReason.NOT_RTP)).as("no fax packet fails an RTP check").isZero();

        // Back to audio once the fax is done.
        announce(MediaSide.A, caller);
        announce(MediaSide.B, callee);
        caller.sendRtp(sbcRtp(MediaSide.A), text("voice again"));
        assertThat(text(callee.receiveRtp(WAIT_MILLIS))).isEqualTo("voice again");
        caller.sendRawRtp(sbcRtp(MediaSide.A), T38Packets.udptl(24, T38Packets.CNG));
        assertThat(callee.receiveRtp(SILENCE_MILLIS)).as("fax on an audio leg again fails the RTP check").isNull();
        onLoop(() -> { });
        assertThat(metrics.dropped(MediaDropReason.NOT_RTP)).isEqualTo(1);
    }

    /** {@code packet} from {@code sender} on {@code side} reaches {@code receiver} unchanged, from the SBC's port. */
    private void assertUdptlRelayed(RtpPeer sender, MediaSide side, RtpPeer receiver, byte[] packet)
            throws Exception {
        sender.sendRawRtp(sbcRtp(side), packet);
        RtpPeer.Received got = receiver.receiveRtp(WAIT_MILLIS);
        assertThat(got).as("UDPTL from side %s", side).isNotNull();
        assertThat(got.source()).isEqualTo(sbcRtp(side.other()));
        assertThat(got.bytes()).isEqualTo(packet);
    }

    @Test
    void injectionFromAThirdAddressAndForeignSsrcsAreDroppedAndCounted() throws Exception {
        announce(MediaSide.A, caller);
        announce(MediaSide.B, callee);
        injector.sendRtp(sbcRtp(MediaSide.A), text("early-inject"));
        caller.sendRtp(sbcRtp(MediaSide.A), text("first"));
        assertThat(text(callee.receiveRtp(WAIT_MILLIS))).as("an injector cannot latch first").isEqualTo("first");

        for (int i = 0; i < 10; i++) {
            injector.sendRtp(sbcRtp(MediaSide.A), text("inject"));
            caller.sendRawRtp(sbcRtp(MediaSide.A), RtpPeer.packet(500 + i, 0, 0x9999, text("forged")));
        }
        caller.sendRtp(sbcRtp(MediaSide.A), text("after"));
        RtpPeer.Received next = callee.receiveRtp(WAIT_MILLIS);
        assertThat(next).isNotNull();
        assertThat(text(next)).as("only the latched source and SSRC get through").isEqualTo("after");
        onLoop(() -> { });
        assertThat(metrics.dropped(MediaDropReason.FOREIGN_SOURCE)).isEqualTo(11);
        assertThat(metrics.dropped(MediaDropReason.FOREIGN_SSRC)).isEqualTo(10);
        LegStats callerLeg = stream.stats(MediaSide.A);
        assertThat(callerLeg.injected()).isEqualTo(21);
        assertThat(callerLeg.dropped()).isEqualTo(21);
        assertThat(session.stats().injected()).isEqualTo(21);
    }

    @Test
    void aNatedPeerLatchesFromItsSignallingAddressAndTheLatchedPeerMaySwitchSsrc() throws Exception {
        // The caller's SDP names a private address it cannot be reached at; its SIP came from 127.0.0.2.
        stream.setRemote(MediaSide.A, new InetSocketAddress("127.0.0.20", 4000), null, false,
                InetAddress.getByName("127.0.0.2"), MediaTransport.RTP);
        announce(MediaSide.B, callee);
        caller.sendRtp(sbcRtp(MediaSide.A), text("natted"));
        assertThat(text(callee.receiveRtp(WAIT_MILLIS))).isEqualTo("natted");
        callee.sendRtp(sbcRtp(MediaSide.B), text("back"));
        RtpPeer.Received back = caller.receiveRtp(WAIT_MILLIS);
        assertThat(back).as("answered at the latched source, not the SDP address").isNotNull();
        assertThat(text(back)).isEqualTo("back");

        int switchAfter = MediaEndpoint.SSRC_SWITCH_PACKETS;
        for (int i = 0; i < switchAfter; i++) {
            caller.sendRawRtp(sbcRtp(MediaSide.A), RtpPeer.packet(1000 + i, 160L * i, 0x7777, text("bridged-" + i)));
        }
        RtpPeer.Received switched = callee.receiveRtp(WAIT_MILLIS);
        assertThat(switched).isNotNull();
        assertThat(switched.ssrc()).isEqualTo(0x7777);
        assertThat(text(switched)).as("the new SSRC passes at its %dth packet", switchAfter)
                .isEqualTo("bridged-" + (switchAfter - 1));
        onLoop(() -> { });
        assertThat(metrics.dropped(MediaDropReason.FOREIGN_SSRC)).isEqualTo(switchAfter - 1);
    }

    @Test
    void rtcpIsRelayedBesideRtpAndTowardAMultiplexingPeerOnItsRtpPort() throws Exception {
        stream.setRemote(MediaSide.B, callee.rtpAddress(), null, true, callee.rtpAddress().getAddress(),
                MediaTransport.RTP);
        announce(MediaSide.A, caller);
        caller.sendSenderReport(sbcRtcp(MediaSide.A));
        RtpPeer.Received report = callee.receiveRtp(WAIT_MILLIS);
        assertThat(report).as("RFC 5761: RTCP to a multiplexing peer arrives on its RTP port").isNotNull();
        assertThat(report.source()).isEqualTo(sbcRtp(MediaSide.B));
        assertThat(report.rtcpType()).isEqualTo(200);

        // The multiplexing callee sends its RTCP to our RTP port; the caller gets it on its RTCP port.
        callee.sendRawRtp(sbcRtp(MediaSide.B), RtpPeer.senderReport(callee.ssrc(), 0));
        RtpPeer.Received muxed = caller.receiveRtcp(WAIT_MILLIS);
        assertThat(muxed).isNotNull();
        assertThat(muxed.source()).isEqualTo(sbcRtcp(MediaSide.A));
        assertThat(muxed.rtcpType()).isEqualTo(200);

        injector.sendRawRtcp(sbcRtcp(MediaSide.A), RtpPeer.senderReport(0x9999, 0));
        caller.sendSenderReport(sbcRtcp(MediaSide.A));
        RtpPeer.Received second = callee.receiveRtp(WAIT_MILLIS);
        assertThat(second).isNotNull();
        assertThat(second.rtcpSenderSsrc()).as("RTCP from a third address is dropped too").isEqualTo(caller.ssrc());
        onLoop(() -> { });
        assertThat(metrics.dropped(MediaDropReason.FOREIGN_SOURCE)).isEqualTo(1);
    }

    @Test
    void srtpOnTheCallerLegMeetsPlainRtpOnTheCalleeLegWithThePayloadIntact() throws Exception {
        SecureRandom random = new SecureRandom();
        SdesCrypto callerSends = new SdesCrypto(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, SrtpKeys.random(random));
        SdesCrypto sbcSends = new SdesCrypto(1, SrtpSuite.AES_CM_128_HMAC_SHA1_80, SrtpKeys.random(random));
        stream.setSrtp(MediaSide.A, callerSends, sbcSends);
        announce(MediaSide.A, caller);
        announce(MediaSide.B, callee);
        SrtpContext callerOut = new SrtpContext(callerSends.suite(), callerSends.keys());
        SrtpContext callerIn = new SrtpContext(sbcSends.suite(), sbcSends.keys());
        byte[] audio = new byte[160];
        for (int i = 0; i < audio.length; i++) {
            audio[i] = (byte) (i * 7);
        }

        for (int i = 0; i < 10; i++) {
            byte[] plain = caller.nextPacket(audio);
            byte[] packet = Arrays.copyOf(plain, plain.length + 10);
            int length = callerOut.protectRtp(packet, plain.length);
            caller.sendRawRtp(sbcRtp(MediaSide.A), Arrays.copyOf(packet, length));
            RtpPeer.Received atCallee = callee.receiveRtp(WAIT_MILLIS);
            assertThat(atCallee).as("SRTP packet %d arrives as RTP", i).isNotNull();
            assertThat(atCallee.bytes()).isEqualTo(plain);

            callee.sendRtp(sbcRtp(MediaSide.B), audio);
            RtpPeer.Received atCaller = caller.receiveRtp(WAIT_MILLIS);
            assertThat(atCaller).as("RTP packet %d arrives as SRTP", i).isNotNull();
            assertThat(atCaller.bytes()).hasSize(12 + 160 + 10);
            byte[] received = atCaller.bytes();
            int plainLength = callerIn.unprotectRtp(received, received.length);
            assertThat(SrtpContext.status(plainLength)).isEqualTo(SrtpStatus.OK);
            assertThat(Arrays.copyOfRange(received, 12, plainLength)).isEqualTo(audio);
        }

        // A forger without the caller's key, even from the caller's own address, never gets through.
        SrtpContext forger = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, SrtpKeys.random(random));
        byte[] forged = Arrays.copyOf(RtpPeer.packet(40_000, 0, 0x1111, audio), 12 + 160 + 10);
        caller.sendRawRtp(sbcRtp(MediaSide.A), Arrays.copyOf(forged, forger.protectRtp(forged, 12 + 160)));
        assertThat(callee.receiveRtp(SILENCE_MILLIS)).isNull();
        onLoop(() -> { });
        assertThat(metrics.dropped(MediaDropReason.SRTP_REJECTED)).isEqualTo(1);
    }

    /** Both sides announced and one packet relayed: the session's media is alive. */
    private void mediaFlowing() throws Exception {
        announce(MediaSide.A, caller);
        announce(MediaSide.B, callee);
        caller.sendRtp(sbcRtp(MediaSide.A), text("alive"));
        assertThat(callee.receiveRtp(WAIT_MILLIS)).isNotNull();
    }

    @Test
    void silentMediaFiresTheTimeoutOnceAndHoldWaitsLonger() throws Exception {
        mediaFlowing();

        session.setOnHold(true);
        clock.addAndGet(TIMEOUT.toNanos() + 1);
        onLoop(session::checkTimeout);
        assertThat(timedOut.getCount()).as("on hold the shorter timeout does not apply").isEqualTo(1);

        clock.addAndGet(HOLD_TIMEOUT.toNanos());
        onLoop(session::checkTimeout);
        assertThat(timedOut.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void aPeerThatVanishesWhileTheOtherStillSendsEndsTheCall() throws Exception {
        mediaFlowing();
        callee.sendRtp(sbcRtp(MediaSide.B), text("back"));
        assertThat(caller.receiveRtp(WAIT_MILLIS)).isNotNull();

        clock.addAndGet(TIMEOUT.toNanos() / 2);
        caller.sendRtp(sbcRtp(MediaSide.A), text("still here"));
        assertThat(callee.receiveRtp(WAIT_MILLIS)).isNotNull();
        onLoop(session::checkTimeout);
        assertThat(timedOut.getCount()).as("both heard within the timeout").isEqualTo(1);

        // The callee is gone (no BYE); the caller keeps talking into the void.
        clock.addAndGet(TIMEOUT.toNanos() / 2 + 1);
        caller.sendRtp(sbcRtp(MediaSide.A), text("hello?"));
        assertThat(callee.receiveRtp(WAIT_MILLIS)).isNotNull();
        onLoop(session::checkTimeout);
        assertThat(timedOut.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void aPeerThatNeverSentIsNoSignOfDeathWhileTheOtherSends() throws Exception {
        mediaFlowing();
        for (int i = 0; i < 3; i++) {
            clock.addAndGet(TIMEOUT.toNanos() / 2);
            caller.sendRtp(sbcRtp(MediaSide.A), text("announcement"));
            assertThat(callee.receiveRtp(WAIT_MILLIS)).isNotNull();
            onLoop(session::checkTimeout);
        }
        assertThat(timedOut.getCount()).as("a receive-only callee").isEqualTo(1);
    }

    @Test
    void replacedTimeoutsJudgeTheSessionAlreadyOpen() throws Exception {
        mediaFlowing();

        relay.replaceTimeouts(new MediaTimeouts(TIMEOUT.multipliedBy(3), HOLD_TIMEOUT));
        clock.addAndGet(TIMEOUT.toNanos() + 1);
        onLoop(session::checkTimeout);
        assertThat(timedOut.getCount()).as("the longer timeout now applies").isEqualTo(1);

        clock.addAndGet(TIMEOUT.multipliedBy(2).toNanos());
        onLoop(session::checkTimeout);
        assertThat(timedOut.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void theScheduledWatchReportsDeadMediaWithoutHelp() throws Exception {
        clock.addAndGet(TIMEOUT.toNanos());
        // The watch runs every second on the media loop; the wait is bounded, nothing is timed.
        assertThat(timedOut.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void closingReturnsThePortsThroughQuarantine() throws Exception {
        try (MediaRelay small = twoPairRelay(41_300)) {
            MediaSession first = small.open(s -> { });
            MediaStream taken = first.addStream();
            assertThat(taken).isNotNull();
            assertThat(small.usedPortPairs()).isEqualTo(2);
            assertThat(small.freePortPairs()).isZero();
            assertThat(first.addStream()).as("exhausted: null, not an exception").isNull();
            assertThat(metrics.exhausted.get()).isEqualTo(1);

            first.close();
            first.close();
            assertThat(first.state()).isEqualTo(MediaSession.State.CLOSED);
            assertThat(taken.legState(MediaSide.A)).isEqualTo(LegState.CLOSED);
            assertThat(small.usedPortPairs()).isZero();
            assertThat(first.addStream()).isNull();
            MediaSession second = small.open(s -> { });
            assertThat(second.addStream()).as("both pairs rest in quarantine").isNull();

            clock.addAndGet(QUARANTINE.toNanos());
            assertThat(small.freePortPairs()).isEqualTo(2);
            MediaStream reused = second.addStream();
            assertThat(reused).as("the same ports bind again: the old sockets are closed").isNotNull();
            assertThat(new int[] {reused.localPort(MediaSide.A), reused.localPort(MediaSide.B)})
                    .containsExactlyInAnyOrder(taken.localPort(MediaSide.A), taken.localPort(MediaSide.B));
            second.close();
        }
    }

    /** A relay of exactly two pairs from {@code portMin}: one stream takes both. */
    private MediaRelay twoPairRelay(int portMin) throws Exception {
        return new MediaRelay(config(portMin, portMin + 3), metrics, clock::get);
    }

    /**
     * Announces the caller on side A and the callee on side B of {@code other}, as core does from their SDP, and
     * waits until the session's loop applied it.
     */
    private void connect(MediaSession owner, MediaStream other) throws Exception {
        for (MediaSide side : MediaSide.values()) {
            RtpPeer peer = side == MediaSide.A ? caller : callee;
            other.setRemote(side, peer.rtpAddress(), peer.rtcpAddress(), false, peer.rtpAddress().getAddress(),
                    MediaTransport.RTP);
        }
        owner.loop().submit(() -> { }).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Test
    void aLatePacketOfAnEndedCallNeverReachesTheCallThatReusesItsPair() throws Exception {
        try (MediaRelay small = twoPairRelay(41_400)) {
            MediaSession ended = small.open(s -> { });
            MediaStream old = ended.addStream();
            connect(ended, old);
            InetSocketAddress port = new InetSocketAddress("127.0.0.1", old.localPort(MediaSide.A));
            ended.close();

            caller.sendRtp(port, text("late"));
            assertThat(metrics.noSession.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
            assertThat(metrics.dropped(MediaDropReason.NO_SESSION)).as("dropped while in quarantine").isEqualTo(1);

            clock.addAndGet(QUARANTINE.toNanos());
            MediaSession next = small.open(s -> { });
            MediaStream reused = next.addStream();
            assertThat(reused.localPort(MediaSide.A)).as("the same bound pair").isEqualTo(old.localPort(MediaSide.A));
            connect(next, reused);
            caller.sendRtp(port, text("new call"));
            RtpPeer.Received first = callee.receiveRtp(WAIT_MILLIS);
            assertThat(first).isNotNull();
            assertThat(text(first)).as("the late packet was not kept for the new call").isEqualTo("new call");
            next.close();
        }
    }

    @Test
    void pairsBoundForABurstAreClosedOnceTheyComeBackFromQuarantine() throws Exception {
        int portMin = 42_000;
        int pairs = 600;
        try (MediaRelay large = new MediaRelay(config(portMin, portMin + 2 * pairs - 1), metrics, clock::get)) {
            MediaSession[] burst = new MediaSession[100];
            for (int i = 0; i < burst.length; i++) {
                burst[i] = large.open(s -> { });
                assertThat(burst[i].addStream()).isNotNull();
            }
            burst[0].loop().submit(() -> { }).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            int boundDuringBurst = pairs - bindablePairs(portMin, pairs);
            assertThat(boundDuringBurst).as("the loop bound more pairs to keep its target ready")
                    .isGreaterThan(MediaRelay.READY_PAIRS_PER_LOOP);

            for (MediaSession call : burst) {
                call.close();
            }
            clock.addAndGet(QUARANTINE.toNanos());
            burst[0].loop().submit(() -> large.closeSurplus(0)).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            assertThat(large.readyPortPairs()).isEqualTo(MediaRelay.READY_PAIRS_PER_LOOP);
            assertThat(pairs - bindablePairs(portMin, pairs)).as("only the pairs kept ready hold sockets")
                    .isEqualTo(MediaRelay.READY_PAIRS_PER_LOOP);
            MediaSession after = large.open(s -> { });
            assertThat(after.addStream()).as("the relay goes on handing out pairs").isNotNull();
            after.close();
        }
    }

    /** Pairs of the range whose RTP and RTCP ports this process can bind now, i.e. that the relay holds no socket of. */
    private static int bindablePairs(int portMin, int pairs) {
        int bindable = 0;
        for (int port = portMin; port < portMin + 2 * pairs; port += 2) {
            try (DatagramSocket rtp = new DatagramSocket(new InetSocketAddress("127.0.0.1", port));
                    DatagramSocket rtcp = new DatagramSocket(new InetSocketAddress("127.0.0.1", port + 1))) {
                bindable++;
            } catch (SocketException held) {
                // held by the relay
            }
        }
        return bindable;
    }

    @Test
    void eachMediaThreadRelaysTheSessionsItOwns() throws Exception {
        try (MediaRelay twoThreads = new MediaRelay(config(41_600, 41_615, 2), metrics, clock::get)) {
            MediaSession first = twoThreads.open(s -> { });
            MediaSession second = twoThreads.open(s -> { });
            assertThat(second.loop()).as("sessions go round the threads").isNotSameAs(first.loop());
            for (MediaSession owner : new MediaSession[] {first, second}) {
                MediaStream media = owner.addStream();
                connect(owner, media);
                String payload = "via " + owner.loop().name();
                caller.sendRtp(new InetSocketAddress("127.0.0.1", media.localPort(MediaSide.A)), text(payload));
                RtpPeer.Received relayed = callee.receiveRtp(WAIT_MILLIS);
                assertThat(relayed).as(payload).isNotNull();
                assertThat(text(relayed)).isEqualTo(payload);
                assertThat(relayed.source()).isEqualTo(
                        new InetSocketAddress("127.0.0.1", media.localPort(MediaSide.B)));
                owner.close();
            }
        }
    }

    @Test
    void everyMediaThreadRunsAtTheConfiguredNiceValue() throws Exception {
        // A higher nice than the test's own: raising one's nice needs no privilege.
        int nice = Math.min(MediaConfig.MAX_NICE, ThreadNices.ofThisThread() + 7);
        assertThat(nice).as("a nice the media threads would not inherit").isNotEqualTo(ThreadNices.ofThisThread());
        try (MediaRelay niced = new MediaRelay(config(41_700, 41_715, 2, OptionalInt.of(nice)), metrics,
                clock::get)) {
            MediaSession first = niced.open(s -> { });
            MediaSession second = niced.open(s -> { });
            assertThat(second.loop()).isNotSameAs(first.loop());
            for (MediaSession owner : new MediaSession[] {first, second}) {
                assertThat(niceOf(owner.loop())).as(owner.loop().name()).isEqualTo(nice);
                owner.close();
            }
        }
    }

    @Test
    void withoutANiceValueTheMediaThreadKeepsTheOneItInherits() throws Exception {
        assertThat(niceOf(session.loop())).isEqualTo(ThreadNices.ofThisThread());
    }

    private static int niceOf(MediaLoop loop) throws Exception {
        AtomicInteger nice = new AtomicInteger();
        loop.submit(() -> {
            try {
                nice.set(ThreadNices.ofThisThread());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        return nice.get();
    }

    @Test
    void closingTheRelayClosesEveryBoundSocket() throws Exception {
        MediaRelay small = twoPairRelay(41_500);
        MediaSession open = small.open(s -> { });
        assertThat(open.addStream()).isNotNull();
        assertThat(small.readyPortPairs()).isZero();
        small.close();
        for (int port = 41_500; port <= 41_503; port++) {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                assertThat(socket.getLocalPort()).isEqualTo(port);
            }
        }
    }
}
