package org.edgesbc.core.relay;

import javax.sip.message.Request;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * How the dialog layer's dialogs end: a dialog leaves its table, timers, call record and identifier map once; the SBC
 * ends a confirmed call from the middle with BYE toward both legs and a ringing one with CANCEL as if its caller had
 * cancelled; and a caller that never ACKs its 2xx is hung up after 64*T1 (RFC 3261 §13.3.1.4). Sends the SBC's own
 * requests through the {@link DialogLayer}. Owned by one relay shard.
 */
final class CallTeardown {
    private final DialogLayer layer;
    private final ShardLoop loop;
    private final DialogTable dialogs;
    private final PeerDirectory peers;
    private final SbcRequests sbcRequests;
    private final SessionTimer sessionTimers;
    private final DialogKeepalive keepalive;
    private final CallLifecycle calls;
    private final DialogIdentifierMap identifiers;
    private final RateLimitedLog log;
    private final long transactionTimeoutMillis;

    CallTeardown(DialogLayer layer, ShardLoop loop, DialogTable dialogs, PeerDirectory peers, SbcRequests sbcRequests,
            SessionTimer sessionTimers, DialogKeepalive keepalive, CallLifecycle calls, DialogIdentifierMap identifiers,
            RateLimitedLog log, long transactionTimeoutMillis) {
        this.layer = layer;
        this.loop = loop;
        this.dialogs = dialogs;
        this.peers = peers;
        this.sbcRequests = sbcRequests;
        this.sessionTimers = sessionTimers;
        this.keepalive = keepalive;
        this.calls = calls;
        this.identifiers = identifiers;
        this.log = log;
        this.transactionTimeoutMillis = transactionTimeoutMillis;
    }

    void endDialog(RelayDialog dialog, String endedBy) {
        if (dialog.state == RelayDialog.State.TERMINATED) {
            return;
        }
        dialog.endedBy = dialog.cancelledBySbc != null ? dialog.cancelledBySbc : endedBy;
        dialog.invite = null;
        ackArrived(dialog);
        sessionTimers.ended(dialog);
        keepalive.ended(dialog);
        calls.ended(dialog);
        identifiers.ended(dialog);
        dialog.state = RelayDialog.State.TERMINATED;
        dialogs.remove(dialog);
    }

    /**
     * Ends a confirmed dialog from the middle: BYE toward both legs (maximum duration, media stopped, spend cap).
     */
    void tearDown(RelayDialog dialog, String reason) {
        if (dialog.state != RelayDialog.State.CONFIRMED) {
            return;
        }
        log.info(reason, "shard {} ending a call: {}", loop.index(), reason);
        sendSbcRequest(dialog, dialog.a, Request.BYE, dialog.a.highestCSeqSent + 1);
        sendSbcRequest(dialog, dialog.b, Request.BYE, dialog.b.highestCSeqSent + 1);
        endDialog(dialog, "sbc:" + reason);
    }

    /**
     * Ends a ringing call from the middle (operator, drain timeout) as if its caller had cancelled it: CANCEL toward
     * every device still ringing (RFC 3261 §9.1), whose 487 the caller hears; the record names {@code reason}.
     *
     * @return false when the call is not ringing any more (answered, cancelled already, or its INVITE has its final
     *     answer)
     */
    boolean cancelRinging(RelayDialog dialog, String reason) {
        RelayedRequest invite = dialog.invite;
        if (dialog.state != RelayDialog.State.EARLY || invite == null || invite.cancelled
                || invite.server.finalSent()) {
            return false;
        }
        log.info(reason, "shard {} cancelling a ringing call: {}", loop.index(), reason);
        dialog.cancelledBySbc = "sbc:" + reason;
        layer.cancelled(invite);
        return true;
    }

    /** A request of the SBC's own toward {@code leg} in {@code dialog}, under a client transaction of its own. */
    void sendSbcRequest(RelayDialog dialog, Leg leg, String method, long cseq) {
        SipMessageView request = sbcRequests.toward(dialog, leg, method, cseq);
        layer.forward(SipMessageWriter.edit(request), request, null, null, leg, leg.zone, peers.flowToward(leg));
    }

    /**
     * RFC 3261 §13.3.1.4: a UAS that never gets the ACK of its 2xx ends the dialog after 64*T1. The SBC is that UAS
     * toward the caller: without it, a caller that gave up (an overloaded moment, a crash) would leave the dialog, and
     * the callee's, up until the maximum call duration.
     */
    void awaitAck(RelayDialog dialog) {
        dialog.ackWait = loop.schedule("ack wait", () -> ackNeverCame(dialog), transactionTimeoutMillis);
    }

    /** The caller's ACK came (or the dialog ended): the no-ACK hang-up is off. */
    void ackArrived(RelayDialog dialog) {
        ShardLoop.cancel(dialog.ackWait);
        dialog.ackWait = null;
    }

    private void ackNeverCame(RelayDialog dialog) {
        if (dialog.ackWait != null) {
            dialog.ackWait = null;
            tearDown(dialog, "no-ack");
        }
    }
}
