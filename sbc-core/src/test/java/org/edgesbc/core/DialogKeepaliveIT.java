package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.core.SbcDaemonIT.metric;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keepalive of answered calls ({@code zones[].keepalive}) through the daemon: the trunk (caller) and the PBX
 * (callee) are plain UDP peers, and only the PBX's zone is probed, every 2 s, which only code can configure (the
 * loader takes 10 s or more).
 */
class DialogKeepaliveIT {
    private static final long WAIT = 5_000;
    /** Datagrams the kernel dropped at the SIP sockets' full receive queues. */
    private static final String DROPS = "sbc_transport_udp_receive_drops_total";

    @TempDir
    Path dataDir;

    @Test
    void aCallWhoseCalleeNoLongerHasTheDialogIsEndedOnBothSidesAndOneThatHasItGoesOn() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.withPbxKeepalive(TestConfigs.loopbackUdp(dataDir,
                        trunk.localAddress(), pbx.localAddress()), Duration.ofSeconds(2)))) {
            SessionTimerIT.Answered call = SessionTimerIT.call(sbc, trunk, pbx, List.of(), List.of());

            String first = pbx.receiveStartingWith("OPTIONS ", WAIT);
            assertThat(first).as("the PBX's leg is asked within its dialog").isNotNull();
            assertThat(header(first, "Call-ID")).isEqualTo(call.calleeCallId());
            assertThat(header(first, "From")).as("the SBC's tag of the PBX's leg")
                    .isEqualTo(header(call.invite(), "From"));
            assertThat(header(first, "To")).endsWith(";tag=pt");
            assertThat(header(first, "CSeq")).isEqualTo("2 OPTIONS");
            assertThat(first).doesNotContain(call.callerCallId(), "127.0.0.2");
            pbx.send(SipMessages.answer(first, 200, "OK", null, null));

            // The caller's next request follows the SBC's own on the PBX's leg (RFC 3261 §12.2.2).
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.send(SipMessages.inDialog("INFO", "sip:sbc@127.0.0.1:" + sbcUdp.getPort(), "UDP",
                    trunk.localAddress(), call.callerCallId(), call.from(), call.to(), 2, "z9hG4bK-ka-info"));
            String info = pbx.receiveStartingWith("INFO ", WAIT);
            assertThat(info).as("the caller's INFO reaches the PBX").isNotNull();
            assertThat(header(info, "CSeq")).isEqualTo("3 INFO");
            pbx.send(SipMessages.answer(info, 200, "OK", null, null));
            assertThat(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT)).as("the INFO's answer").isNotNull();

            String second = pbx.receiveStartingWith("OPTIONS ", WAIT);
            assertThat(second).as("a leg that answered is asked again").isNotNull();
            assertThat(header(second, "CSeq")).isEqualTo("4 OPTIONS");
            pbx.send(SipMessages.answer(second, 481, "Call/Transaction Does Not Exist", null, null));

            SessionTimerIT.expectByesOnBothSides(trunk, pbx, call);
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"disposition\":\"answered\"", "\"ended_by\":\"sbc:keepalive-failed\"");
            assertThat(SbcDaemonIT.metrics(sbc)).contains("sbc_dialog_keepalive_failed_total{zone=\"pbx\"} 1.0");
        }
    }

    /**
     * The default ({@code after-loss}): a flood from a source outside every zone overflows the SIP socket's receive
     * queue (a few KB here), and once the kernel's drop count has stood still for 64*T1 (T1 200 ms: 12.8 s) the
     * call answered before is asked on both legs; the PBX no longer has it.
     */
    @Test
    void aCallAnsweredBeforeTheSipSocketDroppedDatagramsIsAskedOnceOnBothLegs() throws Exception {
        assumeTrue(Files.isReadable(Path.of("/proc/net/udp")), "Linux's socket tables");
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.withUdpReceiveBuffer(TestConfigs.withT1(
                        TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress()),
                        Duration.ofMillis(200)), 4096))) {
            SessionTimerIT.Answered call = SessionTimerIT.call(sbc, trunk, pbx, List.of(), List.of());
            assertThat(pbx.receiveStartingWith("OPTIONS ", 1_000)).as("nothing is asked before a loss").isNull();

            overflow(sbc);
            assertThat(metric(sbc, DROPS)).as("the burst overflowed the socket's queue").isPositive();

            expectAskedAfterTheLossAndEndedByThePbx(sbc, trunk, pbx, call);
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"ended_by\":\"sbc:keepalive-failed\"");
        }
    }

    /**
     * The same when admission is where the loss is: the PBX's packets beyond its budget (50 a second here) are
     * dropped unanswered before they are parsed, as a BYE among them would be, and once that count has stood still
     * for 64*T1 the call answered before is asked on both legs.
     */
    @Test
    void aCallAnsweredBeforeAPeerWentOverItsPacketBudgetIsAskedOnceOnBothLegs() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.withPeerPacketBudget(TestConfigs.withT1(
                        TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress()),
                        Duration.ofMillis(200)), 50))) {
            SessionTimerIT.Answered call = SessionTimerIT.call(sbc, trunk, pbx, List.of(), List.of());
            assertThat(pbx.receiveStartingWith("OPTIONS ", 1_000)).as("nothing is asked before a loss").isNull();

            for (int i = 0; i < 200; i++) {
                pbx.send("\r\n\r\n");
            }
            assertThat(metric(sbc, "sbc_security_decisions_total{action=\"drop\",rule=\"packet_budget\"}"))
                    .as("the PBX went over its budget").isPositive();

            expectAskedAfterTheLossAndEndedByThePbx(sbc, trunk, pbx, call);
        }
    }

    /**
     * Both legs are asked within 64*T1 and a little (T1 200 ms); the trunk still has the call, the PBX answers 481,
     * and the call ends with BYE on both sides.
     */
    private static void expectAskedAfterTheLossAndEndedByThePbx(SbcDaemon sbc, UdpSipPeer trunk, UdpSipPeer pbx,
            SessionTimerIT.Answered call) throws Exception {
        String toPbx = pbx.receiveStartingWith("OPTIONS ", 30_000);
        assertThat(toPbx).as("the PBX's leg is asked after the loss").isNotNull();
        assertThat(header(toPbx, "Call-ID")).isEqualTo(call.calleeCallId());
        String toTrunk = trunk.receiveStartingWith("OPTIONS ", WAIT);
        assertThat(toTrunk).as("and the trunk's").isNotNull();
        assertThat(header(toTrunk, "Call-ID")).isEqualTo(call.callerCallId());
        trunk.send(SipMessages.answer(toTrunk, 200, "OK", null, null));
        pbx.send(SipMessages.answer(toPbx, 481, "Call/Transaction Does Not Exist", null, null));

        SessionTimerIT.expectByesOnBothSides(trunk, pbx, call);
        SbcDaemonIT.awaitDialogs(sbc, 0);
    }

    /**
     * Senders from outside every zone, more of them than the machine has cores beside the I/O thread, so that the
     * thread is off its core now and then and the few datagrams its queue holds are exceeded; a warm I/O thread
     * keeps up with one sender. Until the SBC counts drops, at most 10 s or 300,000 datagrams.
     */
    private static void overflow(SbcDaemon sbc) throws Exception {
        InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> senders = new ArrayList<>();
        for (int s = 0; s < 3; s++) {
            DatagramChannel flood = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.9", 0));
            Thread sender = new Thread(() -> {
                try (flood) {
                    for (int i = 0; i < 100_000 && !stop.get(); i++) {
                        flood.send(ByteBuffer.allocate(1_000), sbcUdp);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, "flood-" + s);
            sender.start();
            senders.add(sender);
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (metric(sbc, DROPS) == 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        stop.set(true);
        for (Thread sender : senders) {
            sender.join();
        }
    }
}
