package org.edgesbc.core.relay;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import javax.sip.message.Request;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.security.TollFraudService;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * Transfers across the SBC (RFC 3515 REFER, RFC 3891 Replaces, the flows of RFC 5589), relayed rather than
 * terminated: the REFER goes to the other leg like any in-dialog request, with the identifiers inside it made the
 * other side's.
 *
 * <ul>
 *   <li>A blind transfer's Refer-To becomes the SBC's own URI with the target's user part, so the transferee's
 *       INVITE comes back through the SBC and is routed, screened and fraud-checked like any call.</li>
 *   <li>An attended transfer's Refer-To carries {@code Replaces} naming the consultation dialog as the transferor
 *       sees it. When the far leg of that dialog lies on the transferee's side, the Refer-To becomes that leg's
 *       remote target with {@code Replaces} naming that leg (its Call-ID and tags): the transferee and the target
 *       meet on their own side (a PBX joins its two calls itself), and nothing of the transferor's side crosses.
 *       When that far leg is a phone's on a third side (the PBX transfers a carrier's caller to a remote phone it
 *       consulted), the transferee is sent to the SBC instead, with Replaces naming a stand-in for the phone's leg,
 *       and its INVITE goes on to the phone (see {@link #throughSbc}). A dialog the SBC does not relay, or a far
 *       leg out through another trunk, is refused.</li>
 *   <li>A blind transfer toward the PBX makes the PBX place a call: its target is checked against the toll-fraud
 *       rules as that call would be, and refused with 403 before the REFER reaches the PBX (an outside caller asking
 *       a PBX to transfer it to a premium number is the classic transfer fraud).</li>
 *   <li>Referred-By names the referrer at the SBC's host, or is RFC 3323's anonymous URI when the referrer asked
 *       for privacy and a zone on the way honours it; the NOTIFYs' {@code message/sipfrag} bodies are cut to
 *       their status line, which is all RFC 3515 §2.4.5 needs and carries nothing of the side that sent it.</li>
 *   <li>An INVITE with {@code Replaces}, or any initial request with {@code Target-Dialog} (RFC 4538), naming one
 *       of the SBC's legs in the sender's zone reaches the far leg's side naming the far leg by its Call-ID and
 *       tags; an unknown dialog is answered 481 (RFC 3891 §3, RFC 4538 §4).</li>
 *   <li>A REFER outside any dialog is refused with 403 (see {@link #refuseOutOfDialog}).</li>
 * </ul>
 * Owned by one relay shard; reads the shared {@link DialogIdentifierMap}.
 */
final class ReferHandler {
    static final SipHeaderName REFER_TO = SipHeaderName.of("Refer-To");
    static final SipHeaderName REFERRED_BY = SipHeaderName.of("Referred-By");
    private static final String REPLACES = "Replaces";
    private static final String TARGET_DIALOG = "Target-Dialog";
    /** The reason phrase of the 403 to a REFER outside a dialog. */
    static final String OUT_OF_DIALOG_REASON = "REFER outside a dialog not accepted";
    /** Longest Refer-To taken; longer ones are refused with 400. */
    private static final int MAX_REFER_TO_LENGTH = 2048;

    /** What becomes of a REFER: relayed with a new Refer-To, or refused with a status. */
    record Rewrite(String referTo, String dialled, int refusal) {
        static Rewrite refused(int status) {
            return new Rewrite(null, null, status);
        }
    }

    private final TopologyHiding topology;
    private final PeerDirectory peers;
    private final DialogIdentifierMap identifiers;
    private final TollFraudService fraud;
    private final AnswerWait answers;
    private final LocalResponses responses;
    private final TransactionLayer transactions;
    private final RelaySettings settings;
    private final InterconnectRules rules;
    private final org.edgesbc.core.RateLimitedLog log;
    private final int shardIndex;
    private final SipIdentifiers ids;
    private final long fraudWaitMillis;

    ReferHandler(ShardContext shard, PeerDirectory peers, DialogIdentifierMap identifiers, TollFraudService fraud,
            TransactionLayer transactions, LocalResponses responses, InterconnectRules rules) {
        this.topology = shard.topology();
        this.rules = rules;
        this.peers = peers;
        this.identifiers = identifiers;
        this.fraud = fraud;
        this.transactions = transactions;
        this.responses = responses;
        this.answers = new AnswerWait(shard, transactions, responses);
        this.settings = shard.settings();
        this.log = shard.log();
        this.shardIndex = shard.loop().index();
        this.ids = shard.ids();
        this.fraudWaitMillis = 8 * settings.t1().toMillis();
    }

    /**
     * Relays a REFER from leg {@code from} toward leg {@code to}: {@code relay} runs once its Refer-To and
     * Referred-By are rewritten in {@code out} (and its target passed the toll-fraud rules, where they apply);
     * otherwise the referrer is answered here.
     */
    void relay(InboundRequest inbound, RelayedRequest relayed, RelayDialog dialog, Leg from, Leg to,
            SipMessageWriter out, Runnable relay) {
        SipMessageView refer = inbound.view();
        Rewrite rewrite = rewrite(refer.header(REFER_TO), from, to);
        if (rewrite.refusal() != 0) {
            log.warn("refer-refused", "shard {} refused a REFER from zone {} with {}: its Refer-To names no "
                    + "target the other side can reach", shardIndex, from.zone, rewrite.refusal());
            refuse(inbound, relayed, rewrite.refusal());
            return;
        }
        out.set(REFER_TO, rewrite.referTo());
        String referredBy = refer.header(REFERRED_BY);
        if (referredBy != null) {
            out.set(REFERRED_BY, rules.hidesReferrer(refer, from.zone, to.zone)
                    ? InterconnectRules.anonymousNameAddr() : "<" + sbcUri(userOf(uriOf(referredBy)), to) + ">");
        }
        if (rewrite.dialled() == null || !to.zone.equals(settings.pbxZone())) {
            relay.run();
            return;
        }
        String account = userOf(uriOf(to == dialog.a ? to.callerAddress : to.calleeAddress));
        TollFraudService.CallAttempt attempt = new TollFraudService.CallAttempt(to.zone,
                inbound.in().flow().remote().getAddress(), account == null ? "" : account, rewrite.dialled());
        fraud.checkNewCall(attempt, answers.await(HandOff.TOLL_FRAUD_ANSWER, relayed, inbound, fraudWaitMillis,
                verdict -> release(verdict.fraud()), verdict -> {
                    // Only a question about the target: the PBX's own INVITE is counted against its caps.
                    release(verdict.fraud());
                    if (verdict.allowed()) {
                        relay.run();
                    } else {
                        log.warn("refer-fraud", "shard {} refused a transfer from zone {}: the target fails the "
                                + "toll-fraud rules of zone {}", shardIndex, from.zone, to.zone);
                        refuse(inbound, relayed, verdict.status() == 0 ? 403 : verdict.status());
                    }
                }));
    }

    /**
     * A REFER outside any dialog (RFC 3515 allows one) is refused with 403: its Refer-To names a target in the
     * referrer's own network and no dialog exists whose identifiers the SBC could map, so relaying it would hand
     * the referrer's hosts to the other side and have a call placed that no route or fraud rule of the referrer saw.
     */
    void refuseOutOfDialog(InboundRequest inbound) {
        log.warn("refer-out-of-dialog", "shard {} refused a REFER outside a dialog from zone {} with 403",
                shardIndex, inbound.zone());
        inbound.flow().send(responses.create(inbound, 403, OUT_OF_DIALOG_REASON));
    }

    private void release(org.edgesbc.policy.fraud.FraudGuard.Decision decision) {
        if (decision != null && decision.allowed()) {
            fraud.callEnded(decision);
        }
    }

    private void refuse(InboundRequest inbound, RelayedRequest relayed, int status) {
        transactions.respond(relayed.server, responses.create(inbound, status), status);
    }

    /** The Refer-To the other side gets (RFC 3515 §2.1), or why the REFER is refused. */
    Rewrite rewrite(String referTo, Leg from, Leg to) {
        if (referTo == null) {
            return Rewrite.refused(400);
        }
        if (referTo.length() > MAX_REFER_TO_LENGTH) {
            return Rewrite.refused(400);
        }
        String uri = uriOf(referTo);
        String scheme = schemeOf(uri);
        if (!"sip".equals(scheme) && !"sips".equals(scheme) && !"tel".equals(scheme)) {
            return Rewrite.refused(416);
        }
        int query = uri.indexOf('?');
        String user = userOf(query < 0 ? uri : uri.substring(0, query));
        String replacesText = query < 0 ? null : uriHeader(uri.substring(query + 1), REPLACES);
        if (replacesText == null) {
            if (user == null || user.isEmpty()) {
                return Rewrite.refused(400);
            }
            return new Rewrite("<" + sbcUri(user, to) + ">", user, 0);
        }
        String unescaped = ReplacesValue.unescape(replacesText);
        ReplacesValue replaces = unescaped == null ? null : ReplacesValue.parse(unescaped);
        if (replaces == null) {
            return Rewrite.refused(400);
        }
        DialogIdentifierMap.LegIdentity target = identifiers.partnerNamed(from.zone, replaces,
                ReplacesValue.Form.REPLACES);
        if (target == null || target.remoteTarget() == null) {
            return Rewrite.refused(target == null ? 481 : 403);
        }
        if (!target.zone().equals(to.zone)) {
            return throughSbc(replaces, user, target, to);
        }
        String targetUri = target.remoteTarget();
        int targetQuery = targetUri.indexOf('?');
        if (targetQuery >= 0) {
            targetUri = targetUri.substring(0, targetQuery);
        }
        String mapped = DialogIdentifierMap.onFarSide(replaces, ReplacesValue.Form.REPLACES, target).escaped();
        return new Rewrite("<" + targetUri + "?" + REPLACES + "=" + mapped + ">", null, 0);
    }

    /**
     * The Refer-To of an attended transfer whose consultation runs to a third side: the transferee cannot reach the
     * target there, so its INVITE comes to the SBC, with Replaces naming a stand-in for the consultation's far leg
     * ({@link DialogIdentifierMap#standIn}), and is relayed to that leg's user agent with Replaces naming the leg
     * ({@link #replacedPhoneLeg}). Only a phone's leg is reached so; a consultation out through another trunk is
     * refused: the transferee's carrier would be handing a call to another carrier that no route or toll-fraud rule
     * of either side saw.
     */
    private Rewrite throughSbc(ReplacesValue replaces, String user, DialogIdentifierMap.LegIdentity target, Leg to) {
        if (!peers.reachedOnOwnFlows(target.zone()) || target.flow() == null) {
            return Rewrite.refused(403);
        }
        DialogIdentifierMap.LegIdentity standIn = identifiers.standIn(to.zone, target, ids);
        if (standIn == null) {
            return Rewrite.refused(481);
        }
        // As the SBC, the recipient of the transferee's INVITE, will read it: to-tag its own, from-tag the other.
        String named = replaces.naming(standIn.callId(), ReplacesValue.Form.REPLACES, standIn.sbcTag(),
                standIn.agentTag()).escaped();
        return new Rewrite("<" + sbcUri(user == null || user.isEmpty() ? "transfer" : user, to) + "?" + REPLACES
                + "=" + named + ">", null, 0);
    }

    /**
     * What a {@code Replaces} or {@code Target-Dialog} header names, read once: the parsed value (null when
     * malformed) and the far leg of the dialog it names in the sender's zone (null when no confirmed dialog there
     * has those identifiers).
     */
    record DialogReference(String header, ReplacesValue.Form form, ReplacesValue named,
            DialogIdentifierMap.LegIdentity partner) { }

    /**
     * An initial INVITE's {@code Replaces}, read once for both routing ({@link #replacedPhoneLeg}) and rewriting
     * ({@link #mapDialogReferences}); null for any other request and an INVITE without one.
     */
    DialogReference replacesOf(SplicedRequest request, String fromZone) {
        return Request.INVITE.equals(request.method())
                ? reference(request, REPLACES, ReplacesValue.Form.REPLACES, fromZone) : null;
    }

    private DialogReference reference(SplicedRequest request, String name, ReplacesValue.Form form, String fromZone) {
        String value = request.value(name);
        if (value == null) {
            return null;
        }
        ReplacesValue named = ReplacesValue.parse(value, form);
        return new DialogReference(name, form, named,
                named == null ? null : identifiers.partnerNamed(fromZone, named, form));
    }

    /**
     * The leg of a phone that an initial INVITE's {@code Replaces} names, by the identifiers of a dialog in the
     * sender's zone (one of the SBC's legs there, or a stand-in handed out in a Refer-To): that INVITE goes to the
     * phone itself, whatever the sender's calls are routed to otherwise (RFC 3891 §3: only the user agent holding
     * the dialog can replace it). Null for any other INVITE.
     */
    DialogIdentifierMap.LegIdentity replacedPhoneLeg(DialogReference replaces) {
        DialogIdentifierMap.LegIdentity far = replaces == null ? null : replaces.partner();
        return far != null && far.flow() != null && far.remoteTarget() != null
                && peers.reachedOnOwnFlows(far.zone()) ? far : null;
    }

    /**
     * An initial INVITE's {@code Replaces} (as {@link #replacesOf} read it) and an initial request's
     * {@code Target-Dialog} made the far side's: 0 when there is none or each was mapped, else the status that
     * refuses the request (RFC 3891 §3, RFC 4538 §4: 481 for a dialog that does not exist on the side it goes to).
     */
    int mapDialogReferences(SplicedRequest request, DialogReference replaces, String fromZone, String toZone) {
        int refusal = replaces == null ? 0 : rewrite(request, replaces, toZone);
        DialogReference targetDialog = refusal != 0 ? null
                : reference(request, TARGET_DIALOG, ReplacesValue.Form.TARGET_DIALOG, fromZone);
        return targetDialog == null ? refusal : rewrite(request, targetDialog, toZone);
    }

    private int rewrite(SplicedRequest request, DialogReference reference, String toZone) {
        if (reference.named() == null) {
            return 400;
        }
        if (reference.partner() == null || !reference.partner().zone().equals(toZone)) {
            return 481;
        }
        request.removeHeader(reference.header());
        request.addHeader(reference.header(),
                DialogIdentifierMap.onFarSide(reference.named(), reference.form(), reference.partner()).text());
        return 0;
    }

    /**
     * A NOTIFY's {@code message/sipfrag} body (RFC 3420) cut to its status line, which is all the referrer needs
     * (RFC 3515 §2.4.5); null when the request carries none.
     */
    static byte[] progressOnly(SipMessageView notify) {
        String type = notify.header(SipHeaderName.CONTENT_TYPE);
        if (!Request.NOTIFY.equals(notify.method()) || type == null
                || !type.trim().toLowerCase(Locale.ROOT).startsWith("message/sipfrag")) {
            return null;
        }
        String body = new String(notify.body(), StandardCharsets.UTF_8);
        int end = body.indexOf('\n');
        String statusLine = (end < 0 ? body : body.substring(0, end)).trim();
        return (statusLine + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private String sbcUri(String user, Leg toward) {
        return topology.uriText(user == null || user.isEmpty() ? "sbc" : user,
                peers.flowToward(toward).transport());
    }

    /** The URI of a name-addr or addr-spec value: inside the angle brackets, else up to the first parameter. */
    static String uriOf(String value) {
        int open = value.indexOf('<');
        if (open >= 0) {
            int close = value.indexOf('>', open);
            return close < 0 ? value.substring(open + 1).trim() : value.substring(open + 1, close).trim();
        }
        String trimmed = value.trim();
        int semicolon = trimmed.indexOf(';');
        return semicolon < 0 ? trimmed : trimmed.substring(0, semicolon);
    }

    private static String schemeOf(String uri) {
        int colon = uri.indexOf(':');
        return colon < 0 ? null : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    /** The user part of a sip/sips URI, the number of a tel URI, or null. */
    static String userOf(String uri) {
        int colon = uri.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String rest = uri.substring(colon + 1);
        if ("tel".equals(schemeOf(uri))) {
            int end = indexOfAny(rest, ";?");
            return end < 0 ? rest : rest.substring(0, end);
        }
        int at = rest.indexOf('@');
        if (at < 0) {
            return null;
        }
        String user = rest.substring(0, at);
        int password = user.indexOf(':');
        return password < 0 ? user : user.substring(0, password);
    }

    /** The value of URI header {@code name} in {@code headers} ({@code hname=hvalue&...}), or null. */
    private static String uriHeader(String headers, String name) {
        for (String pair : headers.split("&")) {
            int equals = pair.indexOf('=');
            if (equals > 0 && pair.substring(0, equals).trim().equalsIgnoreCase(name)) {
                return pair.substring(equals + 1);
            }
        }
        return null;
    }

    private static int indexOfAny(String text, String characters) {
        for (int i = 0; i < text.length(); i++) {
            if (characters.indexOf(text.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
