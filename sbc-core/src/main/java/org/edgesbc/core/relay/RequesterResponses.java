package org.edgesbc.core.relay;

import java.net.InetAddress;
import javax.sip.message.Request;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * The far side's responses on their way back to the requester of a relayed request: rebuilt from the requester's own
 * header values kept in {@link RelayedRequest} (its Vias, Call-ID, CSeq, From and To), with the SBC's Contact and
 * To-tags, an answer's SDP anchored, and what a response tells the session timers and the re-INVITE guard noted.
 * Sent through the requester's server transaction; the far side's identifiers never reach the requester.
 */
final class RequesterResponses {
    private final ShardLoop loop;
    private final TransactionLayer transactions;
    private final TopologyHiding topology;
    private final SipIdentifiers ids;
    private final MediaAnchor media;
    private final CallLifecycle calls;
    private final SessionTimer sessionTimers;
    private final ReInviteGuard reInvites;
    private final RedirectHandler redirects;
    private final RelayMetrics metrics;
    private final RateLimitedLog log;

    RequesterResponses(ShardLoop loop, TransactionLayer transactions, TopologyHiding topology, SipIdentifiers ids,
            MediaAnchor media, CallLifecycle calls, SessionTimer sessionTimers, ReInviteGuard reInvites,
            RedirectHandler redirects, RelayMetrics metrics, RateLimitedLog log) {
        this.loop = loop;
        this.transactions = transactions;
        this.topology = topology;
        this.ids = ids;
        this.media = media;
        this.calls = calls;
        this.sessionTimers = sessionTimers;
        this.reInvites = reInvites;
        this.redirects = redirects;
        this.metrics = metrics;
        this.log = log;
    }

    /**
     * Rebuilds the far side's response as the requester expects it and sends it back over the request's flow.
     * Returns the bytes sent, or null when nothing was sent.
     */
    byte[] relay(RelayedBranch branch, SipMessageView response, InetAddress source) {
        RelayedRequest relayed = branch.request;
        if (relayed == null || relayed.server.vias == null) {
            // No requester to answer, or its transaction kept only the 2xx it already has (see inviteAnswered).
            return null;
        }
        RelayDialog dialog = branch.dialog;
        byte[] body = null;
        if (dialog != null && branch.target != null) {
            MediaAnchor.Anchored anchored = media.anchor(dialog, DialogLayer.sideOf(dialog, branch.target), response, source,
                    calls::mediaTimedOut);
            body = anchored.body();
            if (DialogLayer.mediaRefusal(anchored.outcome()) != 0) {
                body = new byte[0];
                log.warn("answer-sdp", "shard {} removed an answer's SDP it could not anchor ({})", loop.index(),
                        anchored.outcome());
            }
        }
        ServerTransaction server = relayed.server;
        int status = response.statusCode();
        boolean inviteRetransmittedOk = Request.INVITE.equals(server.method) && status >= 200 && status < 300
                && server.lastStatus >= 200 && server.lastStatus < 300;
        if (server.finalSent() && !inviteRetransmittedOk) {
            return null;
        }
        boolean setUpEnds = relayed.timesSetUp && status >= 200 && !server.finalSent();
        if (dialog != null && branch.target != null && status >= 200 && status < 300) {
            sessionTimers.answered(dialog, branch.target, requesterLeg(relayed), relayed.timerOffer, response);
            sessionTimers.sessionSent(branch.target, relayed.offeredSdp);
        }
        byte[] sent = send(relayed, branch, response, body);
        if (sent != null && dialog != null && status >= 200 && status < 300) {
            sessionTimers.sessionSent(requesterLeg(relayed), body, response);
        }
        if (sent != null && dialog != null && status > 100 && status < 200) {
            reInvites.provisionalRelayed(relayed, requesterLeg(relayed), response, body);
        }
        metrics.responseRelayed(status);
        if (setUpEnds) {
            metrics.callSetUp(status < 300, System.nanoTime() - relayed.setUpSinceNanos);
        }
        return sent;
    }

