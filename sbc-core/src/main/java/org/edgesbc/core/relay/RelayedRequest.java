package org.edgesbc.core.relay;

import java.net.InetAddress;
import org.edgesbc.transport.message.NameAddress;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import java.util.ArrayList;
import java.util.List;

/**
 * A request the B2BUA relays, as its server transaction's user: the requester's own header values (Call-ID, From,
 * To) from which every response toward it is rebuilt, the branches it went out on, and the forking state (RFC 3261
 * §16.7). Owned by one relay shard.
 */
final class RelayedRequest implements ServerTransaction.User {
    final ServerTransaction server;
    final String callId;
    /** The requester's From and To values exactly as it sent them (RFC 3261 §8.2.6.2: echoed in responses). */
    final String from;
    final String to;
    /** The requester's To, read: a response adds the callee's tag to it. */
    final NameAddress toAddress;
    /** Of a request outside any dialog, the To-tag of the SBC's that its answers carry; null until one is sent. */
    String answerTag;
    /** The requester's CSeq value, which every response echoes whatever number the far side's leg used. */
    final String cseq;
    /** What an INVITE or UPDATE asked for in session timers (RFC 4028), for the leg's negotiation at its 2xx. */
    SessionTimer.Offer timerOffer = SessionTimer.Offer.NONE;
    /** The SDP relayed on toward the far leg, that leg's session once its 2xx comes ({@link SessionTimer#offered}). */
    byte[] offeredSdp;
    private final DialogLayer layer;
    /** The dialog the request belongs to or creates; null for requests outside any dialog (OPTIONS, MESSAGE). */
    RelayDialog dialog;
    /** Where the request went: one branch, or one per device of a forked INVITE. */
    final List<RelayedBranch> branches = new ArrayList<>(1);
    /** Branches of an INVITE without a final response yet. */
    int unanswered;
    /** Of a forked INVITE, the best failure so far, relayed once every branch has failed (RFC 3261 §16.7 step 6). */
    SipMessageView bestFailure;
    RelayedBranch bestFailureBranch;
    InetAddress bestFailureSource;
    boolean cancelled;
    /** Redirects the SBC followed for this INVITE ({@link RedirectHandler}). */
    int redirects;
    /** Of an INVITE toward configured peers: the targets it may still try; null when it has no other. */
    CallAttempts attempts;
    /**
     * For an initial INVITE, {@link System#nanoTime()} when it reached the SBC, from which its first final response
     * times the call's set-up; unused for any other request ({@link #timesSetUp} false).
     */
    long setUpSinceNanos;
    boolean timesSetUp;
    /** Whether the request carried a body (for an INVITE: an offer). */
    final boolean withBody;
    /** Of an INVITE without an offer, whether a reliable provisional response relayed to it carried the offer. */
    boolean offeredInProvisional;

    RelayedRequest(ServerTransaction server, SipMessageView request, DialogLayer layer) {
        this.server = server;
        this.callId = request.callId();
        this.from = request.header(SipHeaderName.FROM);
        this.to = request.header(SipHeaderName.TO);
        this.toAddress = request.to();
        this.cseq = request.header(SipHeaderName.CSEQ);
        this.withBody = request.bodyLength() > 0;
        this.layer = layer;
        server.user = this;
    }

    @Override
    public void cancelled(ServerTransaction cancelledServer) {
        layer.cancelled(this);
    }
}
