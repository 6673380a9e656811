package org.edgesbc.core.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which dialog on the far side of the SBC a leg's Call-ID and tags stand for, so that identifiers one side puts
 * inside a message (a Refer-To's {@code Replaces}, RFC 3515 §2.4.2 and RFC 3891; an INVITE's {@code Replaces}; a
 * {@code Target-Dialog}, RFC 4538) can be translated to the ones the other side knows: the far leg's Call-ID and its
 * tags, which are not those of the near leg (see {@link DialogTags}).
 *
 * <p>Shared by every relay shard: the request that names a dialog (an INVITE with Replaces, a REFER within another
 * call) has a Call-ID of its own and is handled by whichever shard owns that Call-ID, not by the shard that owns the
 * named dialog. Each shard writes the entries of its own dialogs only ({@link #confirmed}, {@link #ended}); any shard
 * reads. Bounded by the dialog table: two entries per confirmed dialog, removed when it ends.
 */
final class DialogIdentifierMap {
    /**
     * One leg as a request naming it needs to know it: its zone, its Call-ID, the tag of the user agent on that leg
     * and the SBC's tag there, and, when that leg's user agent is to be reached directly by a party on its own side,
     * its remote target when the dialog was confirmed.
     */
    record LegIdentity(String zone, String callId, String remoteTarget, String agentTag, String sbcTag) {
        static LegIdentity of(RelayDialog dialog, Leg leg) {
            return new LegIdentity(leg.zone, leg.callId, leg.remoteTarget,
                    leg == dialog.a ? dialog.callerTag : leg.calleeTag, leg.sbcTag);
        }
    }

    /** A confirmed dialog's leg and the leg on the far side of the SBC. */
    private record Partners(LegIdentity near, LegIdentity far) { }

    private final Map<String, Partners> partners = new ConcurrentHashMap<>();

    /** The dialog was answered: each leg now names the other. */
    void confirmed(RelayDialog dialog) {
        LegIdentity a = LegIdentity.of(dialog, dialog.a);
        LegIdentity b = LegIdentity.of(dialog, dialog.b);
        partners.put(dialog.a.key(), new Partners(a, b));
        partners.put(dialog.b.key(), new Partners(b, a));
    }

    void ended(RelayDialog dialog) {
        partners.remove(dialog.a.key());
        partners.remove(dialog.b.key());
    }

    /**
     * The far leg of the confirmed dialog that a party in {@code zone} names with {@code named}, or null when no
     * confirmed dialog there has its Call-ID and both its tags. The party names the dialog as its end sees it: the
     * recipient's tag is the SBC's on the party's leg (the far party is behind the SBC), the sender's the tag of the
     * party's user agent.
     */
    LegIdentity partnerNamed(String zone, ReplacesValue named, ReplacesValue.Form form) {
        Partners found = partners.get(RelayDialog.key(zone, named.callId()));
        if (found == null || !tagMatches(found.near.sbcTag(), named.parameter(form.recipientTag))
                || !tagMatches(found.near.agentTag(), named.parameter(form.senderTag))) {
            return null;
        }
        return found.far;
    }

    /** {@code named} made to name the far leg {@code partner} as the far side knows it (its tag the recipient's). */
    static ReplacesValue onFarSide(ReplacesValue named, ReplacesValue.Form form, LegIdentity partner) {
        return named.naming(partner.callId(), form, partner.agentTag(), partner.sbcTag());
    }

    private static boolean tagMatches(String tag, String named) {
        return tag != null && tag.equals(named);
    }

    int size() {
        return partners.size();
    }
}
