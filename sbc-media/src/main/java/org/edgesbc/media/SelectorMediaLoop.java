package org.edgesbc.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A media loop on a JDK selector (epoll on Linux). Every packet is read into the loop's one direct buffer and sent
 * from it (or from the loop's scratch array after an SRTP transform): the JDK's datagram channel keeps the last
 * sender's address per socket, which is all a latched leg ever hears from.
 *
 * <p>Selection is level-triggered: a socket with datagrams left after the one read per readiness is reported
 * again at the next select, so one busy socket cannot starve the others.
 */
final class SelectorMediaLoop extends MediaLoop {
    /** The largest UDP payload (65,535 less the UDP header): no datagram is cut short. */
    static final int MAX_DATAGRAM = 65_527;

    /** A socket of this loop. */
    private record SelectorSocket(DatagramChannel channel) implements MediaSocket {
        @Override
        public void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // Closing a datagram socket has nothing to flush; a failure leaves nothing for the relay to undo.
            }
        }
    }

    private final Selector selector;
    private final ByteBuffer received = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    /** Made once: a method reference to the loop would be a new object at every select. */
    private final Consumer<SelectionKey> onReady = this::onReady;

    SelectorMediaLoop(String name, long periodNanos, boolean busyPoll, OptionalInt nice, int receiveBufferBytes,
            Runnable periodic) {
        super(name, periodNanos, busyPoll, nice, receiveBufferBytes, periodic, MAX_DATAGRAM);
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for " + name, e);
        }
    }

    @Override
    MediaSocket bind(ProtocolFamily family, InetSocketAddress address, Receiver receiver) throws IOException {
        DatagramChannel channel = DatagramChannel.open(family);
        try {
            channel.configureBlocking(false);
            if (receiveBufferBytes != MediaConfig.KERNEL_RECEIVE_BUFFER) {
                channel.setOption(StandardSocketOptions.SO_RCVBUF, receiveBufferBytes);
            }
            channel.bind(address);
            channel.register(selector, SelectionKey.OP_READ, receiver);
            return new SelectorSocket(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The selector lets go of closed channels at its next select, which is when the JDK closes them. */
    @Override
    void releaseClosed() throws IOException {
        selector.selectNow(onReady);
    }

    @Override
    boolean send(MediaSocket socket, ByteBuffer packet, InetSocketAddress destination) {
        try {
            return ((SelectorSocket) socket).channel().send(packet, destination) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    int poll(long waitNanos) throws IOException {
        return waitNanos == 0 ? selector.selectNow(onReady)
                : selector.select(onReady, Math.max(1, TimeUnit.NANOSECONDS.toMillis(waitNanos)));
    }

    @Override
    void wakeUp() {
        selector.wakeup();
    }

    /** Closes every socket still on the loop, then the selector, which lets go of them and so frees their ports. */
    @Override
    void closeAll() {
        try {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        } catch (IOException | ClosedSelectorException e) {
            fault("closing its sockets", e);
        }
    }

    /**
     * One datagram per readiness: a call's socket carries 50 packets a second, so a second read would almost always
     * be a system call that finds nothing, and a socket with more waiting is reported again at the next select.
     */
    private void onReady(SelectionKey key) {
        DatagramChannel channel = (DatagramChannel) key.channel();
        SocketAddress sender;
        received.clear();
        try {
            sender = channel.receive(received);
        } catch (IOException e) {
            fault("reading a datagram", e);
            return;
        }
        if (sender == null) {
            return;
        }
        received.flip();
        deliver((Receiver) key.attachment(), received, (InetSocketAddress) sender);
    }
}
