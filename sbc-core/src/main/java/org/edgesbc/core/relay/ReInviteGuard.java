package org.edgesbc.core.relay;

import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;
import javax.sip.message.Request;
import org.edgesbc.transport.message.SipMessageView;

/**
 * Glare on re-INVITEs (RFC 3261 §14): at most one INVITE transaction at a time on each leg, in either direction.
 * The SBC is each side's UAS, so it answers a re-INVITE itself, before its offer touches the anchored media, when
 *
 * <ul>
 *   <li>the SBC has an INVITE of its own outstanding toward that leg (the other side's re-INVITE, relayed): 491,
 *       after which the side retries per §14.1 (2.1-4 s for the dialog's Call-ID owner, 0-2 s otherwise);</li>
 *   <li>that leg's previous INVITE is still unanswered: 500 with a Retry-After of 0-10 s (§14.2).</li>
 * </ul>
 * Crossing re-INVITEs from both sides at once therefore both hear 491 (the one relayed first from the far side, the
 * other from the SBC), and both retry on the timers of §14.1; the SBC itself sends no re-INVITE of its own here, so
 * it never has to wait on those timers. Owned by one relay shard; its state is two fields per {@link Leg}.
 */
final class ReInviteGuard {
    /** RFC 3261 §14.2: the Retry-After of the 500, chosen at random between 0 and 10 seconds. */
    private static final int MAX_RETRY_AFTER_SECONDS = 10;

    private final RandomGenerator random;

    ReInviteGuard(RandomGenerator random) {
        this.random = random;
    }

    /** 0 when the in-dialog request may be relayed; 491 or 500 when it is a re-INVITE that must wait. */
    int refusal(Leg from, SipMessageView request) {
        if (!Request.INVITE.equals(request.method())) {
            return 0;
        }
        if (from.inviteToward != null) {
            return 491;
        }
        return from.inviteFrom != null ? 500 : 0;
    }

    /** The headers of a refusal: the Retry-After of a 500. */
    Map<String, List<String>> headersOf(int refusal) {
        return refusal == 500 ? Map.of("Retry-After", List.of(Integer.toString(
                random.nextInt(MAX_RETRY_AFTER_SECONDS + 1)))) : Map.of();
    }

    /** A re-INVITE from {@code from} went on toward {@code to}: both legs are busy until it is answered. */
    void relayed(Leg from, Leg to, RelayedRequest reInvite) {
        from.inviteFrom = reInvite;
        to.inviteToward = reInvite;
    }

    /** The re-INVITE of {@code branch} got its final answer or timed out: its legs are free again. */
    void ended(RelayedBranch branch) {
        RelayedRequest reInvite = branch.request;
        RelayDialog dialog = branch.dialog;
        if (reInvite == null || dialog == null) {
            return;
        }
        for (Leg leg : new Leg[] {dialog.a, dialog.b}) {
            if (leg.inviteFrom == reInvite) {
                leg.inviteFrom = null;
            }
            if (leg.inviteToward == reInvite) {
                leg.inviteToward = null;
            }
        }
    }
}
