package org.edgesbc.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;

/** A flow over a UDP listener socket toward one remote address; the listener's port is the source port. */
final class DatagramFlow implements SipFlow {
    private final Channel channel;
    private final InetSocketAddress remote;
    private final DatagramWriter writer;

    DatagramFlow(Channel channel, InetSocketAddress remote, DatagramWriter writer) {
        this.channel = channel;
        this.remote = remote;
        this.writer = writer;
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
        writer.send(new DatagramPacket(Unpooled.wrappedBuffer(message), remote));
    }
}
