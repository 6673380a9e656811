package org.edgesbc.core.relay;

import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.edgesbc.core.sdp.SdpOrigin;
import org.edgesbc.media.MediaSession;
import org.edgesbc.policy.fraud.FraudGuard;

/**
 * A dialog relayed between two legs: leg A sent the dialog-creating request, leg B is the SBC's own dialog toward
 * the other zone. No identifier of one leg reaches the other: each leg has its own Call-ID and tags (a B leg the
 * SBC's From-tag, leg A the SBC's To-tags of {@link #tags}), and its own URIs, Contacts and Vias.
 * An INVITE toward a phone registered from several devices is forked: each device gets a B leg of its own (its own
 * Call-ID) in {@link #branches} until one answers and becomes {@link #b}. Owned by one relay shard; found by
 * {@link #key(String, String)} of any leg.
 */
final class RelayDialog {
    enum State { EARLY, CONFIRMED, TERMINATED }

    final Leg a;
    /** The callee's leg: the only B leg, or of a forked INVITE the first branch until one answers. */
    Leg b;
    /** The B legs of a forked INVITE still in the race, the answering one included; null when not forked. */
    List<Leg> branches;
    /** From-tag of the caller (leg A's UA). */
    final String callerTag;
    /** The To-tags leg A knows the far side's early and confirmed dialogs by. */
    final DialogTags tags = new DialogTags();
    State state = State.EARLY;
    ShardTimer durationLimit;
    /** Until the caller ACKs the 2xx that confirmed the dialog: 64*T1, then the dialog is torn down. */
    ShardTimer ackWait;
    /** The anchored media, null until an SDP body crossed the dialog or when media is not anchored. */
    MediaSession media;
    /** The o= identity of the last SDP body the SBC sent toward each side, by {@code MediaSide} ordinal. */
    final SdpOrigin[] sdpSent = new SdpOrigin[2];
    /** The toll-fraud decision that let this call out through the trunk; released when the dialog ends. */
    FraudGuard.Decision fraud;
    /** For the call detail record: set for INVITE dialogs only. */
    boolean call;
    Instant started;
    Instant answered;
    String calling;
    String called;
    /** The authenticated phone user, or the PBX account the toll-fraud guard counts the call against; or null. */
    String account;
    int finalStatus;
    /** Who ended the call: caller, callee, or the SBC and why. */
    String endedBy;
    /**
     * When the first BYE came, from either side; null before. The call ended then (RFC 3261 §15.1.1: its sender
     * considers the session over once the BYE is sent), however late the far side answers it, or if it never does.
     */
    Instant hungUp;
    /** The caller's INVITE while the call rings, so that the SBC can cancel it; null once answered or ended. */
    RelayedRequest invite;
    /** Why the SBC cancelled the ringing call ({@code sbc:<reason>}), for the record; null otherwise. */
    String cancelledBySbc;
    /** For the record: the attestation the SBC signed the call with, or the verstat it gave the PBX. */
    String identity;
    /** For the record: the origid of the PASSporT the SBC signed (RFC 8588). */
    String origId;

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
        if (branches != null) {
            for (Leg branch : branches) {
                if (branch.zone.equals(zone) && branch.callId.equals(callId)) {
                    return branch;
                }
            }
        }
        return null;
    }

    /**
     * Where an in-dialog request from {@code leg} goes, with the tags it carries there: from leg A to the far
     * dialog its To-tag stands for (before a forked INVITE is answered, PRACK and UPDATE go to the early dialog
     * they name); from a B leg to leg A, its From-tag made the caller-side tag of its far dialog. Null when the
     * To-tag names no dialog of this call (RFC 3261 §12.2.2: 481), or a B leg's far dialog is one too many.
     *
     * @param fromTag the request's From-tag
     * @param toTag the request's To-tag
     */
    Toward toward(Leg leg, String fromTag, String toTag, Supplier<String> newTag) {
        if (leg == a) {
            Leg far = tags.legOf(toTag);
            return far == null ? null
                    : new Toward(far, far.sbcTag, tags.farTagOf(toTag), tags.remoteTargetOf(toTag));
        }
        if (toTag == null || !toTag.equals(leg.sbcTag) || fromTag == null
                || state == State.CONFIRMED && !fromTag.equals(leg.calleeTag)) {
            return null;
        }
        String callerSideTag = tags.towardCaller(leg, fromTag, newTag);
        return callerSideTag == null ? null : new Toward(a, callerSideTag, callerTag, null);
    }

    /**
     * The leg an in-dialog request goes to and the From- and To-tags it carries on that leg.
     *
     * @param remoteTarget the Request-URI of the far dialog it goes to when that differs by dialog (early dialogs of
     *     a forking proxy), or null for the leg's own remote target
     */
    record Toward(Leg leg, String fromTag, String toTag, String remoteTarget) { }

    /** The leg that is not {@code leg}: leg A, or of a call from leg A the callee's leg. */
    Leg other(Leg leg) {
        return leg == a ? b : a;
    }
}
