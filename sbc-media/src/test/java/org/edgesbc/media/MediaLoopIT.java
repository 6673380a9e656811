package org.edgesbc.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A media loop over real loopback sockets: what reaches a receiver, what is sent, and what the loop survives and
 * frees. This class runs the loop this machine picks by default (io_uring where available); subclasses run the
 * selector and busy polling.
 */
class MediaLoopIT {
    private static final long WAIT_MILLIS = 2_000;
    /** What an audio relay sets (bench/sipp-cps-media.yaml): 39 datagrams of 172 bytes on Linux 6.1. */
    private static final int RECEIVE_BUFFER_BYTES = 16_384;

    private final CountingMediaMetrics metrics = new CountingMediaMetrics();
    /** Periodic work an hour apart: nothing but packets and handed tasks wakes the loop during a test. */
    private final MediaLoop loop = MediaLoop.start(io(), "media-loop-test", TimeUnit.HOURS.toNanos(1), busyPoll(),
            OptionalInt.empty(), RECEIVE_BUFFER_BYTES, metrics, () -> { });
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    /** An echoing socket, set once bound: its receiver sends from it. */
    private final MediaSocket[] findSelf = new MediaSocket[1];
    private final DatagramSocket peer;

    private record Received(byte[] payload, InetSocketAddress sender) { }

    /** A socket of the loop and where it is bound. */
    private record Bound(MediaSocket socket, InetSocketAddress address) { }

    MediaLoopIT() throws IOException {
        peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        peer.setSoTimeout((int) WAIT_MILLIS);
    }

    /** Whether the loop under test polls without sleeping ({@link BusyPollingMediaLoopIT}). */
    boolean busyPoll() {
        return false;
    }

    /** How the loop under test reads and sends ({@link SelectorMediaLoopIT}). */
    MediaIo io() {
        return MediaIo.AUTO;
    }

    @AfterEach
    void stop() throws Exception {
        loop.shutdown().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        peer.close();
    }

    private Bound bind(MediaLoop.Receiver receiver) throws Exception {
        return bind(StandardProtocolFamily.INET, "127.0.0.1", receiver);
    }

