package org.edgesbc.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;

/**
 * First handler of every TCP/TLS connection: admits the remote address into a zone and reserves room in the
 * {@link ConnectionTable}, or closes the connection at once without a byte exchanged. Connections we open have their
 * room reserved before connecting ({@link SipTransportService#flowTo}); they are admitted too, because the zone of
 * whatever the peer sends back over them comes from admission, and a reservation they cannot use is given back here.
 * Releases the reservation when the connection closes. One instance per connection.
 */
final class StreamAdmissionHandler extends ChannelInboundHandlerAdapter {
    static final AttributeKey<String> ZONE = AttributeKey.valueOf("sbc.zone");

    private final SipTransport transport;
    private final SourceAdmission admission;
    private final ConnectionTable connections;
    private final TransportMetrics metrics;
    private final boolean outbound;
    private ConnectionTable.Key key;

    StreamAdmissionHandler(SipTransport transport, SourceAdmission admission, ConnectionTable connections,
            TransportMetrics metrics, boolean outbound) {
        this.transport = transport;
        this.admission = admission;
        this.connections = connections;
        this.metrics = metrics;
        this.outbound = outbound;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
        ConnectionTable.Key candidate = new ConnectionTable.Key(transport, remote);
        String zone = admission.admit(transport, remote);
        if (zone == null) {
            if (outbound) {
                connections.releaseOutbound(candidate, ctx.channel());
            }
            metrics.admissionDropped(transport);
            ctx.close();
            return;
        }
        if (!outbound && !connections.reserveInbound(remote)) {
            metrics.connectionRefused(transport);
            ctx.close();
            return;
        }
        key = candidate;
        ctx.channel().attr(ZONE).set(zone);
        connections.register(key, ctx.channel());
        metrics.connectionOpened(transport);
        ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (key != null) {
            if (outbound) {
                connections.releaseOutbound(key, ctx.channel());
            } else {
                connections.releaseInbound(key, ctx.channel());
            }
            key = null;
            metrics.connectionClosed(transport);
        }
        ctx.fireChannelInactive();
    }
}
