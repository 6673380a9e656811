package org.edgesbc.core.relay;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.function.Consumer;
import org.edgesbc.transport.SipFlow;

/**
 * A request the SBC sent (RFC 3261 §17.1): relayed from a {@link #server} transaction, or originated by the SBC
 * itself (teardown BYE, CANCEL) when {@code server} is null. Keeps the encoded bytes for UDP retransmission
 * (Timers A and E) and the request object to build CANCEL and the hop-by-hop ACK. Owned by one relay shard.
 */
final class ClientTransaction {
    enum State { CALLING, PROCEEDING, ACCEPTED, COMPLETED, TERMINATED }

    final String key;
    final String method;
    /** The request as sent; null once the transaction has its final response (see {@link #release}). */
    SIPRequest request;
    /** The encoded request for retransmission; null once the transaction has its final response. */
    byte[] bytes;
    final SipFlow flow;
    final ServerTransaction server;
    final RelayDialog dialog;
    /** The leg the request went to, null outside dialogs. */
    final Leg target;
    /** The zone the request went to; its responses must come from there. */
    final String targetZone;
    State state = State.CALLING;
    long retransmitIntervalMillis;
    ScheduledFuture<?> retransmitTimer;
    ScheduledFuture<?> timeoutTimer;
    /** A CANCEL is owed as soon as the far side sends a provisional response (RFC 3261 §9.1). */
    boolean cancelPending;
    /** Of a request the SBC originated for itself (a REGISTER to the PBX), who hears the final response or null. */
    Consumer<SIPResponse> onFinal;
    /** The hop-by-hop ACK for a non-2xx final response, resent when that response is retransmitted. */
    byte[] ackBytes;

    ClientTransaction(String key, String method, SIPRequest request, byte[] bytes, SipFlow flow,
            ServerTransaction server, RelayDialog dialog, Leg target, String targetZone) {
        this.key = key;
        this.method = method;
        this.request = request;
        this.bytes = bytes;
        this.flow = flow;
        this.server = server;
        this.dialog = dialog;
        this.target = target;
        this.targetZone = targetZone;
    }

    /**
     * Drops the request once a final response has arrived: a completed transaction lingers for Timers D and K only
     * to absorb retransmissions, and must not hold a parsed message for that long.
     */
    void release() {
        request = null;
        bytes = null;
    }
}
