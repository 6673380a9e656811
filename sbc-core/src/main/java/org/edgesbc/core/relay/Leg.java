package org.edgesbc.core.relay;

import org.edgesbc.transport.SipFlow;

/**
 * One side of a relayed dialog as that side sees it: its Call-ID and tags, the caller and callee addresses in
 * From/To, where its user agent wants in-dialog requests (remote target) and how to reach it.
 * Nothing of one leg is ever copied into the other: that is the topology hiding. Owned by one relay shard.
 */
final class Leg {
    final String zone;
    final String callId;
    /** The caller's and the callee's name-addr (without tag) as this leg's From and To carry them. */
    final String callerAddress;
    final String calleeAddress;
    /** The peer's Contact URI: Request-URI of in-dialog requests toward this leg (RFC 3261 §12.2.1.1). */
    String remoteTarget;
    /**
     * The configured peer a B leg's call went to, of the zone's several; null for legs whose flow came with the
     * request (callers, phones).
     */
    RelaySettings.ZonePeer peer;
    /** The flow requests toward this leg go over; refreshed if a connection closes. */
    SipFlow requestFlow;
    /** Of a B leg, the tag its callee answered with; it never leaves this leg (see {@link DialogTags}). */
    String calleeTag;
    /**
     * The SBC's own tag in this leg's dialog: of a B leg its From-tag, generated with the leg; of leg A the To-tag
     * of the answer that confirmed the call, null until then.
     */
    String sbcTag;
    /** Highest CSeq of requests sent toward this leg, so an SBC-originated BYE can follow on (RFC 3261 §12.2.1.1). */
    long highestCSeqSent;
    /**
     * The offer (re-INVITE, or UPDATE with a body) this leg sent that has no final answer yet
     * ({@link ReInviteGuard}); null when none.
     */
    RelayedRequest inviteFrom;
    /** The offer the SBC relayed toward this leg that has no final answer yet; null when none. */
    RelayedRequest inviteToward;
    /**
     * How far the CSeq numbers of requests relayed toward this leg run ahead of the requester's own: each request
     * the SBC sent on the leg by itself in the middle of a call (a session refresh, a keepalive probe, a retried
     * INVITE, a request sent again with credentials by {@link ChallengeAnswering}) takes one
     * number the other party never used. See {@link CSeqMapping}.
     */
    long cseqOffset;
    /**
     * When the SBC next asks this leg's UA whether the dialog still exists, null when it does not (see
     * {@link DialogKeepalive}).
     */
    ShardTimer keepalive;
    /** This leg's RFC 4028 session timer, null while there is none (see {@link SessionTimer}). */
    SessionTimer.LegTimer timer;
    /** Whether this leg's session timer was negotiated (with the call's answer), whatever came of it. */
    boolean timerNegotiated;
    /** Whether the leg's UA takes no UPDATE (its Allow, or a 405 or 501 to one): the SBC refreshes by re-INVITE. */
    boolean refusesUpdate;
    /**
     * The SDP of the last offer or answer the SBC completed toward this leg, which its refresh by re-INVITE offers
     * again; kept only while the SBC refreshes the leg, else null.
     */
    byte[] sessionSdp;
    /** Whether the SBC's own re-INVITE (a session refresh) is pending on this leg. */
    boolean sbcOffer;
    /**
     * Whether this leg's user agent, which sent its INVITE without an offer, got the offer in a reliable provisional
     * response and has not answered it yet: the PRACK with a body that follows is that answer (RFC 3262 §5), not a
     * new offer ({@link ReInviteGuard}).
     */
    boolean owesEarlyAnswer;

    Leg(String zone, String callId, String callerAddress, String calleeAddress, String remoteTarget,
            SipFlow requestFlow) {
        this.zone = zone;
        this.callId = callId;
        this.callerAddress = callerAddress;
        this.calleeAddress = calleeAddress;
        this.remoteTarget = remoteTarget;
        this.requestFlow = requestFlow;
    }

    String key() {
        return RelayDialog.key(zone, callId);
    }

    /**
     * The CSeq of a new request of the SBC's own toward this leg in the middle of a call (a session refresh, a
     * keepalive probe): the next after the highest sent, which requests relayed toward the leg afterwards follow on.
     */
    long ownRequestCSeq() {
        highestCSeqSent++;
        cseqOffset++;
        return highestCSeqSent;
    }
}
