package org.edgesbc.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.net.InetSocketAddress;

/**
 * A flow over one TCP or TLS connection, possibly still connecting: writes issued before the connection is up are
 * chained on the connect future and go out in order once it completes (or are counted as failed if it does not).
 */
final class StreamFlow implements SipFlow {
    private final SipTransport transport;
    private final InetSocketAddress remote;
    private final ChannelFuture connected;
    private final TransportMetrics metrics;

    StreamFlow(SipTransport transport, InetSocketAddress remote, ChannelFuture connected, TransportMetrics metrics) {
        this.transport = transport;
        this.remote = remote;
        this.connected = connected;
        this.metrics = metrics;
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
        Channel channel = connected.channel();
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public boolean isOpen() {
        return !connected.isDone() || (connected.isSuccess() && connected.channel().isOpen());
    }

    @Override
    public void send(byte[] message) {
        if (connected.isDone()) {
            write(message);
        } else {
            connected.addListener(f -> write(message));
        }
    }

    private void write(byte[] message) {
        Channel channel = connected.channel();
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
