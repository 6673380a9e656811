package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The probe over real loopback sockets: the test's sockets stand for the listener's. */
class QueueWaitProbeTest {
    private final List<DatagramChannel> sockets = new ArrayList<>();

    @AfterEach
    void close() throws IOException {
        for (DatagramChannel socket : sockets) {
            socket.close();
        }
    }

    @Test
    void aProbeReachesTheListenersSocketAndCarriesTheTimeItWasSent() throws IOException {
        DatagramChannel listener = loopbackListener();
        try (QueueWaitProbe probe = QueueWaitProbe.open(listener.getLocalAddress())) {
            assertThat(probe.cameBack()).isFalse();
            assertThat(probe.send(123_456_789L)).isTrue();

            DatagramPacket datagram = receive(listener);

            assertThat(datagram).isNotNull();
            assertThat(probe.sentAt(datagram)).isEqualTo(123_456_789L);
            assertThat(probe.cameBack()).isTrue();
            datagram.release();
        }
    }

    @Test
    void aListenerOnTheWildcardAddressIsProbedOverLoopback() throws IOException {
        DatagramChannel listener = DatagramChannel.open(StandardProtocolFamily.INET);
        sockets.add(listener);
        listener.bind(new InetSocketAddress("0.0.0.0", 0)).configureBlocking(false);
        try (QueueWaitProbe probe = QueueWaitProbe.open(listener.getLocalAddress())) {
            probe.send(7L);

            DatagramPacket datagram = receive(listener);

            assertThat(datagram.sender().getAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
            assertThat(probe.sentAt(datagram)).isEqualTo(7L);
            datagram.release();
        }
    }

    @Test
    void aDatagramOfAProbesShapeFromAnotherSourceOrWithAnotherTokenIsNoProbe() throws IOException {
        DatagramChannel listener = loopbackListener();
        try (QueueWaitProbe probe = QueueWaitProbe.open(listener.getLocalAddress())) {
            probe.send(7L);
            DatagramPacket real = receive(listener);
            DatagramChannel stranger = loopbackListener();
            stranger.send(real.content().nioBuffer(), listener.getLocalAddress());
            DatagramPacket copied = receive(listener);
            DatagramPacket forged = new DatagramPacket(Unpooled.wrappedBuffer(new byte[QueueWaitProbe.PROBE_BYTES]),
                    real.recipient(), real.sender());

            assertThat(probe.sentAt(copied)).as("the right bytes from another port").isEqualTo(QueueWaitProbe.NOT_A_PROBE);
            assertThat(probe.sentAt(forged)).as("the probe's source with another token").isEqualTo(QueueWaitProbe.NOT_A_PROBE);
            assertThat(probe.cameBack()).isFalse();
            real.release();
            copied.release();
        }
    }

    @Test
    void anAddressThatIsNoIpSocketsHasNoProbe() throws IOException {
        assertThat(QueueWaitProbe.open(new LocalAddress("listener"))).isNull();
    }

    @Test
    void aProbeSocketNoneOfWhoseProbesCameBackIsReplacedAfterMissesInARowAndGivenUpAtLast() throws IOException {
        DatagramChannel listener = loopbackListener();
        try (QueueWaitProbe probe = QueueWaitProbe.open(listener.getLocalAddress())) {
            probe.send(1L);
            DatagramPacket lost = receive(listener);
            for (int miss = 1; miss < QueueWaitProbe.MISSES_TO_REPLACE; miss++) {
                assertThat(probe.missed()).isTrue();
            }
            probe.send(2L);
            DatagramPacket sameSocket = receive(listener);
            assertThat(sameSocket.sender()).isEqualTo(lost.sender());

            assertThat(probe.missed()).isTrue();
            probe.send(3L);
            DatagramPacket replaced = receive(listener);

            assertThat(replaced.sender()).isNotEqualTo(lost.sender());
            assertThat(probe.sentAt(lost)).as("the old socket's probe").isEqualTo(QueueWaitProbe.NOT_A_PROBE);
            assertThat(probe.sentAt(replaced)).isEqualTo(3L);
            lost.release();
            sameSocket.release();
            replaced.release();
        }
        try (QueueWaitProbe probe = QueueWaitProbe.open(listener.getLocalAddress())) {
            int misses = 0;
            while (probe.missed()) {
                misses++;
                assertThat(misses).isLessThan(QueueWaitProbe.MAX_SOCKETS_TRIED * QueueWaitProbe.MISSES_TO_REPLACE);
            }
            assertThat(misses + 1).isEqualTo(QueueWaitProbe.MAX_SOCKETS_TRIED * QueueWaitProbe.MISSES_TO_REPLACE);
        }
    }

    /**
     * Two sockets sharing a port, as the listener's per-thread sockets do: the kernel picks one by a hash of the
     * probe's addresses and ports, so a probe socket whose probes reach the sibling is replaced until one reaches
     * the socket it measures.
     */
    @Test
    void aProbeSocketWhoseProbesReachASiblingSocketIsReplacedUntilTheyReachItsOwn() throws IOException {
        DatagramChannel own = listener(new InetSocketAddress("127.0.0.1", 0), true);
        DatagramChannel sibling = listener((InetSocketAddress) own.getLocalAddress(), true);
        try (QueueWaitProbe probe = QueueWaitProbe.open(own.getLocalAddress())) {
            int misses = 0;
            for (int round = 0; round < 40 * QueueWaitProbe.MISSES_TO_REPLACE && !probe.cameBack(); round++) {
                probe.send(round);
                DatagramPacket mine = null;
                DatagramPacket theirs = null;
                for (int waited = 0; waited < 200 && mine == null && theirs == null; waited++) {
                    mine = receive(own, 0);
                    theirs = mine == null ? receive(sibling, 0) : null;
                    sleep();
                }
                assertThat(mine != null || theirs != null).as("the probe reached one of the two sockets").isTrue();
                if (mine != null) {
                    assertThat(probe.sentAt(mine)).isEqualTo(round);
                    mine.release();
                } else {
                    theirs.release();
                    assertThat(probe.missed()).isTrue();
                    misses++;
                }
            }

            assertThat(probe.cameBack()).isTrue();
            assertThat(misses % QueueWaitProbe.MISSES_TO_REPLACE).as("a socket's probes all go one way").isZero();
            probe.send(-1L);
            DatagramPacket next = receive(own);
            assertThat(probe.sentAt(next)).as("the socket kept sends its probes to its own").isEqualTo(-1L);
            next.release();
        }
    }

    private DatagramChannel loopbackListener() throws IOException {
        return listener(new InetSocketAddress("127.0.0.1", 0), false);
    }

    private DatagramChannel listener(InetSocketAddress address, boolean sharedPort) throws IOException {
        DatagramChannel socket = DatagramChannel.open();
        sockets.add(socket);
        if (sharedPort) {
            socket.setOption(StandardSocketOptions.SO_REUSEPORT, true);
        }
        socket.bind(address);
        socket.configureBlocking(false);
        return socket;
    }

    static DatagramPacket receive(DatagramChannel socket) throws IOException {
        return receive(socket, 200);
    }

    /** The next datagram on {@code socket} (non-blocking) within about {@code waitMillis}, or null. */
    static DatagramPacket receive(DatagramChannel socket, int waitMillis) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64);
        for (int i = 0; ; i++) {
            InetSocketAddress sender = (InetSocketAddress) socket.receive(buffer);
            if (sender != null) {
                buffer.flip();
                return new DatagramPacket(Unpooled.copiedBuffer(buffer), (InetSocketAddress) socket.getLocalAddress(),
                        sender);
            }
            if (i >= waitMillis) {
                return null;
            }
            sleep();
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
