package org.edgesbc.core.relay;

import java.util.Set;
import javax.sip.message.Request;

/**
 * Moves a call on to its next target within the same call (serial forking): when an attempt is not answered at all
 * within {@code routing.attempt-timeout} (a silent peer, or a connection that could not be made: the transport
 * reports no failure back), fails with 503 or a status the operator lists, or times out, the caller's
 * INVITE goes to the route's next target that is up under a new client transaction and a new B leg. The caller sees
 * one call: the SBC's 100 Trying, the provisional responses of at most one attempt (an attempt that relayed ringing
 * or early media is never left for another), and the final answer of the last attempt. Owned by one relay shard.
 */
final class CallFailover {
    /** Sends an attempt of an accepted INVITE toward a branch: the dialog layer's part. */
    @FunctionalInterface
    interface AttemptSender {
        void send(RelayedRequest relayed, CallAttempts attempts, DialogLayer.Branch branch);
    }

    private final ShardLoop loop;
    private final TransactionLayer transactions;
    private final CallRouter router;
    private final PeerHealth health;
    private final PeerMetrics metrics;
    private final Set<Integer> failoverStatuses;
    private final long attemptTimeoutMillis;
    private AttemptSender sender;

    CallFailover(ShardContext shard, TransactionLayer transactions, CallRouter router, PeerHealth health,
            PeerMetrics metrics) {
        this.loop = shard.loop();
        this.transactions = transactions;
        this.router = router;
        this.health = health;
        this.metrics = metrics;
        this.failoverStatuses = shard.settings().routing().failoverStatuses();
        this.attemptTimeoutMillis = shard.settings().routing().attemptTimeout().toMillis();
    }

    /** Set once by the dialog layer that sends the attempts. */
    void sendAttemptsWith(AttemptSender attemptSender) {
        this.sender = attemptSender;
    }

    /** An attempt of an INVITE went out: without any response within the attempt timeout, the call moves on. */
    void attemptSent(RelayedBranch branch) {
        RelayedRequest relayed = branch.request;
        if (relayed == null || relayed.attempts == null || !Request.INVITE.equals(branch.client.method)) {
            return;
        }
        loop.schedule("attempt timeout", () -> noAnswer(branch), attemptTimeoutMillis);
    }

    private void noAnswer(RelayedBranch branch) {
        if (branch.givenUp || branch.client.state != ClientTransaction.State.CALLING || !mayMoveOn(branch)) {
            return;
        }
        CallRouter.Target target = branch.request.attempts.nextTarget(health);
        if (target == null) {
            // The last target keeps its INVITE transaction until Timer B: it may still answer.
            return;
        }
        // The silent attempt is left, not ended: a 1xx that comes late is cancelled (RFC 3261 §9.1), a late 2xx
        // hung up; nothing of it reaches the caller.
        branch.givenUp = true;
        transactions.giveUp(branch.client);
        moveOn(branch, target, PeerMetrics.FailoverReason.TIMEOUT);
    }

    /**
     * An attempt ended without an answer; returns true when the call moved on to its next target, so that the
     * caller hears nothing of this attempt.
     *
     * @param ownTimeout the status was made here because the far side never answered (Timer B)
     */
    boolean movedOn(RelayedBranch branch, int status, boolean ownTimeout) {
        if (!mayMoveOn(branch)) {
            return false;
        }
        PeerMetrics.FailoverReason reason;
        if (ownTimeout && status == 408) {
            reason = PeerMetrics.FailoverReason.TIMEOUT;
        } else if (status == 503) {
            reason = PeerMetrics.FailoverReason.UNAVAILABLE;
        } else if (failoverStatuses.contains(status)) {
            reason = PeerMetrics.FailoverReason.STATUS;
        } else {
            return false;
        }
        CallRouter.Target target = branch.request.attempts.nextTarget(health);
        if (target == null) {
            return false;
        }
        moveOn(branch, target, reason);
        return true;
    }

    private static boolean mayMoveOn(RelayedBranch branch) {
        RelayedRequest relayed = branch.request;
        return relayed != null && relayed.attempts != null && !relayed.cancelled && !relayed.server.finalSent()
                && !branch.relayedProvisional && relayed.dialog != null
                && relayed.dialog.state == RelayDialog.State.EARLY;
    }

    private void moveOn(RelayedBranch failed, CallRouter.Target target, PeerMetrics.FailoverReason reason) {
        RelayedRequest relayed = failed.request;
        relayed.unanswered--;
        metrics.failedOver(failed.target.zone, reason);
        sender.send(relayed, relayed.attempts, router.branch(target, relayed.attempts.route));
    }
}
