package org.edgesbc.core.relay;

import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.function.BiConsumer;
import javax.sip.message.Request;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * Dead calls found by asking ({@code zones[].keepalive}): at each interval, every leg of an answered call toward a
 * zone that asks gets an in-dialog OPTIONS (RFC 3261 §11 allows OPTIONS within a dialog). A UA that no longer has the
 * dialog answers 481 (§12.2.2), one that is gone answers nothing (408, §17.1.2.2): either way the call is ended with
 * BYE on both sides. Any other answer, 200 or a refusal of OPTIONS itself (405, 501), says the UA still knows the
 * dialog. Without it, a call whose BYE was lost (a phone that crashed, a peer dropping datagrams in an overload) stays
 * up until a session refresh fails or the maximum call duration, holding its toll-fraud slot and its record open.
 *
 * <p>Zones that ask only after a loss (the default) have their calls asked once when the SBC's own SIP sockets
 * dropped datagrams ({@link #checkAfterLoss}): the one place a BYE can vanish without the SBC seeing it, since a
 * BYE it relays is retransmitted until answered or timed out, either of which ends the dialog.
 */
final class DialogKeepalive {
    /**
     * While an offer is open on the leg, or its caller's ACK has not come: the probe's CSeq would move the numbers
     * the ACK still to come is relayed with ({@link CSeqMapping}), so it waits this long and looks again.
     */
    private static final long BUSY_RETRY_MILLIS = 1_000;
    /**
     * Calls asked per step of a check after a loss, a step every {@link #CHECK_STEP_MILLIS}: 200 calls (up to 400
     * OPTIONS) a second per shard, so that a full table is not a burst of its own just after an overload.
     */
    private static final int CHECK_BATCH = 20;
    private static final long CHECK_STEP_MILLIS = 100;

    private final ShardLoop loop;
    private final PeerDirectory peers;
    private final TransactionLayer transactions;
    private final SbcRequests sbcRequests;
    private final RelayMetrics metrics;
    /** Ends a confirmed dialog from the middle with BYE both ways, naming why. */
    private final BiConsumer<RelayDialog, String> tearDown;

    /** Calls of the last check after a loss not asked yet. */
    private ArrayDeque<RelayDialog> toCheck = new ArrayDeque<>();
    private ShardTimer checkStep;

    DialogKeepalive(ShardLoop loop, PeerDirectory peers, TransactionLayer transactions, SbcRequests sbcRequests,
            RelayMetrics metrics, BiConsumer<RelayDialog, String> tearDown) {
        this.loop = loop;
        this.peers = peers;
        this.transactions = transactions;
        this.sbcRequests = sbcRequests;
        this.metrics = metrics;
        this.tearDown = tearDown;
    }

    /** A call was answered: each of its legs toward a zone that asks is probed from one interval on. */
    void answered(RelayDialog dialog) {
        if (dialog.call) {
            arm(dialog, dialog.a);
            arm(dialog, dialog.b);
        }
    }

    /**
     * Datagrams were lost at the SIP sockets while these calls were answered: each leg toward a zone that asks after
     * a loss, and not at an interval anyway, is asked once, a few calls at a time. A later loss replaces the calls
     * still waiting from an earlier one (its list holds those still up).
     */
    void checkAfterLoss(List<RelayDialog> answered) {
        toCheck = new ArrayDeque<>(answered);
        if (checkStep == null) {
            checkStep = loop.schedule("dialog check after loss", this::checkSome, 0);
        }
    }

    private void checkSome() {
        checkStep = null;
        for (int i = 0; i < CHECK_BATCH && !toCheck.isEmpty(); i++) {
            RelayDialog dialog = toCheck.poll();
            if (dialog.state == RelayDialog.State.CONFIRMED) {
                askOnce(dialog, dialog.a);
                askOnce(dialog, dialog.b);
            }
        }
        if (!toCheck.isEmpty()) {
            checkStep = loop.schedule("dialog check after loss", this::checkSome, CHECK_STEP_MILLIS);
        }
    }

    private void askOnce(RelayDialog dialog, Leg leg) {
        RelaySettings.ZonePeer zone = leg == null ? null : peers.peer(leg.zone);
        if (zone != null && zone.keepalive().afterLoss() && zone.keepalive().interval() == null) {
            stop(leg);
            probe(dialog, leg);
        }
    }

    /** The dialog ended: no probe is due any more. */
    void ended(RelayDialog dialog) {
        stop(dialog.a);
        stop(dialog.b);
    }

    private static void stop(Leg leg) {
        if (leg != null) {
            ShardLoop.cancel(leg.keepalive);
            leg.keepalive = null;
        }
    }

    /** The interval is the zone's as configured now: a reload applies from each call's next probe. */
    private void arm(RelayDialog dialog, Leg leg) {
        RelaySettings.ZonePeer zone = peers.peer(leg.zone);
        Duration interval = zone == null ? null : zone.keepalive().interval();
        leg.keepalive = interval == null ? null
                : loop.schedule("dialog keepalive", () -> probe(dialog, leg), interval.toMillis());
    }

    private void probe(RelayDialog dialog, Leg leg) {
        leg.keepalive = null;
        if (dialog.state != RelayDialog.State.CONFIRMED) {
            return;
        }
        if (leg.inviteFrom != null || leg.inviteToward != null || leg.sbcOffer || dialog.ackWait != null) {
            leg.keepalive = loop.schedule("dialog keepalive", () -> probe(dialog, leg), BUSY_RETRY_MILLIS);
            return;
        }
        long cseq = leg.ownRequestCSeq();
        SipMessageWriter options = SipMessageWriter.edit(sbcRequests.toward(dialog, leg, Request.OPTIONS, cseq));
        transactions.send(options, peers.flowToward(leg), leg.zone, new Probe(dialog, leg), true);
    }

    /** Hears the answer to one probe. */
    private final class Probe implements ClientTransaction.User {
        private final RelayDialog dialog;
        private final Leg leg;

        Probe(RelayDialog dialog, Leg leg) {
            this.dialog = dialog;
            this.leg = leg;
        }

        @Override
        public void provisional(ClientTransaction client, SipMessageView response, InetAddress source) {
            // Nothing to learn before the final answer.
        }

        @Override
        public void finalResponse(ClientTransaction client, SipMessageView response, InetAddress source) {
            int status = response.statusCode();
            if (status == 481 || status == 408) {
                dialogGone();
            } else if (dialog.state == RelayDialog.State.CONFIRMED) {
                arm(dialog, leg);
            }
        }

        @Override
        public void successRetransmitted(ClientTransaction client, SipMessageView response, InetAddress source) {
            // Only an INVITE's 2xx comes again.
        }

        @Override
        public void timedOut(ClientTransaction client) {
            dialogGone();
        }

        private void dialogGone() {
            if (dialog.state == RelayDialog.State.CONFIRMED) {
                metrics.keepaliveFailed(leg.zone);
                tearDown.accept(dialog, "keepalive-failed");
            }
        }
    }
}
