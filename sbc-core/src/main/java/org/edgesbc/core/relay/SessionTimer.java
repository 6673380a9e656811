package org.edgesbc.core.relay;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import javax.sip.message.Request;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.config.SessionTimerConfig;
import org.edgesbc.transport.message.SipGrammar;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * RFC 4028 session timers for the B2BUA: each leg of a call negotiates its own interval and refresher with the SBC
 * under its zone's {@link SessionTimerConfig}, because the SBC is the UAS of the caller's leg and the UAC of the
 * callee's.
 *
 * <ul>
 *   <li>A request (INVITE, UPDATE) asking a zone for less than its {@code min-se} gets 422 with that Min-SE (§8.1
 *       as UAS); a Session-Expires that is not a number gets 400.</li>
 *   <li>Toward a leg, the SBC offers its zone's {@code session-expires} and {@code min-se} with {@code Supported:
 *       timer} and never requires timer of the far side. A 422 from the far side on the first INVITE is retried once
 *       with the interval it asks for (§7.4), under the next CSeq of that leg ({@link Leg#cseqOffset}).</li>
 *   <li>The 2xx of the first INVITE fixes each leg: on the callee's leg, the callee refreshes when its 2xx says
 *       {@code refresher=uas}; otherwise, or when its 2xx has no Session-Expires (no timer support), the SBC does.
 *       On the caller's leg the caller refreshes when it supports timers (unless it asked for {@code uas}, §9), else
 *       the SBC; the caller's 2xx carries its leg's Session-Expires, with {@code Require: timer} when the caller
 *       refreshes.</li>
 *   <li>Refreshes the UAs send (re-INVITE, UPDATE) are relayed with each leg's own values written in, and their 2xx
 *       re-arms both legs. Where the SBC refreshes, it does so at half the interval with UPDATE (RFC 3311, no body),
 *       or, toward a UA whose Allow lists no UPDATE or that refused one with 405 or 501, with a re-INVITE carrying
 *       the session description last sent to it, unchanged with its version (RFC 3264 §8), which the SBC ACKs
 *       itself; its answer is not relayed (the session has not changed). A 408, 481 or no answer ends the call, a
 *       491 waits for the next one, any other refusal stops the SBC's refreshes there. While the SBC's re-INVITE
 *       is pending, offers from either side toward the leg hear 491 ({@link ReInviteGuard}), and the SBC waits for
 *       an offer in progress on the leg to end before it sends one.</li>
 *   <li>A leg whose UA refreshes and whose refresh does not come by the interval less min(32 s, a third) (§10) ends
 *       the call with BYE on both sides: the record says {@code sbc:session-timer-expired}, counted per zone.</li>
 * </ul>
 * Roles and intervals are fixed when the call is answered; later refreshes re-arm them. Owned by one relay shard.
 */
final class SessionTimer {
    static final SipHeaderName SESSION_EXPIRES = SipHeaderName.of("Session-Expires");
    static final SipHeaderName MIN_SE = SipHeaderName.of("Min-SE");
    private static final SipHeaderName SUPPORTED = SipHeaderName.of("Supported");
    private static final SipHeaderName REQUIRE = SipHeaderName.of("Require");
    private static final SipHeaderName ALLOW = SipHeaderName.of("Allow");
    private static final String TIMER = "timer";
    /** §10: the session ends the smaller of 32 s and a third of the interval before it would expire. */
    private static final long EXPIRY_MARGIN_MILLIS = 32_000;
    /** The longest interval the SBC retries a 422 with: a day, as the configuration allows. */
    private static final long LONGEST_SECONDS = 86_400;
    /** How soon the SBC tries its refresh again when an offer was in progress on the leg (RFC 3261 §14.1's 2.1 s). */
    private static final long BUSY_RETRY_MILLIS = 2_100;

    /** A leg's negotiated timer: the interval, who refreshes, and the task that refreshes or expires it. */
    static final class LegTimer {
        final long seconds;
        final boolean sbcRefreshes;
        ShardTimer task;

        LegTimer(long seconds, boolean sbcRefreshes) {
            this.seconds = seconds;
            this.sbcRefreshes = sbcRefreshes;
        }
    }

    /**
     * What a requester asked for in an INVITE or UPDATE (RFC 4028 §7.1).
     *
     * @param supportsTimer {@code timer} in its Supported or Require
     * @param seconds its Session-Expires, -1 when absent
     * @param refresher the refresher it asked for ({@code uac} or {@code uas}), null when absent
     * @param minSe its Min-SE, -1 when absent
     * @param refusesUpdate its Allow lists methods but not UPDATE (an absent Allow tells nothing, RFC 3261 §20.5)
     */
    record Offer(boolean supportsTimer, long seconds, String refresher, long minSe, boolean refusesUpdate) {
        static final Offer NONE = new Offer(false, -1, null, -1, false);
    }

    private final ShardLoop loop;
    private final PeerDirectory peers;
    private final TransactionLayer transactions;
    private final SbcRequests sbcRequests;
    private final TopologyHiding topology;
    private final LocalResponses responses;
    private final RelayMetrics metrics;
    private final RateLimitedLog log;
    private final BiConsumer<RelayDialog, String> tearDown;

    SessionTimer(ShardLoop loop, PeerDirectory peers, TransactionLayer transactions, SbcRequests sbcRequests,
            TopologyHiding topology, LocalResponses responses, RelayMetrics metrics, RateLimitedLog log,
            BiConsumer<RelayDialog, String> tearDown) {
        this.loop = loop;
        this.peers = peers;
        this.transactions = transactions;
        this.sbcRequests = sbcRequests;
        this.topology = topology;
        this.responses = responses;
        this.metrics = metrics;
        this.log = log;
        this.tearDown = tearDown;
    }

    private SessionTimerConfig config(String zone) {
        RelaySettings.ZonePeer peer = peers.peer(zone);
        return peer == null ? SessionTimerConfig.DEFAULT : peer.sessionTimers();
    }

    private static boolean refreshes(String method) {
        return Request.INVITE.equals(method) || Request.UPDATE.equals(method);
    }

    // ------------------------------------------------------------------------------------------- requests

    /**
     * Reads what {@code request} asks for; {@link Offer#NONE} for methods other than INVITE and UPDATE.
     *
     * @return null when its Session-Expires or Min-SE is not a number (the requester gets 400)
     */
    Offer offer(SipMessageView request) {
        if (!request.isRequest() || !refreshes(request.method())) {
            return Offer.NONE;
        }
        String expires = request.header(SESSION_EXPIRES);
        String minSe = request.header(MIN_SE);
        long seconds = expires == null ? -1 : deltaSeconds(expires);
        long min = minSe == null ? -1 : deltaSeconds(minSe);
        if ((expires != null && seconds < 0) || (minSe != null && min < 0)) {
            return null;
        }
        boolean supports = hasTag(request.headers(SUPPORTED), TIMER) || hasTag(request.headers(REQUIRE), TIMER);
        return new Offer(supports, seconds, expires == null ? null : parameter(expires, "refresher"), min,
                refusesUpdate(request));
    }

    /** Whether {@code message} has an Allow that does not list UPDATE. */
    private static boolean refusesUpdate(SipMessageView message) {
        List<String> allow = message.headers(ALLOW);
        return !allow.isEmpty() && !hasTag(allow, Request.UPDATE);
    }

    /**
     * The Min-SE a request from {@code zone} must be refused with (422, §8.1), or -1 when its interval is
     * acceptable or the zone runs no timers.
     */
    private long tooBrief(Offer offer, String zone) {
        SessionTimerConfig config = config(zone);
        if (!config.enabled() || offer.seconds() < 0 || offer.seconds() >= config.minSe().toSeconds()) {
            return -1;
        }
        return config.minSe().toSeconds();
    }

    /**
     * Takes the session-timer part of a caller's INVITE: 400 for a Session-Expires or Min-SE that is not a number,
     * 422 with the zone's Min-SE for an interval below it.
     *
     * @return false when the caller was refused; the dialog layer then ends the new dialog
     */
    boolean acceptOffer(InboundRequest inbound, RelayedRequest relayed, RelayDialog dialog) {
        Offer offer = offer(inbound.view());
        byte[] refusal = refusal(inbound, offer);
        if (refusal == null) {
            relayed.timerOffer = offer;
            return true;
        }
        dialog.finalStatus = offer == null ? 400 : 422;
        transactions.respond(relayed.server, refusal, dialog.finalStatus);
        return false;
    }

    /** The SBC's 400 or 422 (with its Min-SE) to an INVITE or UPDATE whose session timer it refuses, or null. */
    byte[] refusal(InboundRequest inbound, Offer offer) {
        if (offer == null) {
            return responses.create(inbound, 400, "Bad Session-Expires");
        }
        long minSe = tooBrief(offer, inbound.zone());
        return minSe < 0 ? null : responses.create(inbound, 422,
                Map.of("Min-SE", List.of(Long.toString(minSe))));
    }

    /**
     * Writes the SBC's own session-timer headers into an INVITE or UPDATE relayed toward {@code to}: the zone's
     * interval and Min-SE on a first INVITE, the leg's negotiated interval and refresher on a refresh, none on an
     * early UPDATE or a leg without a timer; nothing of the requester's values crosses, and {@code timer} is never
     * required of the far side.
     */
    void towardLeg(SipMessageWriter out, SipMessageView request, Leg to) {
        if (!refreshes(request.method())) {
            return;
        }
        SessionTimerConfig config = config(to.zone);
        List<String> require = tagsWithout(request.headers(REQUIRE), TIMER);
        if (require.isEmpty()) {
            out.remove(REQUIRE);
        } else {
            out.set(REQUIRE, String.join(", ", require));
        }
        // An UPDATE of an early dialog comes before the answer fixes the leg's timer: it neither offers nor refreshes.
        boolean offers = to.timerNegotiated ? to.timer != null : Request.INVITE.equals(request.method());
        if (!config.enabled() || !offers) {
            out.remove(SESSION_EXPIRES, MIN_SE);
            return;
        }
        List<String> supported = tagsWithout(request.headers(SUPPORTED), TIMER);
        supported.add(TIMER);
        out.set(SUPPORTED, String.join(", ", supported));
        out.set(MIN_SE, Long.toString(config.minSe().toSeconds()));
        LegTimer timer = to.timer;
        if (timer == null) {
            out.set(SESSION_EXPIRES, Long.toString(config.sessionExpires().toSeconds()));
        } else {
            // The SBC is the UAC of this request on the leg: the leg's own UA refreshing is the UAS.
            out.set(SESSION_EXPIRES, timer.seconds + ";refresher=" + (timer.sbcRefreshes ? "uac" : "uas"));
        }
    }

    /** Keeps a first INVITE that carries the SBC's Session-Expires until its answer, for a retry after 422. */
    void sent(RelayedBranch branch) {
        ClientTransaction client = branch.client;
        if (client != null && client.request != null && Request.INVITE.equals(client.method)
                && branch.dialog != null && branch.dialog.state == RelayDialog.State.EARLY
                && branch.request != null && client.request.hasHeader(SESSION_EXPIRES)) {
            branch.sentInvite = client.request;
        }
    }

    /**
     * Retries a first INVITE refused with 422 by the far side (§7.4) with the interval its Min-SE asks for, under
     * the next CSeq of the leg. False when there is nothing to retry: timers off on the leg, no usable Min-SE, or
     * one no larger than what was already offered (a second 422 is relayed as it is).
     */
    boolean retryTooBrief(RelayedBranch branch, SipMessageView response) {
        SipMessageView sent = branch.sentInvite;
        branch.sentInvite = null;
        Leg leg = branch.target;
        String minSe = response.header(MIN_SE);
        if (sent == null || leg == null || minSe == null || !config(leg.zone).enabled()) {
            return false;
        }
        long asked = deltaSeconds(minSe);
        String offered = sent.header(SESSION_EXPIRES);
        long offeredSeconds = offered == null ? -1 : deltaSeconds(offered);
        if (asked <= offeredSeconds || asked > LONGEST_SECONDS) {
            return false;
        }
        long cseq = sent.cseqNumber() + 1;
        SipMessageWriter retry = SipMessageWriter.edit(sent)
                .set(SipHeaderName.CSEQ, cseq + " " + Request.INVITE)
                .set(SESSION_EXPIRES, Long.toString(asked))
                .set(MIN_SE, Long.toString(asked));
        leg.highestCSeqSent = Math.max(leg.highestCSeqSent, cseq);
        // The caller's later requests (its ACK, CANCEL, PRACK's RAck) name its own INVITE's CSeq.
        leg.cseqOffset++;
        branch.client = transactions.send(retry, branch.client.flow, leg.zone, branch, true);
        branch.sentInvite = branch.client.request;
        return true;
    }

    // ------------------------------------------------------------------------------------------ responses

    /**
     * A 2xx to an INVITE or UPDATE crossed the dialog from {@code responder} to {@code requester}: the first
     * INVITE's fixes both legs' timers, any other (a refresh) re-arms them.
     */
    void answered(RelayDialog dialog, Leg responder, Leg requester, Offer offer, SipMessageView response) {
        if (!refreshes(response.cseqMethod()) || dialog.state != RelayDialog.State.CONFIRMED) {
            return;
        }
        if (Request.INVITE.equals(response.cseqMethod()) && !responder.timerNegotiated) {
            responder.timerNegotiated = true;
            requester.timerNegotiated = true;
            responder.timer = asUac(responder, response);
            requester.timer = asUas(requester, offer == null ? Offer.NONE : offer);
            responder.refusesUpdate = refusesUpdate(response);
            requester.refusesUpdate = offer != null && offer.refusesUpdate();
        }
        arm(dialog, responder);
        arm(dialog, requester);
    }

    /** The callee's leg, where the SBC was the UAC: the 2xx names the refresher, or the SBC refreshes (§7.2). */
    private LegTimer asUac(Leg leg, SipMessageView response) {
        SessionTimerConfig config = config(leg.zone);
        if (!config.enabled()) {
            return null;
        }
        String expires = response.header(SESSION_EXPIRES);
        long seconds = expires == null ? -1 : deltaSeconds(expires);
        if (seconds < 0) {
            return new LegTimer(config.sessionExpires().toSeconds(), true);
        }
        long floor = config.minSe().toSeconds();
        return new LegTimer(Math.max(seconds, floor), !"uas".equals(parameter(expires, "refresher")));
    }

    /** The caller's leg, where the SBC is the UAS (§9): the caller refreshes if it can and did not ask otherwise. */
    private LegTimer asUas(Leg leg, Offer offer) {
        SessionTimerConfig config = config(leg.zone);
        if (!config.enabled()) {
            return null;
        }
        long seconds = config.sessionExpires().toSeconds();
        if (offer.seconds() > 0) {
            seconds = Math.min(seconds, offer.seconds());
        }
        seconds = Math.max(seconds, Math.max(offer.minSe(), config.minSe().toSeconds()));
        boolean callerRefreshes = offer.supportsTimer() && !"uas".equals(offer.refresher());
        return new LegTimer(seconds, !callerRefreshes);
    }

    /**
     * Writes the requester's leg's values into a 2xx to its INVITE or UPDATE; takes the far side's out of any
     * response (RFC 4028 §9: Require: timer when the requester, the UAC, refreshes).
     */
    void towardRequester(SipMessageWriter out, SipMessageView response, Leg requester) {
        if (!refreshes(response.cseqMethod())) {
            return;
        }
        LegTimer timer = requester == null ? null : requester.timer;
        boolean success = response.statusCode() >= 200 && response.statusCode() < 300;
        List<String> require = tagsWithout(response.headers(REQUIRE), TIMER);
        if (success && timer != null && !timer.sbcRefreshes) {
            require.add(TIMER);
        }
        if (require.isEmpty()) {
            out.remove(REQUIRE);
        } else {
            out.set(REQUIRE, String.join(", ", require));
        }
        if (response.statusCode() != 422) {
            out.remove(MIN_SE);
        }
        if (success && timer != null) {
            out.set(SESSION_EXPIRES, timer.seconds + ";refresher=" + (timer.sbcRefreshes ? "uas" : "uac"));
        } else {
            out.remove(SESSION_EXPIRES);
        }
    }

    /**
     * The SDP of an offer relayed toward {@code to}, to keep on its request until the answer: the anchored body, or
     * the request's own when media is not anchored. Null when the offer carries none or the leg's zone runs no
     * timers (only a leg the SBC refreshes by re-INVITE needs it).
     */
    byte[] offered(Leg to, byte[] anchored, SipMessageView request) {
        if (!config(to.zone).enabled() || to.timerNegotiated && (to.timer == null || !to.timer.sbcRefreshes)) {
            return null;
        }
        return sdpOf(anchored, request);
    }

    /**
     * An offer or answer of {@code sdp} toward {@code leg} completed: it is the session the SBC's refresh by
     * re-INVITE offers again. Kept only for a leg the SBC refreshes.
     */
    void sessionSent(Leg leg, byte[] sdp) {
        if (leg != null && sdp != null && sdp.length > 0 && leg.timer != null && leg.timer.sbcRefreshes) {
            leg.sessionSdp = sdp;
        }
    }

    /** {@link #sessionSent} for a message toward {@code leg} whose body went out as {@code anchored} or as it was. */
    void sessionSent(Leg leg, byte[] anchored, SipMessageView message) {
        if (leg != null && leg.timer != null && leg.timer.sbcRefreshes) {
            sessionSent(leg, sdpOf(anchored, message));
        }
    }

    /** The SDP that went out: {@code anchored} when anchoring rewrote it (empty: removed), else the message's own. */
    private static byte[] sdpOf(byte[] anchored, SipMessageView message) {
        if (anchored != null) {
            return anchored.length == 0 ? null : anchored;
        }
        return SdpMediaAnchor.isSdp(message) ? message.body() : null;
    }

    // ----------------------------------------------------------------------------------------------- timers

    private void arm(RelayDialog dialog, Leg leg) {
        LegTimer timer = leg.timer;
        if (timer == null) {
            return;
        }
        ShardLoop.cancel(timer.task);
        long interval = timer.seconds * 1000;
        if (timer.sbcRefreshes) {
            timer.task = loop.schedule("session refresh", () -> refresh(dialog, leg), interval / 2);
        } else {
            long margin = Math.min(EXPIRY_MARGIN_MILLIS, interval / 3);
            timer.task = loop.schedule("session expiry", () -> expired(dialog, leg), interval - margin);
        }
    }

    /** Stops every timer of the dialog's legs (it ended). */
    void ended(RelayDialog dialog) {
        stop(dialog.a);
        stop(dialog.b);
        if (dialog.branches != null) {
            dialog.branches.forEach(SessionTimer::stop);
        }
    }

    private static void stop(Leg leg) {
        if (leg != null && leg.timer != null) {
            ShardLoop.cancel(leg.timer.task);
            leg.timer = null;
        }
    }

    private void expired(RelayDialog dialog, Leg leg) {
        if (dialog.state != RelayDialog.State.CONFIRMED || leg.timer == null) {
            return;
        }
        metrics.sessionTimerExpired(leg.zone);
        tearDown.accept(dialog, "session-timer-expired");
    }

    /**
     * The SBC refreshes a leg whose UA does not (RFC 4028 §7.4): UPDATE without a body, or a re-INVITE offering the
     * session unchanged toward a UA that takes no UPDATE.
     */
    private void refresh(RelayDialog dialog, Leg leg) {
        LegTimer timer = leg.timer;
        if (dialog.state != RelayDialog.State.CONFIRMED || timer == null) {
            return;
        }
        boolean reInvite = leg.refusesUpdate;
        if (reInvite && leg.sessionSdp == null) {
            log.warn("session-refresh", "shard {} cannot refresh a {} leg that takes no UPDATE: no session "
                    + "description was sent to it", loop.index(), leg.zone);
            stop(leg);
            return;
        }
        if (reInvite && (leg.inviteFrom != null || leg.inviteToward != null)) {
            timer.task = loop.schedule("session refresh", () -> refresh(dialog, leg), BUSY_RETRY_MILLIS);
            return;
        }
        long cseq = leg.ownRequestCSeq();
        var flow = peers.flowToward(leg);
        String method = reInvite ? Request.INVITE : Request.UPDATE;
        SipMessageWriter request = SipMessageWriter.edit(sbcRequests.toward(dialog, leg, method, cseq))
                .add("Contact", topology.contact(flow.transport()))
                .add("Session-Expires", timer.seconds + ";refresher=uac")
                .add("Supported", TIMER);
        if (reInvite) {
            request.add("Content-Type", "application/sdp").body(leg.sessionSdp);
            leg.sbcOffer = true;
        }
        transactions.send(request, flow, leg.zone, new Refresh(dialog, leg, cseq, reInvite), true);
    }

    /** Hears the answer to one of the SBC's refreshes, and ACKs a re-INVITE's 2xx (RFC 3261 §13.2.2.4). */
    private final class Refresh implements ClientTransaction.User {
        private final RelayDialog dialog;
        private final Leg leg;
        private final long cseq;
        private final boolean reInvite;

        Refresh(RelayDialog dialog, Leg leg, long cseq, boolean reInvite) {
            this.dialog = dialog;
            this.leg = leg;
            this.cseq = cseq;
            this.reInvite = reInvite;
        }

        @Override
        public void provisional(ClientTransaction client, SipMessageView response, InetAddress source) {
            // A refresh's provisional answers change nothing.
        }

        @Override
        public void finalResponse(ClientTransaction client, SipMessageView response, InetAddress source) {
            int status = response.statusCode();
            if (reInvite) {
                leg.sbcOffer = false;
                if (status < 300) {
                    ack();
                }
            }
            if (status < 300 || status == 491) {
                // 491: the UA was in the middle of its own offer (RFC 3311 §5.2); the next refresh is due anyway.
                arm(dialog, leg);
            } else if (status == 408 || status == 481) {
                failed();
            } else if (!reInvite && (status == 405 || status == 501) && leg.sessionSdp != null) {
                leg.refusesUpdate = true;
                refresh(dialog, leg);
            } else {
                log.warn("session-refresh", "shard {} stops refreshing a {} leg that refused {} with {}",
                        loop.index(), leg.zone, reInvite ? Request.INVITE : Request.UPDATE, status);
                stop(leg);
            }
        }

        @Override
        public void successRetransmitted(ClientTransaction client, SipMessageView response, InetAddress source) {
            if (reInvite) {
                // The ACK was lost: the UA sends its 2xx again until one arrives.
                ack();
            }
        }

        private void ack() {
            if (dialog.state == RelayDialog.State.CONFIRMED) {
                peers.flowToward(leg).send(sbcRequests.toward(dialog, leg, Request.ACK, cseq).bytes());
            }
        }

        @Override
        public void timedOut(ClientTransaction client) {
            if (reInvite) {
                leg.sbcOffer = false;
            }
            failed();
        }

        private void failed() {
            if (dialog.state == RelayDialog.State.CONFIRMED) {
                tearDown.accept(dialog, "session-refresh-failed");
            }
        }
    }

    // ---------------------------------------------------------------------------------------------- parsing

    /** {@code delta-seconds *(;param)} (RFC 4028 §4): the seconds, or -1 when they are not 1-10 digits. */
    static long deltaSeconds(String value) {
        int end = value.indexOf(';');
        String digits = (end < 0 ? value : value.substring(0, end)).trim();
        return digits.length() > 10 ? -1 : SipGrammar.seconds(digits);
    }

    /** The value of parameter {@code name} of a header value, lower-cased; null when absent. */
    static String parameter(String value, String name) {
        for (String part : value.split(";")) {
            String[] pair = part.trim().split("=", 2);
            if (pair.length == 2 && pair[0].trim().equalsIgnoreCase(name)) {
                return pair[1].trim().toLowerCase(Locale.ROOT);
            }
        }
        return null;
    }

    private static boolean hasTag(List<String> values, String tag) {
        return tags(values).stream().anyMatch(tag::equalsIgnoreCase);
    }

    /** The option tags of every value of a Supported or Require header, in order, without {@code tag}. */
    private static List<String> tagsWithout(List<String> values, String tag) {
        List<String> tags = tags(values);
        tags.removeIf(tag::equalsIgnoreCase);
        return tags;
    }

    private static List<String> tags(List<String> values) {
        List<String> tags = new ArrayList<>();
        for (String value : values) {
            for (String token : value.split(",")) {
                String trimmed = token.trim();
                if (!trimmed.isEmpty()) {
                    tags.add(trimmed);
                }
            }
        }
        return tags;
    }
}
