package org.edgesbc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.ReplyLines;
import org.edgesbc.transport.gate.SipMessageGate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Gates an admitted datagram and hands it to the sink, or answers/drops it through the {@link GateRejectResponder}.
 * A datagram that is only line ends is a keep-alive and is ignored (CRLF keep-alives are common in the field); a
 * STUN Binding request is the RFC 5626 §4.4.2 keep-alive and is answered ({@link StunKeepAlive}). An answer goes to the datagram's source address and port, not to the Via
 * (RFC 3581 §4: symmetric response). Owns and releases the datagram. The messages that pass go to the sink together
 * when the read burst ends: the relay thread they are handed to is then woken once per burst, not once per message.
 */
final class SipDatagramHandler extends SimpleChannelInboundHandler<DatagramAdmissionHandler.AdmittedDatagram> {
    /** The live gate, read once per datagram so that a reload's new limits apply to the next one. */
    private final Supplier<SipMessageGate> gates;
    private final GateRejectResponder responder;
    private final SipMessageSink sink;
    private final TransportMetrics metrics;
    /** The backlog count of this handler's channel (one handler per channel). */
    private final UdpBacklog backlog;
    /** The current read burst's messages for the sink; touched only on the channel's I/O thread. */
    private final List<InboundSipMessage> burst = new ArrayList<>();
    /** Whether answers were written in the current read burst; touched only on the channel's I/O thread. */
    private boolean answersToFlush;
    /** The senders' flows over this handler's channel. */
    private final DatagramFlows flows;
    /** The rate of new calls this handler's channel lets in once they proved too many. */
    private final NewCallRate newCalls = new NewCallRate(System.nanoTime());
    /** The new calls this handler's channel let in lately. */
    private final RecentInvites admittedCalls;
    /** The new INVITEs this handler's channel refused lately, by the headers that identify their transaction. */
    private final RecentInvites refusedInvites;
    /**
     * The calls this handler's channel let in lately on a retransmission of an INVITE it had refused (by Call-ID):
     * should the caller then acknowledge the refusal, the call has no caller.
     */
    private final RecentInvites readmittedCalls;

    /** @param inviteTimeout Timer B: how long the decisions on new INVITEs are remembered, at least */
    SipDatagramHandler(Supplier<SipMessageGate> gates, GateRejectResponder responder, SipMessageSink sink,
            TransportMetrics metrics, UdpBacklog backlog, DatagramFlows flows, Duration inviteTimeout) {
        super(false);
        long generation = inviteTimeout.toNanos() / 2;
        this.admittedCalls = new RecentInvites(System.nanoTime(), generation);
        this.refusedInvites = new RecentInvites(System.nanoTime(), generation);
        this.readmittedCalls = new RecentInvites(System.nanoTime(), generation);
        this.gates = gates;
        this.responder = responder;
        this.sink = sink;
        this.metrics = metrics;
        this.backlog = backlog;
        this.flows = flows;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramAdmissionHandler.AdmittedDatagram admitted) {
        DatagramPacket packet = admitted.packet();
        backlog.admitted();
        try {
            ByteBuf content = packet.content();
            if (StunKeepAlive.looksLikeStun(content) && answeredStun(ctx, packet)) {
                return;
            }
            long received = System.nanoTime();
            SipMessageGate gate = gates.get();
            int max = gate.limits().maxMessageBytes();
            // Cap before copying: an oversized datagram is judged from its first bytes only.
            byte[] bytes = new byte[Math.min(content.readableBytes(), max)];
            content.getBytes(content.readerIndex(), bytes);
            GateResult result = content.readableBytes() > max ? gate.tooLarge(bytes, bytes.length)
                    : gate.check(bytes, bytes.length, false);
            if (result.keepAlive()) {
                return;
            }
            if (!result.accepted()) {
                byte[] answer = responder.reject(SipTransport.UDP, result, String.valueOf(packet.sender()));
                if (answer != null) {
                    answer(ctx, new DatagramPacket(Unpooled.wrappedBuffer(answer), packet.sender()));
                }
                return;
            }
            metrics.messageReceived(SipTransport.UDP, result.request() ? result.method() : "response");
            if (responder.answeredWith(result.ackToTag())) {
                // RFC 3261 §17.2.1: the ACK of a non-2xx final response ends its transaction. This thread sent
                // that response itself, so it ends here; the relay would look it up and drop it as stray.
                if (readmittedCalls.contains(result.callId(), received)) {
                    sink.refusalAcknowledged(admitted.zone(), result.callId());
                }
                return;
            }
            if (result.newInvite()) {
                ShedCause shed = shedCause(result, received);
                if (shed != null) {
                    answer(ctx, new DatagramPacket(Unpooled.wrappedBuffer(
                            responder.shed(SipTransport.UDP, shed, result)), packet.sender()));
                    return;
                }
            }
            burst.add(new InboundSipMessage(flows.to(packet.sender()),
                    admitted.zone(), result.message(), result.headers(), result.request(), result.method(),
                    result.statusCode(), result.callId(), received));
        } finally {
            packet.release();
        }
    }

