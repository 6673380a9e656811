package org.edgesbc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.security.SecureRandom;

/**
 * Measures how long a datagram waits in a UDP listener's receive queue: the listener's I/O thread sends itself a
 * stamped datagram, from a socket of its own on a local address, and reads the stamp back when the datagram's turn
 * in the queue comes. Java sees neither the age nor the depth of the kernel's queue (no receive timestamps through
 * Netty's channels); a datagram sent to the back of the queue and read at its front measures exactly the wait a
 * datagram arriving then had.
 *
 * <p>Why the probe cannot be forged from outside: it must come from the probe socket's own address and port, a local
 * address the kernel refuses as the source of a packet arriving from the network (a "martian" source), and carry a
 * random token drawn when the probe socket was opened.
 *
 * <p>Several listener sockets sharing a port ({@code SO_REUSEPORT}) get a datagram by a hash of its addresses and
 * ports, so a probe may reach a sibling instead: a probe socket none of whose probes came back is replaced by one on
 * another port, until one comes back ({@link #missed}).
 *
 * <p>Touched only on the listener's I/O thread.
 */
final class QueueWaitProbe implements AutoCloseable {
    /** A probe's size: the token, then the time it was sent ({@link System#nanoTime()} of this JVM). */
    static final int PROBE_BYTES = 16;
    /** What {@link #sentAt} says of a datagram that is not one of this probe's. */
    static final long NOT_A_PROBE = Long.MIN_VALUE;
    /** Probes in a row that did not come back before a socket is replaced: a full queue may drop one or two. */
    static final int MISSES_TO_REPLACE = 3;
    /** Probe sockets tried before the probe gives up: many times the sockets a port is shared by here. */
    static final int MAX_SOCKETS_TRIED = 256;

    private final InetSocketAddress listener;
    private final ByteBuffer outgoing = ByteBuffer.allocateDirect(PROBE_BYTES);
    private final SecureRandom random = new SecureRandom();
    private DatagramChannel socket;
    private InetSocketAddress source;
    private long token;
    private boolean cameBack;
    private int missesInRow;
    private int socketsTried;

    private QueueWaitProbe(InetSocketAddress listener) {
        this.listener = listener;
    }

    /**
     * Opens a probe for the listener bound to {@code local}: probes go to the listener's own address, or to the
     * loopback address of its family when it is bound to the wildcard address; null for an address that is not an
     * IP socket's.
     */
    static QueueWaitProbe open(SocketAddress local) throws IOException {
        if (!(local instanceof InetSocketAddress bound)) {
            return null;
        }
        InetAddress address = bound.getAddress();
        if (address.isAnyLocalAddress()) {
            address = InetAddress.getByName(address instanceof Inet6Address ? "::1" : "127.0.0.1");
        }
        QueueWaitProbe probe = new QueueWaitProbe(new InetSocketAddress(address, bound.getPort()));
        probe.openSocket();
        return probe;
    }

    private void openSocket() throws IOException {
        socketsTried++;
        DatagramChannel opened = DatagramChannel.open(listener.getAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
        try {
            opened.configureBlocking(false);
            opened.bind(new InetSocketAddress(listener.getAddress(), 0));
            source = (InetSocketAddress) opened.getLocalAddress();
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        socket = opened;
        token = random.nextLong();
        missesInRow = 0;
    }

    /**
     * Sends a probe stamped {@code now}; false when the socket's send buffer refused it (then nothing is in flight).
     */
    boolean send(long now) throws IOException {
        outgoing.clear();
        outgoing.putLong(token).putLong(now).flip();
        return socket.send(outgoing, listener) == PROBE_BYTES;
    }

    /** When the probe {@code datagram} was sent, or {@link #NOT_A_PROBE}. */
    long sentAt(DatagramPacket datagram) {
        ByteBuf content = datagram.content();
        if (content.readableBytes() != PROBE_BYTES || !source.equals(datagram.sender())
                || content.getLong(content.readerIndex()) != token) {
            return NOT_A_PROBE;
        }
        cameBack = true;
        missesInRow = 0;
        return content.getLong(content.readerIndex() + Long.BYTES);
    }

    /** Whether a probe ever came back: until then, where the probes go is not known. */
    boolean cameBack() {
        return cameBack;
    }

    /**
     * A probe in flight did not come back although its listener's queue was emptied after it was sent. A socket none
     * of whose probes ever came back is replaced after {@link #MISSES_TO_REPLACE} such misses in a row.
     *
     * @return false once the probe has given up: {@link #MAX_SOCKETS_TRIED} sockets tried, none of whose probes came
     *         back (then it is closed)
     */
    boolean missed() throws IOException {
        if (cameBack || ++missesInRow < MISSES_TO_REPLACE) {
            return true;
        }
        socket.close();
        if (socketsTried >= MAX_SOCKETS_TRIED) {
            return false;
        }
        openSocket();
        return true;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
