package org.edgesbc.transport;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;

/**
 * Right after the backlog count in a UDP listener: asks admission about every datagram's source before a byte is
 * looked at. Unadmitted datagrams are released and counted, never answered. Admitted ones travel on as
 * {@link AdmittedDatagram}, which owns the packet.
 */
@ChannelHandler.Sharable
final class DatagramAdmissionHandler extends ChannelInboundHandlerAdapter {
    private final SourceAdmission admission;
    private final TransportMetrics metrics;

    DatagramAdmissionHandler(SourceAdmission admission, TransportMetrics metrics) {
        this.admission = admission;
        this.metrics = metrics;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof DatagramPacket packet)) {
            ctx.fireChannelRead(msg);
            return;
        }
        String zone = admission.admit(SipTransport.UDP, packet.sender());
        if (zone == null) {
            packet.release();
            metrics.admissionDropped(SipTransport.UDP);
            return;
        }
        ctx.fireChannelRead(new AdmittedDatagram(zone, packet));
    }

    /** A datagram from an admitted source and the zone it belongs to; the receiver must release the packet. */
    record AdmittedDatagram(String zone, DatagramPacket packet) { }
}