    /** The new-call limit this socket has in force at {@code now}, per second, 0 when none; read from any thread. */
    double newCallLimitPerSecond(long now) {
        return newCalls.limitInForce(now);
    }

    /**
     * Why a new INVITE arriving at {@code now} is refused, or null when it goes on to the relay. A retransmission
     * of a call let in is always let in: its transaction at the relay absorbs it. A retransmission of an INVITE
     * refused before is refused again while the overload lasts (a new-call limit in force or the socket behind),
     * without counting as a new call offered: RFC 3261 §17.2.1, a completed INVITE server transaction answers a
     * retransmission with its final response. Once the overload has gone it is judged as a new INVITE: a caller
     * that retransmits did not take the 503 (lost, or a caller that ignores it, as SIPp's own scenarios do), and the
     * call it still waits for can be carried now. Unless the caller was only slow to read the 503 and sent the
     * retransmission before it did: its ACK of the 503, arriving after, tells the sink that the call let in has no
     * caller ({@link SipMessageSink#refusalAcknowledged}). The identifying headers (Via, From, To, Call-ID, CSeq),
     * byte for byte, tell a retransmission from a retry in a new transaction, which is judged afresh.
     */
    private ShedCause shedCause(GateResult invite, long now) {
        String callId = invite.callId();
        if (admittedCalls.contains(callId, now)) {
            return null;
        }
        ReplyLines transaction = invite.replyLines();
        boolean behind = backlog.behind(now);
        boolean refusedBefore = refusedInvites.contains(transaction, now);
        if ((behind || newCalls.limited()) && refusedBefore) {
            return ShedCause.RETRANSMISSION;
        }
        ShedCause shed = behind ? ShedCause.IO_BACKLOG
                : sink.shedsNewDialogs(callId) ? ShedCause.RELAY_QUEUE : null;
        NewCallRate.Congestion congestion = shed != null ? NewCallRate.Congestion.SHEDDING
                : backlog.waitFor(now) >= NewCallRate.CONGESTED_NANOS ? NewCallRate.Congestion.LATE
                : NewCallRate.Congestion.NONE;
        boolean withinRate = newCalls.admit(now, congestion);
        ShedCause cause = shed != null ? shed : withinRate ? null : ShedCause.NEW_CALL_RATE;
        if (cause == null) {
            if (refusedBefore) {
                readmittedCalls.add(callId, now);
            }
            admittedCalls.add(callId, now);
        } else {
            refusedInvites.add(transaction, now);
        }
        return cause;
    }

    /**
     * Writes an answer of this handler's own, flushed when the read burst ends: the answers of a burst (the 503s of
     * an overload, say) leave in one sendmmsg instead of one system call each.
     */
    private void answer(ChannelHandlerContext ctx, DatagramPacket answer) {
        ctx.write(answer);
        answersToFlush = true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (answersToFlush) {
            answersToFlush = false;
            ctx.flush();
        }
        if (!burst.isEmpty()) {
            try {
                sink.onMessages(burst, backlog.burstDrained());
            } finally {
                burst.clear();
            }
        }
        ctx.fireChannelReadComplete();
    }

    /** A STUN keep-alive gets its Binding response; anything else in STUN's shape goes on to the gate as garbage. */
    private boolean answeredStun(ChannelHandlerContext ctx, DatagramPacket packet) {
        ByteBuf out = ctx.alloc().buffer(44);
        if (!StunKeepAlive.answer(packet.content(), packet.sender(), out)) {
            out.release();
            return false;
        }
        answer(ctx, new DatagramPacket(out, packet.sender()));
        return true;
    }
}
