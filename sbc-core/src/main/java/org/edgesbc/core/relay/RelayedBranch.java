package org.edgesbc.core.relay;

import java.net.InetAddress;
import org.edgesbc.transport.message.SipMessageView;

/**
 * One way a request left the SBC, as its client transaction's user: relayed for a {@link RelayedRequest} (null for
 * the SBC's own requests, such as a teardown BYE), within a dialog toward one of its legs (both null outside
 * dialogs). Hands every response to the dialog layer. Owned by one relay shard.
 */
final class RelayedBranch implements ClientTransaction.User {
    final RelayedRequest request;
    final RelayDialog dialog;
    final Leg target;
    private final DialogLayer layer;
    /** The transaction the request went out under; set once sent, replaced when a challenge is answered. */
    ClientTransaction client;
    /**
     * The request as last sent, kept past its final response only toward a zone that may challenge it (see
     * {@link ChallengeAnswering}); otherwise null.
     */
    SipMessageView sent;
    /** The nonce of the credentials the request last went with, or null. */
    String answeredNonce;
    /**
     * A first INVITE carrying the SBC's Session-Expires, as sent, until its final response: a 422 is retried from it
     * ({@link SessionTimer#retryTooBrief}).
     */
    SipMessageView sentInvite;
    /** Of an INVITE: a provisional response other than 100 reached the caller, so the call stays with this branch. */
    boolean relayedProvisional;
    /** Of an INVITE: the call moved on to another target while this one was silent; it never takes the call. */
    boolean givenUp;

    RelayedBranch(RelayedRequest request, RelayDialog dialog, Leg target, DialogLayer layer) {
        this.request = request;
        this.dialog = dialog;
        this.target = target;
        this.layer = layer;
    }

    @Override
    public void provisional(ClientTransaction transaction, SipMessageView response, InetAddress source) {
        layer.provisional(this, transaction, response, source);
    }

    @Override
    public void finalResponse(ClientTransaction transaction, SipMessageView response, InetAddress source) {
        layer.finalResponse(this, transaction, response, source);
    }

    @Override
    public void successRetransmitted(ClientTransaction transaction, SipMessageView response, InetAddress source) {
        layer.relayResponse(this, response, source);
    }

    @Override
    public void timedOut(ClientTransaction transaction) {
        layer.timedOut(this, transaction);
    }
}
