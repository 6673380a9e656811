package org.edgesbc.core.relay;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.random.RandomGenerator;
import javax.sip.message.Request;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;

/**
 * Glare on re-INVITEs (RFC 3261 §14) and on UPDATEs carrying an offer (RFC 3311 §5.2): at most one offer
 * transaction at a time on each leg, in either direction. The SBC is each side's UAS, so it answers such a request
 * itself, before its offer touches the anchored media, when
 *
 * <ul>
 *   <li>the SBC has an offer outstanding toward that leg (the other side's re-INVITE or UPDATE, relayed, or the
 *       SBC's own session refresh by re-INVITE on either leg): 491, after which the side retries per §14.1 (2.1-4 s
 *       for the dialog's Call-ID owner, 0-2 s otherwise);</li>
 *   <li>that leg's previous offer is still unanswered: 500 with a Retry-After of 0-10 s (RFC 3261 §14.2,
 *       RFC 3311 §5.2).</li>
 * </ul>
 * An UPDATE without a body (a session refresh, RFC 4028) offers nothing and is never refused here. A PRACK with a
 * body (RFC 3262 §5) offers too, unless it answers the offer its leg got in a reliable provisional response to an
 * INVITE without one; it is never refused (RFC 3262 gives a PRACK no glare response, and refusing one would leave
 * the provisional unacknowledged), but while its offer is out, crossing offers on its legs are.
 * Crossing re-INVITEs from both sides at once therefore both hear 491 (the one relayed first from the far side, the
 * other from the SBC), and both retry on the timers of §14.1. The SBC's own re-INVITE (a session refresh toward a UA
 * without UPDATE) waits until no offer is in progress on its leg, so it never crosses one. Owned by one relay shard;
 * its state is three fields per {@link Leg}.
 */
final class ReInviteGuard {
    /** RFC 3261 §14.2: the Retry-After of the 500, chosen at random between 0 and 10 seconds. */
    private static final int MAX_RETRY_AFTER_SECONDS = 10;

    private static final SipHeaderName REQUIRE = SipHeaderName.of("Require");

    private final RandomGenerator random;

    ReInviteGuard(RandomGenerator random) {
        this.random = random;
    }

    /**
     * 0 when the in-dialog request from {@code from} toward {@code to} may be relayed; 491 or 500 when it is an offer
     * that must wait.
     */
    int refusal(Leg from, Leg to, SipMessageView request) {
        if (!isOffer(request, from) || Request.PRACK.equals(request.method())) {
            return 0;
        }
        if (from.inviteToward != null || from.sbcOffer || to.sbcOffer) {
            return 491;
        }
        return from.inviteFrom != null ? 500 : 0;
    }

    /** The headers of a refusal: the Retry-After of a 500. */
    Map<String, List<String>> headersOf(int refusal) {
        return refusal == 500 ? Map.of("Retry-After", List.of(Integer.toString(
                random.nextInt(MAX_RETRY_AFTER_SECONDS + 1)))) : Map.of();
    }

    /**
     * An in-dialog request from {@code from} went on toward {@code to}: when it offers (a re-INVITE, an UPDATE with
     * a body), both legs are busy until it is answered.
     */
    void relayed(Leg from, Leg to, SipMessageView request, RelayedRequest relayed) {
        if (isOffer(request, from)) {
            from.inviteFrom = relayed;
            to.inviteToward = relayed;
        } else if (Request.PRACK.equals(request.method()) && request.bodyLength() > 0) {
            from.owesEarlyAnswer = false;
        }
    }

    /**
     * A provisional response was relayed to the requester of {@code relayed}, on leg {@code requester}, with
     * {@code body} (null: the far side's own): the first reliable one with a body to an INVITE without an offer
     * carries the offer, which the requester's PRACK answers (RFC 3262 §5).
     */
    void provisionalRelayed(RelayedRequest relayed, Leg requester, SipMessageView response, byte[] body) {
        if (!Request.INVITE.equals(relayed.server.method) || relayed.withBody || relayed.offeredInProvisional
                || (body != null ? body.length : response.bodyLength()) == 0) {
            return;
        }
        String require = response.header(REQUIRE);
        if (require != null && require.toLowerCase(Locale.ROOT).contains("100rel")) {
            relayed.offeredInProvisional = true;
            requester.owesEarlyAnswer = true;
        }
    }

    /**
     * A re-INVITE, which offers even without a body (the offer then comes in its 2xx), an UPDATE with a body
     * (RFC 3311 §5.1: an UPDATE without one carries no offer), or a PRACK with a body that does not answer an
     * early offer made to {@code from}.
     */
    static boolean isOffer(SipMessageView request, Leg from) {
        String method = request.method();
        boolean withBody = request.bodyLength() > 0;
        return Request.INVITE.equals(method)
                || Request.UPDATE.equals(method) && withBody
                || Request.PRACK.equals(method) && withBody && !from.owesEarlyAnswer;
    }

    /** The offer of {@code branch} got its final answer or timed out: its legs are free again. */
    void ended(RelayedBranch branch) {
        RelayedRequest offer = branch.request;
        RelayDialog dialog = branch.dialog;
        if (offer == null || dialog == null) {
            return;
        }
        for (Leg leg : new Leg[] {dialog.a, dialog.b}) {
            if (leg.inviteFrom == offer) {
                leg.inviteFrom = null;
            }
            if (leg.inviteToward == offer) {
                leg.inviteToward = null;
            }
        }
    }
}
