package org.edgesbc.core.relay;

import org.edgesbc.transport.SipFlow;

/**
 * A request the SBC received and must answer (RFC 3261 §17.2): its requester's Via stack, so that every response
 * can be sent back along it, and the last response sent, resent for every retransmitted request. What the request
 * is for is its {@link User}'s business. Owned by one relay shard.
 */
final class ServerTransaction {
    enum State { PROCEEDING, COMPLETED, CONFIRMED, TERMINATED }

    /** Who acts on what happens to the transaction beyond RFC 3261 §17: a CANCEL for it (§9.2). */
    interface User {
        /** A CANCEL matched this INVITE transaction before it had a final response; the CANCEL is answered. */
        void cancelled(ServerTransaction server);

        User NONE = server -> { };
    }

    final String key;
    final String method;
    final SipFlow flow;
    /** The requester's Via lines, which responses carry back; null once no further response can be sent. */
    String vias;
    User user;
    State state = State.PROCEEDING;
    byte[] lastResponse;
    int lastStatus;
    /** Timer G (response retransmission over UDP), or a user's guard such as the CANCEL one. */
    ShardTimer retransmitTimer;
    /** Timers H, I, J: how long a completed transaction stays to absorb retransmissions. */
    ShardTimer expiryTimer;

    ServerTransaction(String key, String method, SipFlow flow, String vias) {
        this.key = key;
        this.method = method;
        this.flow = flow;
        this.vias = vias;
        this.user = User.NONE;
    }

    /** Keeps only what absorbing retransmissions needs: the key and the last response's bytes. */
    void release() {
        vias = null;
        user = User.NONE;
    }

    boolean finalSent() {
        return lastStatus >= 200;
    }
}
