package org.edgesbc.core.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which dialog on the far side of the SBC a leg's Call-ID stands for, so that identifiers one side puts inside a
 * message (a Refer-To's {@code Replaces}, RFC 3515 §2.4.2 and RFC 3891; an INVITE's {@code Replaces}) can be
 * translated to the ones the other side knows. Tags pass the SBC unchanged, so the Call-ID is all that differs
 * between the two legs of a dialog.
 *
 * <p>Shared by every relay shard: the request that names a dialog (an INVITE with Replaces, a REFER within another
 * call) has a Call-ID of its own and is handled by whichever shard owns that Call-ID, not by the shard that owns the
 * named dialog. Each shard writes the entries of its own dialogs only ({@link #confirmed}, {@link #ended}); any shard
 * reads. Bounded by the dialog table: two entries per confirmed dialog, removed when it ends.
 */
final class DialogIdentifierMap {
    /**
     * One leg as a request naming it needs to know it: its zone, its Call-ID and, when that leg's user agent is to be
     * reached directly by a party on its own side, its remote target when the dialog was confirmed.
     */
    record LegIdentity(String zone, String callId, String remoteTarget) {
        static LegIdentity of(Leg leg) {
            return new LegIdentity(leg.zone, leg.callId, leg.remoteTarget);
        }
    }

    private final Map<String, LegIdentity> partners = new ConcurrentHashMap<>();

    /** The dialog was answered: each leg now names the other. */
    void confirmed(RelayDialog dialog) {
        partners.put(dialog.a.key(), LegIdentity.of(dialog.b));
        partners.put(dialog.b.key(), LegIdentity.of(dialog.a));
    }

    void ended(RelayDialog dialog) {
        partners.remove(dialog.a.key());
        partners.remove(dialog.b.key());
    }

    /** The far leg of the confirmed dialog whose leg in {@code zone} has {@code callId}, or null when none has. */
    LegIdentity partnerOf(String zone, String callId) {
        return partners.get(RelayDialog.key(zone, callId));
    }

    int size() {
        return partners.size();
    }
}