    /** Binds on the loop to a port found free just before (the loop's sockets take no ephemeral port). */
    private Bound bind(ProtocolFamily family, String host, MediaLoop.Receiver receiver) throws Exception {
        InetSocketAddress address;
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress(host, 0))) {
            address = new InetSocketAddress(host, probe.getLocalPort());
        }
        MediaSocket[] bound = new MediaSocket[1];
        loop.submit(() -> {
            try {
                bound[0] = loop.bind(family, address, receiver);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        return new Bound(bound[0], address);
    }

    private MediaLoop.Receiver recording() {
        return (packet, sender) -> {
            byte[] payload = new byte[packet.remaining()];
            packet.get(packet.position(), payload);
            received.add(new Received(payload, sender));
        };
    }

    private void send(Bound to, byte[] payload) throws IOException {
        peer.send(new DatagramPacket(payload, payload.length, to.address()));
    }

    /** Keeps the loop busy in a task of its own until the returned latch is counted down. */
    private CountDownLatch holdTheLoop() throws InterruptedException {
        CountDownLatch busy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        loop.execute(() -> {
            busy.countDown();
            try {
                release.await(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(busy.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
        return release;
    }

    @Test
    void eachDatagramReachesItsReceiverWholeWithItsSender() throws Exception {
        Bound socket = bind(recording());
        byte[] jumbo = new byte[9_000];
        jumbo[8_999] = 42;
        byte[] longest = new byte[IoUringMediaLoop.RECEIVE_BYTES];
        longest[longest.length - 1] = 43;
        send(socket, new byte[] {1, 2, 3});
        send(socket, jumbo);
        send(socket, longest);

        Received first = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(first.payload()).containsExactly(1, 2, 3);
        assertThat(first.sender()).isEqualTo(peer.getLocalSocketAddress());
        Received second = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        if (io().resolve() == MediaIo.IO_URING) {
            assertThat(second.payload()).as("the longest datagram an io_uring loop reads whole").isEqualTo(longest);
            assertThat(metrics.dropped(MediaDropReason.OVERSIZE)).as("a longer one is dropped, not cut").isEqualTo(1);
        } else {
            assertThat(second.payload()).as("a datagram larger than any RTP packet is not cut").isEqualTo(jumbo);
            assertThat(received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS).payload()).isEqualTo(longest);
        }

        // One byte longer than the longest an io_uring loop reads whole (sent apart: the socket's queue is small).
        byte[] justLonger = new byte[IoUringMediaLoop.RECEIVE_BYTES + 1];
        send(socket, justLonger);
        send(socket, new byte[] {4});
        if (io().resolve() == MediaIo.IO_URING) {
            assertThat(received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS).payload()).containsExactly(4);
            assertThat(metrics.dropped(MediaDropReason.OVERSIZE)).isEqualTo(2);
        } else {
            assertThat(received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS).payload()).isEqualTo(justLonger);
            assertThat(received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS).payload()).containsExactly(4);
        }
    }

    @Test
    void aSocketQueuesNoMoreThanItsReceiveBufferWhileTheLoopIsBusy() throws Exception {
        Bound socket = bind(recording());
        CountDownLatch release = holdTheLoop();
        byte[] g711 = new byte[172];
        for (int i = 0; i < 400; i++) {
            send(socket, g711);
        }
        release.countDown();

        int relayed = 0;
        while (received.poll(500, TimeUnit.MILLISECONDS) != null) {
            relayed++;
        }
        // 39 on Linux 6.1; the kernel's default (212,992 bytes) would hold about 250.
        assertThat(relayed).as("datagrams queued while the loop was busy").isBetween(10, 100);
    }

    @Test
    void moreDatagramsAtOnceThanTheLoopHasReceiveBuffersAllArrive() throws Exception {
        // Queued while the loop is busy, they all complete in its next round: more than its receive buffers hold.
        int sockets = 256;
        int each = 20;
        assertThat(sockets * each).isGreaterThan(IoUringMediaLoop.RECEIVE_BUFFERS);
        List<Bound> bound = new ArrayList<>();
        for (int i = 0; i < sockets; i++) {
            bound.add(bind(recording()));
        }
        CountDownLatch release = holdTheLoop();
        for (int i = 0; i < each; i++) {
            for (Bound socket : bound) {
                send(socket, new byte[] {(byte) i});
            }
        }
        release.countDown();

        int relayed = 0;
        while (relayed < sockets * each && received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS) != null) {
            relayed++;
        }
        assertThat(relayed).isEqualTo(sockets * each);
    }

    @Test
    void theSameSenderIsHandedOverAsOneInstance() throws Exception {
        Bound socket = bind(recording());
        send(socket, new byte[] {1});
        send(socket, new byte[] {2});
        InetSocketAddress first = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS).sender();
        InetSocketAddress second = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS).sender();
        assertThat(second).isSameAs(first);
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.5", 0))) {
            other.send(new DatagramPacket(new byte[] {3}, 1, socket.address()));
            assertThat(received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS).sender())
                    .isEqualTo(other.getLocalSocketAddress());
        }
    }

    @Test
    void aDatagramSentFromTheLoopReachesItsDestinationFromTheSocketsPort() throws Exception {
        Bound socket = bind((packet, sender) -> loop.send(findSelf[0], packet, sender));
        findSelf[0] = socket.socket();
        send(socket, new byte[] {9, 8, 7});
        DatagramPacket echo = new DatagramPacket(new byte[16], 16);
        peer.receive(echo);
        assertThat(echo.getLength()).isEqualTo(3);
        assertThat(echo.getData()[0]).isEqualTo((byte) 9);
        assertThat(echo.getSocketAddress()).isEqualTo(socket.address());
    }

    @Test
    void aDatagramLongerThanASendSlotIsSentWhole() throws Exception {
        Bound socket = bind((packet, sender) -> loop.send(findSelf[0], packet, sender));
        findSelf[0] = socket.socket();
        byte[] longest = new byte[IoUringMediaLoop.RECEIVE_BYTES];
        longest[0] = 1;
        longest[longest.length - 1] = 2;
        send(socket, longest);
        DatagramPacket echo = new DatagramPacket(new byte[longest.length + 1], longest.length + 1);
        peer.receive(echo);
        assertThat(Arrays.copyOf(echo.getData(), echo.getLength())).isEqualTo(longest);
        assertThat(metrics.dropped(MediaDropReason.SEND_FAILED)).isZero();
    }

    @Test
    void anIpv6SocketReceivesAndSends() throws Exception {
        try (DatagramSocket peer6 = new DatagramSocket(new InetSocketAddress("::1", 0))) {
            peer6.setSoTimeout((int) WAIT_MILLIS);
            Bound socket = bind(StandardProtocolFamily.INET6, "::1", (packet, sender) -> {
                recording().onDatagram(packet.duplicate(), sender);
                loop.send(findSelf[0], packet, sender);
            });
            findSelf[0] = socket.socket();
            peer6.send(new DatagramPacket(new byte[] {6}, 1, socket.address()));
            assertThat(received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS).sender())
                    .isEqualTo(peer6.getLocalSocketAddress());
            DatagramPacket echo = new DatagramPacket(new byte[16], 16);
            peer6.receive(echo);
            assertThat(echo.getLength()).isEqualTo(1);
            assertThat(echo.getSocketAddress()).isEqualTo(socket.address());
        }
    }

    @Test
    void aDualStackSocketSendsToAnIpv4PeerThroughItsMappedAddress() throws Exception {
        Bound socket = bind(StandardProtocolFamily.INET6, "::", (packet, sender) -> { });
        InetSocketAddress ipv4Peer = (InetSocketAddress) peer.getLocalSocketAddress();
        boolean[] sent = new boolean[1];
        loop.submit(() -> sent[0] = loop.send(socket.socket(), ByteBuffer.wrap(new byte[] {4, 6}), ipv4Peer))
                .get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(sent[0]).isTrue();
        DatagramPacket datagram = new DatagramPacket(new byte[16], 16);
        peer.receive(datagram);
        assertThat(Arrays.copyOf(datagram.getData(), datagram.getLength())).containsExactly(4, 6);
        assertThat(((InetSocketAddress) datagram.getSocketAddress()).getPort()).isEqualTo(socket.address().getPort());
    }

    @Test
    void sendsBeyondWhatTheLoopQueuesInOneRoundStillGo() throws Exception {
        assumeTrue(io().resolve() == MediaIo.IO_URING, "only an io_uring loop queues its sends");
        Bound socket = bind(recording());
        int queued = IoUringMediaLoop.SEND_SLOTS;
        int beyond = 10;
        int[] accepted = new int[1];
        // The queued burst goes to a sink whose receive buffer may overflow; the peer gets only the sends beyond it.
        try (DatagramSocket sink = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress sinkAddress = (InetSocketAddress) sink.getLocalSocketAddress();
            InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
            loop.submit(() -> {
                for (int i = 0; i < queued + beyond; i++) {
                    ByteBuffer packet = ByteBuffer.allocate(2).putShort((short) i).flip();
                    accepted[0] += loop.send(socket.socket(), packet, i < queued ? sinkAddress : to) ? 1 : 0;
                }
            }).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            Set<Integer> arrived = new HashSet<>();
            DatagramPacket datagram = new DatagramPacket(new byte[2], 2);
            while (arrived.size() < beyond) {
                peer.receive(datagram);
                arrived.add(ByteBuffer.wrap(datagram.getData()).getShort() & 0xffff);
            }
            assertThat(arrived).as("sent after every queue slot was taken").hasSize(beyond)
                    .allMatch(i -> i >= queued);
        }
        assertThat(accepted[0]).isEqualTo(queued + beyond);
        assertThat(metrics.dropped(MediaDropReason.SEND_FAILED)).isZero();
    }

    @Test
    void aReceiverThatThrowsDoesNotStopTheLoop() throws Exception {
        MediaLoop.Receiver recording = recording();
        Bound socket = bind((packet, sender) -> {
            if (packet.get(packet.position()) == 0) {
                throw new IllegalStateException("a relay bug on one packet");
            }
            recording.onDatagram(packet, sender);
        });
        send(socket, new byte[] {0});
        send(socket, new byte[] {7});

        Received next = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(next).isNotNull();
        assertThat(next.payload()).containsExactly(7);
    }

    @Test
    void aTaskHandedOverWakesALoopWaitingForPackets() throws Exception {
        bind(recording());
        CountDownLatch ran = new CountDownLatch(1);
        loop.execute(ran::countDown);
        assertThat(ran.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)).as("ran before the hourly wake-up").isTrue();
    }

    @Test
    void aLazyTaskRunsWhenAPacketWakesTheLoop() throws Exception {
        Bound socket = bind(recording());
        CountDownLatch ran = new CountDownLatch(1);
        loop.executeLazily(ran::countDown);
        send(socket, new byte[] {1});
        assertThat(ran.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void closedSocketsFreeTheirPortsOnceTheLoopReleasesThem() throws Exception {
        Bound socket = bind(recording());
        loop.submit(() -> {
            try {
                socket.socket().close();
                loop.releaseClosed();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        try (DatagramSocket rebound = new DatagramSocket(socket.address())) {
            assertThat(rebound.getLocalPort()).isEqualTo(socket.address().getPort());
        }
    }

    @Test
    void shutdownClosesTheSocketsStillOnTheLoop() throws Exception {
        InetSocketAddress address = bind(recording()).address();
        loop.shutdown().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        try (DatagramSocket rebound = new DatagramSocket(address)) {
            assertThat(rebound.getLocalPort()).isEqualTo(address.getPort());
        }
    }

    @Test
    void aSendThatFailsIsReportedNotThrown() throws Exception {
        Bound socket = bind(recording());
        boolean[] sent = new boolean[1];
        loop.submit(() -> {
            socket.socket().close();
            InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
            sent[0] = loop.send(socket.socket(), ByteBuffer.wrap(new byte[] {1}), to);
        }).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(sent[0]).isFalse();
    }
}
