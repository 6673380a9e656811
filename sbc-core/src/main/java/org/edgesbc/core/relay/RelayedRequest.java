package org.edgesbc.core.relay;

import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.message.SIPResponse;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A request the B2BUA relays, as its server transaction's user: the requester's view of the message (Call-ID, From,
 * To) from which every response toward it is rebuilt, the branches it went out on, and the forking state (RFC 3261
 * §16.7). Owned by one relay shard.
 */
final class RelayedRequest implements ServerTransaction.User {
    final ServerTransaction server;
    final String callId;
    final From from;
    final To to;
    private final DialogLayer layer;
    /** The dialog the request belongs to or creates; null for requests outside any dialog (OPTIONS, MESSAGE). */
    RelayDialog dialog;
    /** Where the request went: one branch, or one per device of a forked INVITE. */
    final List<RelayedBranch> branches = new ArrayList<>(1);
    /** Branches of an INVITE without a final response yet. */
    int unanswered;
    /** Of a forked INVITE, the best failure so far, relayed once every branch has failed (RFC 3261 §16.7 step 6). */
    SIPResponse bestFailure;
    RelayedBranch bestFailureBranch;
    InetAddress bestFailureSource;
    boolean cancelled;
    /**
     * For an initial INVITE, {@link System#nanoTime()} when it reached the SBC, from which its first final response
     * times the call's set-up; unused for any other request ({@link #timesSetUp} false).
     */
    long setUpSinceNanos;
    boolean timesSetUp;

    RelayedRequest(ServerTransaction server, String callId, From from, To to, DialogLayer layer) {
        this.server = server;
        this.callId = callId;
        this.from = from;
        this.to = to;
        this.layer = layer;
        server.user = this;
    }

    @Override
    public void cancelled(ServerTransaction cancelledServer) {
        layer.cancelled(this);
    }
}
