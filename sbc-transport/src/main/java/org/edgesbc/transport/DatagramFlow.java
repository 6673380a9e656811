package org.edgesbc.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/** A flow over a UDP listener socket toward one remote address; the listener's port is the source port. */
final class DatagramFlow implements SipFlow {
    private final Channel channel;
    private final InetSocketAddress remote;
    private final TransportMetrics metrics;

    DatagramFlow(Channel channel, InetSocketAddress remote, TransportMetrics metrics) {
        this.channel = channel;
        this.remote = remote;
        this.metrics = metrics;
    }

    @Override
    public SipTransport transport() {
        return SipTransport.UDP;
    }

    @Override
    public InetSocketAddress remote() {
        return remote;
    }

    @Override
    public InetSocketAddress local() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    @Override
    public void whenClosed(Runnable action) {
        // A UDP path never reports its end: bindings over UDP expire instead.
    }

    @Override
    public void send(byte[] message) {
        if (!channel.isActive()) {
            // The listener closed (the SBC stops) while a relay thread still works off its queue: a write now would
            // fail on the I/O thread's shut-down loop, and Netty logs each such failure as an error.
            metrics.sendFailed(SipTransport.UDP);
            return;
        }
        channel.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(message), remote)).addListener(f -> {
            if (f.isSuccess()) {
                metrics.messageSent(SipTransport.UDP);
            } else {
                metrics.sendFailed(SipTransport.UDP);
            }
        });
    }
}
