package org.edgesbc.core.relay;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.edgesbc.transport.SipFlow;

/**
 * Which dialog on the far side of the SBC a leg's Call-ID and tags stand for, so that identifiers one side puts
 * inside a message (a Refer-To's {@code Replaces}, RFC 3515 §2.4.2 and RFC 3891; an INVITE's {@code Replaces}; a
 * {@code Target-Dialog}, RFC 4538) can be translated to the ones the other side knows: the far leg's Call-ID and its
 * tags, which are not those of the near leg (see {@link DialogTags}).
 *
 * <p>Shared by every relay shard: the request that names a dialog (an INVITE with Replaces, a REFER within another
 * call) has a Call-ID of its own and is handled by whichever shard owns that Call-ID, not by the shard that owns the
 * named dialog. Each shard writes the entries of its own dialogs only ({@link #confirmed}, {@link #ended}); any shard
 * reads. Bounded by the dialog table: two entries per confirmed dialog, plus at most one stand-in per leg and zone,
 * removed when it ends.
 */
final class DialogIdentifierMap {
    /**
     * One leg as a request naming it needs to know it: its zone, its Call-ID, the tag of the user agent on that leg
     * and the SBC's tag there, and, when that leg's user agent is to be reached directly (by a party on its own
     * side, or by the SBC on the flow a phone uses), its remote target and that flow when the dialog was confirmed.
     */
    record LegIdentity(String zone, String callId, String remoteTarget, String agentTag, String sbcTag,
            SipFlow flow) {
        static LegIdentity of(RelayDialog dialog, Leg leg) {
            return new LegIdentity(leg.zone, leg.callId, leg.remoteTarget,
                    leg == dialog.a ? dialog.callerTag : leg.calleeTag, leg.sbcTag, leg.requestFlow);
        }

        String key() {
            return RelayDialog.key(zone, callId);
        }
    }

    /** A confirmed dialog's leg and the leg on the far side of the SBC. */
    private record Partners(LegIdentity near, LegIdentity far) { }

    private final Map<String, Partners> partners = new ConcurrentHashMap<>();
    /** Per leg (its key), the stand-ins for it handed to other zones (zone to stand-in); see {@link #standIn}. */
    private final Map<String, Map<String, LegIdentity>> standIns = new ConcurrentHashMap<>();

    /** The dialog was answered: each leg now names the other. */
    void confirmed(RelayDialog dialog) {
        LegIdentity a = LegIdentity.of(dialog, dialog.a);
        LegIdentity b = LegIdentity.of(dialog, dialog.b);
        partners.put(dialog.a.key(), new Partners(a, b));
        partners.put(dialog.b.key(), new Partners(b, a));
    }

    void ended(RelayDialog dialog) {
        for (Leg leg : new Leg[] {dialog.a, dialog.b}) {
            partners.remove(leg.key());
            Map<String, LegIdentity> gone = standIns.remove(leg.key());
            if (gone != null) {
                gone.values().forEach(standIn -> partners.remove(standIn.key()));
            }
        }
    }

    /**
     * A dialog identity in {@code zone} that stands for the leg {@code far} of a confirmed dialog in another zone,
     * so that a party in {@code zone}, which has never seen that dialog, can name it (an attended transfer's
     * Replaces whose consultation runs to a third side): a Call-ID and tags of the SBC's own, which
     * {@link #partnerNamed} resolves to {@code far} until its dialog ends. One per leg and zone; null when the
     * dialog has ended meanwhile.
     */
    LegIdentity standIn(String zone, LegIdentity far, SipIdentifiers ids) {
        LegIdentity standIn = standIns.computeIfAbsent(far.key(), key -> new ConcurrentHashMap<>())
                .computeIfAbsent(zone, z -> new LegIdentity(z, ids.newCallId(), null, ids.newTag(), ids.newTag(),
                        null));
        partners.putIfAbsent(standIn.key(), new Partners(standIn, far));
        if (!partners.containsKey(far.key())) {
            // The dialog ended while the stand-in was made: nothing may resolve to it any more.
            partners.remove(standIn.key());
            standIns.remove(far.key());
            return null;
        }
        return standIn;
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
}