    /**
     * Sends a response through the requester's server transaction: the requester's Via stack, Call-ID, From and To
     * replace the far side's, the SBC's Contact replaces the far side's, and a To-tag of the SBC's the far side's
     * ({@link #toTowardRequester}). Returns the bytes sent, or null when the response was dropped.
     *
     * @param body the body that goes out instead of the far side's (anchored SDP; empty to drop it), or null
     */
    byte[] send(RelayedRequest relayed, RelayedBranch branch, SipMessageView response,
            byte[] body) {
        String to = toTowardRequester(relayed, branch, response);
        if (to == null) {
            metrics.dropped(RelayDropReason.TOO_MANY_EARLY_DIALOGS);
            log.warn("early-dialogs", "shard {} dropped a {} from a far-side early dialog beyond the {} a call keeps",
                    loop.index(), response.statusCode(), DialogTags.MAX_EARLY_DIALOGS);
            return null;
        }
        ServerTransaction server = relayed.server;
        SipTransport transport = server.flow.transport();
        SipMessageWriter out = SipMessageWriter.edit(response)
                .lines(SipHeaderName.VIA, server.vias)
                .set(SipHeaderName.CALL_ID, relayed.callId)
                .set(SipHeaderName.CSEQ, relayed.cseq)
                .set(SipHeaderName.FROM, relayed.from)
                .set(SipHeaderName.TO, to)
                .body(body);
        if (body != null && body.length == 0) {
            out.remove(SipHeaderName.CONTENT_TYPE);
        }
        sessionTimers.towardRequester(out, response, requesterLeg(relayed));
        topology.replaceContact(out, response.hasHeader(SipHeaderName.CONTACT), transport);
        String redirectedTo = response.statusCode() / 100 == 3 ? redirects.relayedContacts(response, transport) : null;
        if (redirectedTo != null) {
            out.set(SipHeaderName.CONTACT, redirectedTo);
        }
        byte[] bytes = TopologyHiding.strip(out).toBytes();
        transactions.respond(server, bytes, response.statusCode());
        return bytes;
    }

    /**
     * The To a response carries toward its requester. A request that had a To-tag gets its own To back (RFC 3261
     * §8.2.6.2). Otherwise a far-side tag is never shown: an answer within a dialog carries the caller-side tag of
     * its far dialog ({@link DialogTags}), a failure whose far dialog is one too many a tag of its own, and the
     * answers to a request outside any dialog the one tag the SBC chose for them. Null for a provisional response
     * from one early dialog too many.
     */
    private String toTowardRequester(RelayedRequest relayed, RelayedBranch branch, SipMessageView response) {
        String farTag = response.to().tag();
        if (farTag == null || relayed.toAddress.tag() != null) {
            return relayed.to;
        }
        RelayDialog dialog = branch.dialog;
        if (dialog == null || branch.target == null || branch.target == dialog.a) {
            if (relayed.answerTag == null) {
                relayed.answerTag = ids.newTag();
            }
            return relayed.toAddress.withTag(relayed.answerTag);
        }
        String tag = dialog.tags.towardCaller(branch.target, farTag, ids::newTag);
        if (tag == null && response.statusCode() >= 300) {
            tag = ids.newTag();
        }
        return tag == null ? null : relayed.toAddress.withTag(tag);
    }

    /** The leg a relayed request came from: the one with the requester's Call-ID. */
    private static Leg requesterLeg(RelayedRequest relayed) {
        RelayDialog dialog = relayed.dialog;
        if (dialog == null) {
            return null;
        }
        if (dialog.a.callId.equals(relayed.callId)) {
            return dialog.a;
        }
        if (dialog.b.callId.equals(relayed.callId)) {
            return dialog.b;
        }
        if (dialog.branches != null) {
            for (Leg branch : dialog.branches) {
                if (branch.callId.equals(relayed.callId)) {
                    return branch;
                }
            }
        }
        return null;
    }
}
