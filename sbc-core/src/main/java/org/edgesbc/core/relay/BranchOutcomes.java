package org.edgesbc.core.relay;

import java.net.InetAddress;
import javax.sip.message.Request;
import org.edgesbc.transport.message.SipMessageView;

/**
 * What becomes of an INVITE's branches (RFC 3261 §16.7): the first to answer takes the call and the others are
 * cancelled (step 10), the caller hears the best failure once every branch has failed (step 6), and an answer
 * nobody takes is ACKed and hung up. Works on the dialog layer's dialogs and transactions; relays through the
 * {@link DialogLayer} and ends dialogs through {@link CallTeardown}. Owned by one relay shard.
 */
final class BranchOutcomes {
    private final DialogLayer layer;
    private final CallTeardown teardown;
    private final DialogTable dialogs;
    private final TransactionLayer transactions;
    private final CallFailover failover;
    private final PeerDirectory peers;
    private final SbcRequests sbcRequests;

    BranchOutcomes(DialogLayer layer, CallTeardown teardown, DialogTable dialogs, TransactionLayer transactions,
            CallFailover failover, PeerDirectory peers, SbcRequests sbcRequests) {
        this.layer = layer;
        this.teardown = teardown;
        this.dialogs = dialogs;
        this.transactions = transactions;
        this.failover = failover;
        this.peers = peers;
        this.sbcRequests = sbcRequests;
    }

    /**
     * The first device to answer a forked INVITE takes the call; the others are cancelled (RFC 3261 §16.7 step 10),
     * and their legs leave the dialog.
     */
    void chooseBranch(RelayDialog dialog, RelayedBranch winner) {
        dialog.b = winner.target;
        for (Leg leg : dialog.branches) {
            if (leg != winner.target) {
                dialogs.removeLeg(dialog, leg);
            }
        }
        dialog.branches = null;
        if (winner.request == null) {
            return;
        }
        for (RelayedBranch branch : winner.request.branches) {
            if (branch != winner) {
                transactions.cancelWhenProceeding(branch.client);
            }
        }
    }

    /**
     * A branch of an INVITE ended without a 2xx: a failure, or no answer in time ({@code source} null, the
     * response made here). The caller hears the best failure once every branch has ended (RFC 3261 §16.7 step 6:
     * a 6xx, else the lowest class), unless a branch answered; an early dialog ends with it.
     */
    void inviteBranchEnded(RelayedBranch branch, SipMessageView response, InetAddress source) {
        if (branch.givenUp || failover.movedOn(branch, response.statusCode(), source == null)) {
            return;
        }
        RelayDialog dialog = branch.dialog;
        if (dialog != null && dialog.branches != null && dialog.branches.size() > 1) {
            dialog.branches.remove(branch.target);
            dialogs.removeLeg(dialog, branch.target);
            dialog.tags.legEnded(branch.target);
            if (dialog.b == branch.target) {
                dialog.b = dialog.branches.get(0);
            }
        }
        RelayedRequest relayed = branch.request;
        if (relayed == null) {
            return;
        }
        relayed.unanswered--;
        int status = response.statusCode();
        if (relayed.bestFailure == null || betterFailure(status, relayed.bestFailure.statusCode())) {
            relayed.bestFailure = response;
            relayed.bestFailureBranch = branch;
            relayed.bestFailureSource = source;
        }
        if (relayed.unanswered > 0) {
            return;
        }
        SipMessageView best = relayed.bestFailure;
        RelayedBranch bestBranch = relayed.bestFailureBranch;
        layer.relayResponse(bestBranch, best, relayed.bestFailureSource);
        if (dialog != null && dialog.state == RelayDialog.State.EARLY) {
            dialog.finalStatus = best.statusCode();
            teardown.endDialog(dialog, bestBranch.client.state == ClientTransaction.State.TERMINATED ? "sbc:timeout"
                    : best.statusCode() == 487 ? "caller" : "callee");
        }
    }

    /** RFC 3261 §16.7 step 6: a 6xx beats everything, then the lowest class; an answer beats our own 408. */
    static boolean betterFailure(int candidate, int best) {
        int candidateRank = candidate >= 600 ? 0 : candidate / 100;
        int bestRank = best >= 600 ? 0 : best / 100;
        return candidateRank < bestRank || (candidateRank == bestRank && best == 408 && candidate != 408);
    }

    /**
     * A callee whose answer nobody takes must not stay in a call: ACK it, BYE it. That is the far side of a caller
     * already answered with a failure (a cancelled call answered late; the dialog ends), or a second device
     * answering a forked call (the dialog goes on with the first).
     */
    void hangUpAnsweredLeg(RelayedBranch branch, SipMessageView answer, boolean endsDialog) {
        RelayDialog dialog = branch.dialog;
        if (dialog == null) {
            return;
        }
        long cseq = answer.cseqNumber();
        Leg leg = branch.target;
        leg.calleeTag = answer.to().tag();
        String target = DialogLayer.contactUri(answer);
        if (target != null) {
            leg.remoteTarget = target;
        }
        peers.flowToward(leg).send(sbcRequests.toward(dialog, leg, Request.ACK, cseq).bytes());
        if (endsDialog) {
            dialog.state = RelayDialog.State.CONFIRMED;
        }
        teardown.sendSbcRequest(dialog, leg, Request.BYE, cseq + 1);
        if (endsDialog) {
            teardown.endDialog(dialog, "caller");
        }
    }
}
