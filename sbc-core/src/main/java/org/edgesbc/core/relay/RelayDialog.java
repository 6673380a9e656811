package org.edgesbc.core.relay;

import io.netty.util.concurrent.ScheduledFuture;
import java.time.Instant;
import org.edgesbc.media.MediaSession;
import org.edgesbc.policy.fraud.FraudGuard;

/**
 * A dialog relayed between two legs: leg A sent the dialog-creating request, leg B is the SBC's own dialog toward
 * the other zone. Tags pass through unchanged (they carry no topology); Call-IDs, URIs, Contacts and Vias do not.
 * Owned by one relay shard; found by {@link #key(String, String)} of either leg.
 */
final class RelayDialog {
    enum State { EARLY, CONFIRMED, TERMINATED }

    final Leg a;
    final Leg b;
    /** From-tag of the caller (leg A's UA); tells which direction an in-dialog request flows. */
    final String callerTag;
    String calleeTag;
    State state = State.EARLY;
    ScheduledFuture<?> durationLimit;
    /** The anchored media, null until an SDP body crossed the dialog or when media is not anchored. */
    MediaSession media;
    /** The toll-fraud decision that let this call out through the trunk; released when the dialog ends. */
    FraudGuard.Decision fraud;
    /** The spend meter of the answered call, null before answer or for calls not metered. */
    FraudGuard.AnsweredCall metered;
    /** For the call detail record: set for INVITE dialogs only. */
    boolean call;
    Instant started;
    Instant answered;
    String calling;
    String called;
    int finalStatus;
    /** Who ended the call: caller, callee, or the SBC and why. */
    String endedBy;

    RelayDialog(Leg a, Leg b, String callerTag) {
        this.a = a;
        this.b = b;
        this.callerTag = callerTag;
    }

    static String key(String zone, String callId) {
        return zone + '\n' + callId;
    }

    Leg legOf(String zone, String callId) {
        if (a.zone.equals(zone) && a.callId.equals(callId)) {
            return a;
        }
        if (b.zone.equals(zone) && b.callId.equals(callId)) {
            return b;
        }
        return null;
    }

    Leg other(Leg leg) {
        return leg == a ? b : a;
    }
}
