package org.edgesbc.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.SipMessageGate;

/**
 * Gates each framed message of a connection and hands it to the sink with the connection's flow, so responses and
 * requests toward that peer reuse it. A gate rejection on a stream is answered where safe; the framing survives it
 * (the framer already cut the message), so the connection stays up. Closes idle connections. One per connection.
 */
final class SipStreamHandler extends SimpleChannelInboundHandler<byte[]> {
    private final SipTransport transport;
    private final SipMessageGate gate;
    private final GateRejectResponder responder;
    private final SipMessageSink sink;
    private final TransportMetrics metrics;
    private StreamFlow flow;

    SipStreamHandler(SipTransport transport, SipMessageGate gate, GateRejectResponder responder, SipMessageSink sink,
            TransportMetrics metrics) {
        this.transport = transport;
        this.gate = gate;
        this.responder = responder;
        this.sink = sink;
        this.metrics = metrics;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        flow = new StreamFlow(transport, (InetSocketAddress) ctx.channel().remoteAddress(),
                ctx.channel().newSucceededFuture(), metrics);
        ctx.fireChannelActive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, byte[] message) {
        long received = System.nanoTime();
        GateResult result = gate.check(message, message.length, true);
        if (result.keepAlive()) {
            return;
        }
        if (!result.accepted()) {
            byte[] answer = responder.reject(transport, result, String.valueOf(ctx.channel().remoteAddress()));
            if (answer != null) {
                ctx.writeAndFlush(Unpooled.wrappedBuffer(answer));
            }
            return;
        }
        String zone = ctx.channel().attr(StreamAdmissionHandler.ZONE).get();
        metrics.messageReceived(transport, result.request() ? result.method() : "response");
        if (responder.answeredWith(result.ackToTag())) {
            // The ACK of this thread's own 503 or refusal (see SipDatagramHandler): its transaction ends here.
            return;
        }
        if (result.newInvite() && sink.shedsNewDialogs(result.callId())) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(responder.shed(transport, ShedCause.RELAY_QUEUE, result)));
            return;
        }
        sink.onMessage(new InboundSipMessage(flow, zone, result.message(), result.headers(), result.request(),
                result.method(), result.statusCode(), result.callId(), received));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            ctx.fireUserEventTriggered(event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset or a TLS failure ends this connection only; the peer reconnects if it wants to.
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
}
