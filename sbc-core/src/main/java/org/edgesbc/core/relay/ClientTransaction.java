package org.edgesbc.core.relay;

import java.net.InetAddress;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.message.SipMessageView;

/**
 * A request the SBC sent (RFC 3261 §17.1): relayed for a caller, or the SBC's own (a teardown BYE, a CANCEL, a
 * REGISTER to the PBX). Keeps the bytes sent for UDP retransmission (Timers A and E), read to build CANCEL and the
 * hop-by-hop ACK. Its {@link User} hears the responses. Owned by one relay shard.
 */
final class ClientTransaction {
    enum State { CALLING, PROCEEDING, ACCEPTED, COMPLETED, TERMINATED }

    /**
     * Who the responses are for. The transaction layer has run the RFC 3261 §17.1 state machine before each call:
     * timers are set, a non-2xx final response to an INVITE is already ACKed, retransmissions are absorbed.
     */
    interface User {
        /** A provisional response other than 100. */
        void provisional(ClientTransaction client, SipMessageView response, InetAddress source);

        /** The first final response. */
        void finalResponse(ClientTransaction client, SipMessageView response, InetAddress source);

        /** A 2xx to an INVITE again, while the transaction waits for the far side to have its ACK (RFC 6026). */
        void successRetransmitted(ClientTransaction client, SipMessageView response, InetAddress source);

        /** No final response in time (Timers B, F or C); the request is still readable. */
        void timedOut(ClientTransaction client);
    }

    final String key;
    final String method;
    /**
     * The request as sent, its bytes retransmitted and read to build CANCEL and the hop-by-hop ACK; null once the
     * transaction has its final response (see {@link #release}).
     */
    SipMessageView request;
    final SipFlow flow;
    /** The zone the request went to; its responses must come from there. */
    final String targetZone;
    /** Who hears the responses. */
    User user;
    /** Whether the transaction counts against the shard's bound (the registrar's own REGISTERs do not). */
    final boolean bounded;
    State state = State.CALLING;
    long retransmitIntervalMillis;
    ShardTimer retransmitTimer;
    ShardTimer timeoutTimer;
    /** A CANCEL is owed as soon as the far side sends a provisional response (RFC 3261 §9.1). */
    boolean cancelPending;
    /** The hop-by-hop ACK for a non-2xx final response, resent when that response is retransmitted. */
    byte[] ackBytes;
    /** Of an INVITE in the Accepted state: the To-tag of its first 2xx; a 2xx with another is a surplus answer. */
    String answerTag;
    /** The To-tag of the last surplus 2xx hung up: its retransmissions get the ACK again, not another BYE. */
    String surplusTag;

    ClientTransaction(String key, String method, SipMessageView request, SipFlow flow, String targetZone, User user,
            boolean bounded) {
        this.key = key;
        this.method = method;
        this.request = request;
        this.flow = flow;
        this.targetZone = targetZone;
        this.user = user;
        this.bounded = bounded;
    }

    /**
     * A user nothing reaches: of an INVITE whose 2xx is kept ({@link TransactionLayer#keepAnswer}), no further event
     * goes to the dialog layer; of a request whose answer changes nothing (the BYE of a surplus answer), none is
     * waited for.
     */
    enum Unheard implements User {
        INSTANCE;

        @Override
        public void provisional(ClientTransaction client, SipMessageView response, InetAddress source) {
        }

        @Override
        public void finalResponse(ClientTransaction client, SipMessageView response, InetAddress source) {
        }

        @Override
        public void successRetransmitted(ClientTransaction client, SipMessageView response, InetAddress source) {
        }

        @Override
        public void timedOut(ClientTransaction client) {
        }
    }

    /**
     * Drops the request once a final response has arrived: a completed transaction lingers for Timers D and K only
     * to absorb retransmissions, and must not hold a parsed message for that long.
     */
    void release() {
        request = null;
    }
}
