package org.edgesbc.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;

/**
 * A flow over one TCP or TLS connection, possibly still connecting: writes issued before the connection is up are
 * chained on the connect future and go out in order once it completes (or are each counted as failed if it does
 * not). A peer that stops reading is not buffered for without end: once the channel's unsent data passes the write
 * high-water mark, the next send closes the connection and counts as failed. A {@linkplain #refused refused} flow
 * has no connection at all (the connection table was full): it is closed from the start and opens no socket.
 */
final class StreamFlow implements SipFlow {
    private final SipTransport transport;
    private final InetSocketAddress remote;
    /** The connect future; null for a refused flow. */
    private final ChannelFuture connected;
    private final TransportMetrics metrics;

    StreamFlow(SipTransport transport, InetSocketAddress remote, ChannelFuture connected, TransportMetrics metrics) {
        this.transport = transport;
        this.remote = remote;
        this.connected = connected;
        this.metrics = metrics;
    }

    /** A flow that could not get room in the connection table: every send counts as failed. */
    static StreamFlow refused(SipTransport transport, InetSocketAddress remote, TransportMetrics metrics) {
        return new StreamFlow(transport, remote, null, metrics);
    }

    @Override
    public SipTransport transport() {
        return transport;
    }

    @Override
    public InetSocketAddress remote() {
        return remote;
    }

    @Override
    public InetSocketAddress local() {
        return connected == null ? null : (InetSocketAddress) connected.channel().localAddress();
    }

    /** Completes when the connection closes (or at once when it never opened). */
    ChannelFuture closeFuture() {
        return connected.channel().closeFuture();
    }

    @Override
    public boolean isOpen() {
        return connected != null
                && (!connected.isDone() || (connected.isSuccess() && connected.channel().isOpen()));
    }

    @Override
    public void whenClosed(Runnable action) {
        if (connected == null) {
            action.run();
        } else {
            closeFuture().addListener(f -> action.run());
        }
    }

    @Override
    public void send(byte[] message) {
        if (connected == null) {
            metrics.sendFailed(transport);
        } else if (connected.isDone()) {
            write(message);
        } else {
            connected.addListener(f -> write(message));
        }
    }

    /**
     * One connection's messages may come from several threads in turn (a relay shard's own thread, then an I/O thread
     * relaying in its place). Written from another thread, a message waits in the connection's event loop's task
     * queue; written on the loop it would go out at once, ahead of one queued there a moment before. So a write on
     * the loop is queued too, behind whatever came first.
     */
    private void write(byte[] message) {
        Channel channel = connected.channel();
        if (channel.eventLoop().inEventLoop()) {
            channel.eventLoop().execute(() -> writeNow(channel, message));
        } else {
            writeNow(channel, message);
        }
    }

    private void writeNow(Channel channel, byte[] message) {
        if (!connected.isSuccess() || !channel.isActive()) {
            metrics.sendFailed(transport);
            return;
        }
        if (!channel.isWritable()) {
            // The peer stopped reading and our buffer is past its high-water mark: a stuck peer is dropped rather
            // than buffered for without end.
            metrics.sendFailed(transport);
            channel.close();
            return;
        }
        channel.writeAndFlush(Unpooled.wrappedBuffer(message)).addListener(f -> {
            if (f.isSuccess()) {
                metrics.messageSent(transport);
            } else {
                metrics.sendFailed(transport);
            }
        });
    }
}
