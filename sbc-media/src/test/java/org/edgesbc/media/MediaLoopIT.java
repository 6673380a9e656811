package org.edgesbc.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The media loop over real loopback sockets: what reaches a receiver, and what the loop survives and frees. */
class MediaLoopIT {
    private static final long WAIT_MILLIS = 2_000;
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);

    /** Periodic work an hour apart: nothing but packets and handed tasks wakes the loop during a test. */
    private final MediaLoop loop = new MediaLoop("media-loop-test", TimeUnit.HOURS.toNanos(1), busyPoll(), () -> { });
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final DatagramSocket peer;

    private record Received(byte[] payload, InetSocketAddress sender) { }

    MediaLoopIT() throws IOException {
        peer = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    }

    /** Whether the loop under test polls without sleeping ({@link BusyPollingMediaLoopIT}). */
    boolean busyPoll() {
        return false;
    }

    @AfterEach
    void stop() throws Exception {
        loop.shutdown().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        peer.close();
    }

    private DatagramChannel bind(MediaLoop.Receiver receiver) throws Exception {
        DatagramChannel[] bound = new DatagramChannel[1];
        loop.submit(() -> {
            try {
                bound[0] = loop.bind(StandardProtocolFamily.INET, ANY_LOOPBACK_PORT, receiver);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        return bound[0];
    }

    private MediaLoop.Receiver recording() {
        return (packet, sender) -> {
            byte[] payload = new byte[packet.remaining()];
            packet.get(packet.position(), payload);
            received.add(new Received(payload, sender));
        };
    }

    private void send(DatagramChannel to, byte[] payload) throws IOException {
        peer.send(new DatagramPacket(payload, payload.length, to.getLocalAddress()));
    }

    @Test
    void eachDatagramReachesItsReceiverWholeWithItsSender() throws Exception {
        DatagramChannel socket = bind(recording());
        byte[] jumbo = new byte[9_000];
        jumbo[8_999] = 42;
        send(socket, new byte[] {1, 2, 3});
        send(socket, jumbo);

        Received first = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        Received second = received.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(first.payload()).containsExactly(1, 2, 3);
        assertThat(first.sender()).isEqualTo(peer.getLocalSocketAddress());
        assertThat(second.payload()).as("a datagram larger than any RTP packet is not cut").isEqualTo(jumbo);
    }

    @Test
    void aReceiverThatThrowsDoesNotStopTheLoop() throws Exception {
        MediaLoop.Receiver recording = recording();
        DatagramChannel socket = bind((packet, sender) -> {
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
        DatagramChannel socket = bind(recording());
        CountDownLatch ran = new CountDownLatch(1);
        loop.executeLazily(ran::countDown);
        send(socket, new byte[] {1});
        assertThat(ran.await(WAIT_MILLIS, TimeUnit.MILLISECONDS)).isTrue();
    }

    @Test
    void closedSocketsFreeTheirPortsOnceTheLoopReleasesThem() throws Exception {
        DatagramChannel socket = bind(recording());
        InetSocketAddress address = (InetSocketAddress) socket.getLocalAddress();
        loop.submit(() -> {
            try {
                socket.close();
                loop.releaseClosed();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        try (DatagramSocket rebound = new DatagramSocket(address)) {
            assertThat(rebound.getLocalPort()).isEqualTo(address.getPort());
        }
    }

    @Test
    void shutdownClosesTheSocketsStillOnTheLoop() throws Exception {
        InetSocketAddress address = (InetSocketAddress) bind(recording()).getLocalAddress();
        loop.shutdown().get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        try (DatagramSocket rebound = new DatagramSocket(address)) {
            assertThat(rebound.getLocalPort()).isEqualTo(address.getPort());
        }
    }

    @Test
    void aSendThatFailsIsReportedNotThrown() throws Exception {
        DatagramChannel socket = bind(recording());
        boolean[] sent = new boolean[1];
        loop.submit(() -> {
            try {
                socket.close();
            } catch (IOException e) {
                throw new AssertionError(e);
            }
            InetSocketAddress to = (InetSocketAddress) peer.getLocalSocketAddress();
            sent[0] = loop.send(socket, ByteBuffer.wrap(new byte[] {1}), to);
        }).get(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(sent[0]).isFalse();
    }
}
