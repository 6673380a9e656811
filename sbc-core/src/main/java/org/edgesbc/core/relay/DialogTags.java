package org.edgesbc.core.relay;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The To-tags the caller's side gets for the dialogs the far side makes: each far-side dialog (a B leg and the tag
 * its callee answered with) is shown to the caller under a tag the SBC generated, so that no tag of one leg reaches
 * the other. A forking proxy behind a B leg answers one INVITE from several early dialogs, each with its own tag
 * (RFC 3261 §12.1, §13.2.2.4); each gets its own caller-side tag, so the caller keeps them apart as it would
 * without the SBC. A caller's request in an early dialog (PRACK, UPDATE, the ACK) is sent back to the far dialog
 * its To-tag stands for, at that dialog's own remote target (the Contact of its provisional response: two phones
 * behind one forking proxy have two).
 *
 * <p>Bounded: at most {@link #MAX_EARLY_DIALOGS} early dialogs per call (a provisional response from one more is
 * dropped by the caller of {@link #towardCaller}); the answer that confirms the dialog always gets its tag and ends
 * every other early dialog here. Owned by the relay shard of its dialog.
 */
final class DialogTags {
    /** Early dialogs kept per call: more than any forking PBX rings devices at once. */
    static final int MAX_EARLY_DIALOGS = 16;

    /** One far-side dialog: a B leg, the tag of its callee, and the tag the caller's side knows it by. */
    private static final class FarDialog {
        final Leg leg;
        final String farTag;
        final String callerSideTag;
        /** The Contact URI of its latest response that had one; null until then. */
        String remoteTarget;

        FarDialog(Leg leg, String farTag, String callerSideTag) {
            this.leg = leg;
            this.farTag = farTag;
            this.callerSideTag = callerSideTag;
        }
    }

    private final List<FarDialog> far = new ArrayList<>(1);

    /**
     * The caller-side tag of the far dialog {@code farTag} on {@code leg}; a new one from {@code newTag} when the
     * dialog is new, or null when the call has {@link #MAX_EARLY_DIALOGS} already.
     */
    String towardCaller(Leg leg, String farTag, Supplier<String> newTag) {
        FarDialog known = find(leg, farTag);
        if (known != null) {
            return known.callerSideTag;
        }
        if (far.size() >= MAX_EARLY_DIALOGS) {
            return null;
        }
        FarDialog added = new FarDialog(leg, farTag, newTag.get());
        far.add(added);
        return added.callerSideTag;
    }

    /**
     * The far dialog {@code farTag} on {@code leg} confirmed the call: its caller-side tag (new if it had none) is
     * the one the caller's dialog keeps; every other early dialog is over (RFC 3261 §13.2.2.4).
     */
    String confirmed(Leg leg, String farTag, Supplier<String> newTag) {
        FarDialog known = find(leg, farTag);
        FarDialog kept = known != null ? known : new FarDialog(leg, farTag, newTag.get());
        far.clear();
        far.add(kept);
        return kept.callerSideTag;
    }

    /**
     * Notes the remote target of the far dialog {@code farTag} on {@code leg} (RFC 3261 §12.1.2: the Contact of a
     * response that makes or refreshes it); nothing when the call keeps no such dialog.
     */
    void targetOf(Leg leg, String farTag, String remoteTarget) {
        FarDialog dialog = find(leg, farTag);
        if (dialog != null) {
            dialog.remoteTarget = remoteTarget;
        }
    }

    /** The remote target of the far dialog the caller's side knows as {@code callerSideTag}, or null if unknown. */
    String remoteTargetOf(String callerSideTag) {
        FarDialog dialog = byCallerSideTag(callerSideTag);
        return dialog == null ? null : dialog.remoteTarget;
    }

    /** The B leg of the far dialog the caller's side knows as {@code callerSideTag}, or null when none is. */
    Leg legOf(String callerSideTag) {
        FarDialog dialog = byCallerSideTag(callerSideTag);
        return dialog == null ? null : dialog.leg;
    }

    /** The far tag of the far dialog the caller's side knows as {@code callerSideTag}, or null when none is. */
    String farTagOf(String callerSideTag) {
        FarDialog dialog = byCallerSideTag(callerSideTag);
        return dialog == null ? null : dialog.farTag;
    }

    /** A B leg left the call (a failed branch, a target the call moved on from): its early dialogs went with it. */
    void legEnded(Leg leg) {
        far.removeIf(dialog -> dialog.leg == leg);
    }

    private FarDialog find(Leg leg, String farTag) {
        for (FarDialog dialog : far) {
            if (dialog.leg == leg && Objects.equals(dialog.farTag, farTag)) {
                return dialog;
            }
        }
        return null;
    }

    private FarDialog byCallerSideTag(String callerSideTag) {
        if (callerSideTag == null) {
            return null;
        }
        for (FarDialog dialog : far) {
            if (dialog.callerSideTag.equals(callerSideTag)) {
                return dialog;
            }
        }
        return null;
    }
}
