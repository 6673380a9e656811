package org.edgesbc.transport;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;

/**
 * The flows of one UDP listener socket, one per recent remote address: every transaction keeps its flow (and so its
 * address) for as long as it absorbs retransmissions, and the peers an SBC talks to are few, so one flow serves them
 * all instead of one per message. Their sends share the socket's one {@link DatagramWriter}. One slot per address
 * hash; a new address takes its slot over. Any thread: a flow is immutable, so a slot read racing a write sees either
 * flow whole, at worst one made again.
 */
final class DatagramFlows {
    private static final int SLOTS = 256;

    private final Channel channel;
    private final DatagramWriter writer;
    private final DatagramFlow[] flows = new DatagramFlow[SLOTS];

    DatagramFlows(Channel channel, TransportMetrics metrics) {
        this.channel = channel;
        this.writer = new DatagramWriter(channel, metrics);
    }

    DatagramFlow to(InetSocketAddress remote) {
        int slot = remote.hashCode() & (SLOTS - 1);
        DatagramFlow flow = flows[slot];
        if (flow == null || !flow.remote().equals(remote)) {
            flow = new DatagramFlow(channel, remote, writer);
            flows[slot] = flow;
        }
        return flow;
    }
}
