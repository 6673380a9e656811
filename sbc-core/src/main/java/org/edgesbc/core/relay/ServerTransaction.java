package org.edgesbc.core.relay;

import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.ViaList;
import gov.nist.javax.sip.message.SIPResponse;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.transport.SipFlow;

/**
 * A request the SBC received and must answer (RFC 3261 §17.2), with the requester's view of the message saved so
 * that every response toward it can be rebuilt from the far side's response: its Via stack, Call-ID, From and To.
 * Retransmitted requests are absorbed by resending {@link #lastResponse}. Owned by one relay shard.
 */
final class ServerTransaction {
    enum State { PROCEEDING, COMPLETED, CONFIRMED, TERMINATED }

    final String key;
    final String method;
    final SipFlow flow;
    /** The requester's view, needed to build responses; null once no further response can be sent. */
    ViaList vias;
    final String callId;
    From from;
    To to;
    final RelayDialog dialog;
    /** Where the request was relayed: one client transaction, or one per branch of a forked INVITE. */
    List<ClientTransaction> branches = new ArrayList<>(1);
    /** Branches of an INVITE without a final response yet. */
    int unanswered;
    /** Of a forked INVITE, the best failure so far, relayed once every branch has failed (RFC 3261 §16.7 step 6). */
    SIPResponse bestFailure;
    ClientTransaction bestFailureBranch;
    InetAddress bestFailureSource;
    State state = State.PROCEEDING;
    byte[] lastResponse;
    int lastStatus;
    boolean cancelled;
    /** Timer G (response retransmission over UDP) or the CANCEL guard. */
    ScheduledFuture<?> retransmitTimer;
    /** Timers H, I, J: how long a completed transaction stays to absorb retransmissions. */
    ScheduledFuture<?> expiryTimer;

    ServerTransaction(String key, String method, SipFlow flow, ViaList vias, String callId, From from, To to,
            RelayDialog dialog) {
        this.key = key;
        this.method = method;
        this.flow = flow;
        this.vias = vias;
        this.callId = callId;
        this.from = from;
        this.to = to;
        this.dialog = dialog;
    }

    /** Keeps only what absorbing retransmissions needs: the key and the last response's bytes. */
    void release() {
        vias = null;
        from = null;
        to = null;
        branches = List.of();
        bestFailure = null;
        bestFailureBranch = null;
    }

    boolean finalSent() {
        return lastStatus >= 200;
    }
}
