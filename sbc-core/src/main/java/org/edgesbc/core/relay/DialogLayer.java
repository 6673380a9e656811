package org.edgesbc.core.relay;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.message.Request;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.security.TollFraudService;
import org.edgesbc.media.MediaSide;
import org.edgesbc.policy.fraud.FraudGuard;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.message.NameAddress;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * The B2BUA of one relay shard (RFC 3261 §12, §16.7 forking): each relayed dialog has two legs that never see each
 * other's Call-ID, tags ({@link DialogTags}), Vias, Contacts or hosts. Messages are read as {@link SipMessageView}s and written by splicing
 * ({@link SipMessageWriter}): requests are rewritten leg to leg, responses rebuilt for the requester
 * ({@link RequesterResponses}), SDP anchored on the way, forked INVITEs raced ({@link BranchOutcomes}), and
 * dialogs ended ({@link CallTeardown}: on both sides when the SBC must). Initial requests arrive with jain-sip-ri's
 * model as the policy and routing steps left them, and leave through the same writer once encoded. Transactions are the
 * {@link TransactionLayer}'s; what a call means beyond signalling is {@link CallLifecycle}'s.
 */
final class DialogLayer {
    /** Requests that create a dialog when answered with 2xx (or, for INVITE, a 1xx with a To-tag). */
    static final Set<String> DIALOG_CREATING = Set.of(Request.INVITE, Request.SUBSCRIBE, Request.REFER);
    /** RFC 3261 §12.2: requests whose Contact replaces the remote target. */
    private static final Set<String> TARGET_REFRESH =
            Set.of(Request.INVITE, Request.UPDATE, Request.SUBSCRIBE, Request.NOTIFY, Request.REFER);


    /**
     * Where an initial request goes: a zone's peer, or one binding of a registered phone.
     *
     * @param peer the configured peer, or null for a phone's binding
     */
    record Branch(String zone, SipFlow flow, URI requestUri, Address callee, RelaySettings.ZonePeer peer) { }

    private final ShardLoop loop;
    private final TransactionLayer transactions;
    private final DialogTable dialogs;
    private final PeerDirectory peers;
    private final TopologyHiding topology;
    private final SipIdentifiers ids;
    private final LocalResponses responses;
    private final MediaAnchor media;
    private final CallRecorder records;
    private final CallLifecycle calls;
    private final SbcRequests sbcRequests;
    private final DialogIdentifierMap identifiers;
    private final ReferHandler transfers;
    private final RedirectHandler redirects;
    private final ReInviteGuard reInvites = new ReInviteGuard(new java.util.SplittableRandom());
    private final ChallengeAnswering challenges;
    private final InterconnectRules rules;
    private final SessionTimer sessionTimers;
    private final CallFailover failover;
    private final BranchOutcomes outcomes;
    private final DialogKeepalive keepalive;
    private final CallTeardown teardown;
    private final RequesterResponses toRequester;
    private final RelayMetrics metrics;
    private final RateLimitedLog log;
    private final long transactionTimeoutMillis;

    DialogLayer(ShardContext shard, TransactionLayer transactions, DialogTable dialogs, PeerDirectory peers,
            LocalResponses responses, MediaAnchor media, CallRecorder records, TollFraudService fraud,
            DialogIdentifierMap identifiers, CallFailover failover, PeerAccounts accounts, InterconnectRules rules) {
        this.loop = shard.loop();
        this.transactions = transactions;
        this.dialogs = dialogs;
        this.peers = peers;
        this.topology = shard.topology();
        this.ids = shard.ids();
        this.responses = responses;
        this.media = media;
        this.records = records;
        this.calls = new CallLifecycle(loop, fraud, records, media, shard.settings().maxCallDuration(),
                this::tearDown);
        this.sbcRequests = new SbcRequests(peers, topology, ids);
        this.identifiers = identifiers;
        this.transfers = new ReferHandler(shard, peers, identifiers, fraud, transactions, responses, rules);
        this.redirects = new RedirectHandler(shard, peers, fraud);
        this.challenges = new ChallengeAnswering(transactions, accounts, shard.log());
        this.rules = rules;
        this.failover = failover;
        failover.sendAttemptsWith(this::forwardAttempt);
        this.metrics = shard.metrics();
        this.log = shard.log();
        this.sessionTimers = new SessionTimer(loop, peers, transactions, sbcRequests, topology, responses, metrics,
                log, this::tearDown);
        this.transactionTimeoutMillis = shard.settings().transactionTimeoutMillis();
        this.keepalive = new DialogKeepalive(loop, peers, transactions, sbcRequests, metrics, this::tearDown);
        this.teardown = new CallTeardown(this, loop, dialogs, peers, sbcRequests, sessionTimers, keepalive, calls,
                identifiers, log, transactionTimeoutMillis);
        this.toRequester = new RequesterResponses(loop, transactions, topology, ids, media, calls, sessionTimers,
                reInvites, redirects, metrics, log);
        this.outcomes = new BranchOutcomes(this, teardown, dialogs, transactions, failover, peers, sbcRequests);
    }

    // ------------------------------------------------------------------------------------ initial requests

    /**
     * Takes charge of an initial request: its server transaction absorbs retransmissions from now on, and an
     * INVITE's caller hears 100 Trying at once (RFC 3261 §16.2 step 10, §17.2.1).
     */
    RelayedRequest accept(InboundRequest request) {
        ServerTransaction server = transactions.createServer(request);
        RelayedRequest relayed = new RelayedRequest(server, request.view(), this);
        if (Request.INVITE.equals(request.method())) {
            relayed.timesSetUp = true;
            relayed.setUpSinceNanos = request.in().receivedNanos();
            transactions.respond(server, responses.create(request, 100), 100);
        }
        return relayed;
    }

    /** Answers an accepted request from the SBC itself (a refusal made by {@link LocalResponses}). */
    void refuse(RelayedRequest relayed, byte[] response, int status) {
        transactions.respond(relayed.server, response, status);
    }

    /**
     * Relays an accepted initial request on every branch; a dialog-creating one gets its dialog and legs first,
     * and its SDP anchored (488 or 503 to the caller when that fails).
     *
     * @param fraud the toll-fraud decision that let the call out, or null
     * @param identity for the call's record: the attestation it was signed with or the verstat the callee got
     * @param origId for the call's record: the origid of the PASSporT the SBC signed
     * @param account the authenticated phone user or the PBX account the call counts against, or null
     */
    void forwardInitial(InboundRequest inbound, SplicedRequest request, RelayedRequest relayed, List<Branch> branches,
            FraudGuard.Decision fraud, String identity, String origId, String account) {
        String method = request.method();
        // From the request, not the requester's saved view: the caller's identity may carry a verstat by now.
        Address callerB = rules.callerAddress(topology.sbcAddress(request.fromAddress()), request,
                inbound.zone(), branches.get(0).zone());
        String callerBText = callerB.toString();
        SipMessageView received = request.view();
        NameAddress from = new NameAddress(callerBText, callerB.getDisplayName(), callerB.getURI().toString(),
                received.from().parameters());
        List<Leg> legs = new ArrayList<>(branches.size());
        for (Branch branch : branches) {
            Leg leg = new Leg(branch.zone(), ids.newCallId(), callerBText, branch.callee().toString(), null,
                    branch.flow());
            leg.peer = branch.peer();
            leg.sbcTag = ids.newTag();
            legs.add(leg);
        }
        RelayDialog dialog = null;
        byte[] anchoredBody = null;
        if (DIALOG_CREATING.contains(method)) {
            Leg legA = new Leg(inbound.zone(), relayed.callId, received.from().address(), relayed.toAddress.address(),
                    contactUri(received), peers.initialFlowToward(inbound.in()));
            dialog = new RelayDialog(legA, legs.get(0), received.from().tag());
            if (legs.size() > 1) {
                dialog.branches = new ArrayList<>(legs);
            }
            dialog.fraud = fraud;
            dialog.identity = identity;
            dialog.origId = origId;
            dialog.account = account;
            if (Request.INVITE.equals(method)) {
                dialog.call = true;
                dialog.started = records.now();
                dialog.calling = TopologyHiding.userOf(request.fromAddress().getURI());
                dialog.called = TopologyHiding.userOf(request.requestUri());
                dialog.invite = relayed;
            }
            dialogs.add(dialog, legs);
            relayed.dialog = dialog;
            if (!sessionTimers.acceptOffer(inbound, relayed, dialog)) {
                teardown.endDialog(dialog, "sbc:session-timer-refused");
                return;
            }
            MediaAnchor.Anchored anchored = media.anchor(dialog, MediaSide.A, received, sourceOf(inbound.in()),
                    calls::mediaTimedOut);
            int refusal = mediaRefusal(anchored.outcome());
            if (refusal != 0) {
                refuse(relayed, responses.create(inbound, refusal), refusal);
                teardown.endDialog(dialog, "sbc:media-refused");
                return;
            }
            anchoredBody = anchored.body();
            relayed.offeredSdp = sessionTimers.offered(legs.get(0), anchoredBody, received);
        }
        for (int i = 0; i < branches.size(); i++) {
            Branch branch = branches.get(i);
            Leg leg = legs.get(i);
            // The request as received, with the steps' edits and this branch's addressing spliced in.
            SipMessageWriter out = request.writer()
                    .requestLine(method, branch.requestUri().toString())
                    .set(SipHeaderName.CALL_ID, leg.callId)
                    .set(SipHeaderName.TO, branch.callee() + received.to().parameters());
            SipMessageView encoded = received;
            if (request.edited() || relayed.attempts != null) {
                // What the layers below read (Supported, Require, Contact...) must carry the steps' edits, and a
                // serial fork's next attempt starts from this request as written.
                encoded = OwnMessages.read(out.set(SipHeaderName.FROM, from.untagged()).toBytes());
                out = SipMessageWriter.edit(encoded);
            }
            out.set(SipHeaderName.FROM, from.withTag(leg.sbcTag));
            if (anchoredBody != null) {
                out.body(anchoredBody);
            }
            if (dialog != null) {
                sessionTimers.towardLeg(out, encoded, leg);
            }
            if (relayed.attempts != null) {
                relayed.attempts.keep(encoded, anchoredBody);
            }
            forward(out, encoded, relayed, dialog, dialog == null ? null : leg, branch.zone(), branch.flow());
        }
    }

    // ---------------------------------------------------------------------------------- in-dialog requests

    void forwardInDialog(InboundRequest inbound) {
        SipMessageView request = inbound.view();
        String callId = request.callId();
        RelayDialog dialog = dialogs.find(inbound.zone(), callId);
        Leg from = dialog == null ? null : dialog.legOf(inbound.zone(), callId);
        if (from == null || dialog.state == RelayDialog.State.TERMINATED) {
            responses.respond(inbound, 481);
            return;
        }
        RelayDialog.Toward toward = dialog.toward(from, request.from().tag(), request.to().tag(), ids::newTag);
        if (toward == null) {
            responses.respond(inbound, 481);
            return;
        }
        Leg to = toward.leg();
        if (toward.remoteTarget() == null && peers.remoteTargetOf(to) == null) {
            // An early dialog whose phone answered without a Contact (RFC 3261 §12.1.1 requires one) has no target.
            responses.respond(inbound, 481);
            return;
        }
        int glare = reInvites.refusal(from, to, request);
        if (glare != 0) {
            // Answered under a transaction of its own, which absorbs the ACK of this failure (RFC 3261 §17.2.1).
            RelayedRequest refused = new RelayedRequest(transactions.createServer(inbound), request, this);
            refuse(refused, responses.create(inbound, glare, reInvites.headersOf(glare)), glare);
            return;
        }
        MediaAnchor.Anchored anchored = media.anchor(dialog, sideOf(dialog, from), request, sourceOf(inbound.in()),
                calls::mediaTimedOut);
        int refusal = mediaRefusal(anchored.outcome());
        if (refusal != 0) {
            responses.respond(inbound, refusal);
            return;
        }
        SessionTimer.Offer offer = sessionTimers.offer(request);
        byte[] timerRefusal = sessionTimers.refusal(inbound, offer);
        if (timerRefusal != null) {
            inbound.flow().send(timerRefusal);
            return;
        }
        ServerTransaction server = transactions.createServer(inbound);
        RelayedRequest relayed = new RelayedRequest(server, request, this);
        relayed.dialog = dialog;
        if (Request.BYE.equals(request.method()) && dialog.hungUp == null) {
            dialog.hungUp = records.now();
        }
        reInvites.relayed(from, to, request, relayed);
        relayed.timerOffer = offer;
        relayed.offeredSdp = sessionTimers.offered(to, anchored.body(), request);
        if (TARGET_REFRESH.contains(request.method())) {
            String target = contactUri(request);
            if (target != null) {
                from.remoteTarget = target;
            }
        }
        SipMessageWriter out = rewriteInDialog(request, dialog, from, toward).body(anchored.body());
        sessionTimers.towardLeg(out, request, to);
        byte[] progress = ReferHandler.progressOnly(request);
        if (progress != null) {
            out.body(progress);
        }
        if (Request.REFER.equals(request.method())) {
            transfers.relay(inbound, relayed, dialog, from, to, out,
                    () -> forward(out, request, relayed, dialog, to, to.zone, peers.flowToward(to)));
            return;
        }
        forward(out, request, relayed, dialog, to, to.zone, peers.flowToward(to));
    }

    /** Transfers across the SBC: REFER and the Replaces of an initial INVITE. */
    ReferHandler transfers() {
        return transfers;
    }

    /** The ACK for a 2xx is end to end (RFC 3261 §13.2.2.4): relayed statelessly, under a Via of its own. */
    void forwardAck(InboundRequest inbound) {
        SipMessageView ack = inbound.view();
        String callId = ack.callId();
        RelayDialog dialog = dialogs.find(inbound.zone(), callId);
        Leg from = dialog == null ? null : dialog.legOf(inbound.zone(), callId);
        // Only a confirmed dialog has a 2xx to acknowledge. An ACK in a ringing one answers a final response the
        // transaction layer did not send: the stateless 503 with which an overloaded SBC sheds an INVITE's
        // retransmission, say. Relayed, it would reach a callee that has not answered (for a phone, a leg that has
        // no remote target yet).
        RelayDialog.Toward toward = from == null || dialog.state != RelayDialog.State.CONFIRMED ? null
                : dialog.toward(from, ack.from().tag(), ack.to().tag(), ids::newTag);
        if (toward == null) {
            metrics.dropped(RelayDropReason.NO_DIALOG);
            return;
        }
        teardown.ackArrived(dialog);
        Leg to = toward.leg();
        MediaAnchor.Anchored anchored = media.anchor(dialog, sideOf(dialog, from), ack, sourceOf(inbound.in()),
                calls::mediaTimedOut);
        SipMessageWriter out = rewriteInDialog(ack, dialog, from, toward).body(anchored.body());
        if (mediaRefusal(anchored.outcome()) != 0) {
            // An ACK cannot be refused; relaying its SDP unanchored would leak the sender's media address.
            out.body(new byte[0]).remove(SipHeaderName.CONTENT_TYPE);
            log.warn("ack-sdp", "shard {} removed an ACK's SDP it could not anchor ({})", loop.index(),
                    anchored.outcome());
        } else {
            sessionTimers.sessionSent(to, anchored.body(), ack);
        }
        SipFlow flow = peers.flowToward(to);
        decrementMaxForwards(out, ack);
        out.lines(SipHeaderName.VIA, "Via: " + topology.via(flow.transport(), ids.newBranch()) + "\r\n");
        topology.replaceContact(out, ack.hasHeader(SipHeaderName.CONTACT), flow.transport());
        flow.send(TopologyHiding.strip(out).toBytes());
        metrics.requestRelayed(Request.ACK);
    }

    /**
     * Makes an in-dialog request from one leg read as the other leg's dialog expects it: that leg's Call-ID, From
     * and To addresses and tags. A phone's credentials for the SBC's realm, which phones also send on ACK, BYE and
     * re-INVITE, stay here.
     */
    private SipMessageWriter rewriteInDialog(SipMessageView request, RelayDialog dialog, Leg from,
            RelayDialog.Toward toward) {
        SipMessageWriter out = SipMessageWriter.edit(request);
        if (peers.isAccessZone(from.zone)) {
            out.remove(ChallengeAnswering.AUTHORIZATION, ChallengeAnswering.PROXY_AUTHORIZATION);
        }
        Leg to = toward.leg();
        boolean towardCallee = to != dialog.a;
        CSeqMapping.toward(out, request, to);
        String target = toward.remoteTarget() != null ? toward.remoteTarget() : peers.remoteTargetOf(to);
        return out.requestLine(request.method(), target)
                .set(SipHeaderName.CALL_ID, to.callId)
                .set(SipHeaderName.FROM, withTag(towardCallee ? to.callerAddress : to.calleeAddress, request.from(),
                        toward.fromTag()))
                .set(SipHeaderName.TO, withTag(towardCallee ? to.calleeAddress : to.callerAddress, request.to(),
                        toward.toTag()));
    }

    /** {@code address} with the header parameters of {@code original}, its tag made {@code tag} (none if null). */
    private static String withTag(String address, NameAddress original, String tag) {
        NameAddress rewritten = new NameAddress(address, null, null, original.parameters());
        return tag == null ? rewritten.untagged() : rewritten.withTag(tag);
    }

    /**
     * Sends a request toward the other side under a new client transaction: the SBC's Via replaces the whole stack
     * (the requester's is kept in the server transaction), the SBC's Contact replaces the requester's.
     */
    void forward(SipMessageWriter out, SipMessageView request, RelayedRequest relayed, RelayDialog dialog,
            Leg target, String targetZone, SipFlow flow) {
        decrementMaxForwards(out, request);
        topology.replaceContact(out, request.hasHeader(SipHeaderName.CONTACT), flow.transport());
        TopologyHiding.strip(out);
        RelayedBranch branch = new RelayedBranch(relayed, dialog, target, this);
        if (relayed != null) {
            relayed.branches.add(branch);
            if (Request.INVITE.equals(request.method())) {
                relayed.unanswered++;
            }
        }
        if (target != null) {
            target.highestCSeqSent = Math.max(target.highestCSeqSent, CSeqMapping.numberToward(request, target));
        }
        branch.client = transactions.send(out, flow, targetZone, branch, true);
        sessionTimers.sent(branch);
        challenges.sent(branch, targetZone);
        failover.attemptSent(branch);
    }

    /**
     * The next attempt of an INVITE whose call moved on (serial forking): the dialog's B leg is replaced by a new
     * one toward the branch (its own Call-ID), and the first attempt's request goes out again, rewritten for it.
     */
    private void forwardAttempt(RelayedRequest relayed, CallAttempts attempts, Branch branch) {
        RelayDialog dialog = relayed.dialog;
        Leg leg = new Leg(branch.zone(), ids.newCallId(), dialog.b.callerAddress, branch.callee().toString(), null,
                branch.flow());
        leg.peer = branch.peer();
        leg.sbcTag = ids.newTag();
        dialogs.removeLeg(dialog, dialog.b);
        dialog.tags.legEnded(dialog.b);
        dialog.b = leg;
        dialogs.addLeg(dialog, leg);
        SipMessageWriter out = SipMessageWriter.edit(attempts.template)
                .requestLine(Request.INVITE, branch.requestUri().toString())
                .set(SipHeaderName.CALL_ID, leg.callId)
                .set(SipHeaderName.FROM, attempts.template.from().withTag(leg.sbcTag))
                .set(SipHeaderName.TO, leg.calleeAddress);
        if (attempts.body != null) {
            out.body(attempts.body);
        }
        sessionTimers.towardLeg(out, attempts.template, leg);
        forward(out, attempts.template, relayed, dialog, leg, branch.zone(), branch.flow());
    }

    /** RFC 3261 §16.6 step 3; a request reaching here has Max-Forwards above zero (the gate adds one if missing). */
    private static void decrementMaxForwards(SipMessageWriter out, SipMessageView request) {
        int maxForwards = request.maxForwards();
        out.set(SipHeaderName.MAX_FORWARDS, Integer.toString(maxForwards < 0 ? 70 : Math.max(0, maxForwards - 1)));
    }

    /** RFC 3261 §9.2, the B2BUA's part: the caller's CANCEL goes on to every branch still ringing. */
    void cancelled(RelayedRequest relayed) {
        ServerTransaction server = relayed.server;
        if (server.finalSent() || relayed.cancelled) {
            return;
        }
        relayed.cancelled = true;
        for (RelayedBranch branch : relayed.branches) {
            transactions.cancelWhenProceeding(branch.client);
        }
        // If the far side never confirms the cancellation, the caller still gets its 487 (RFC 3261 §9.1).
        server.retransmitTimer = loop.schedule("cancel guard", () -> {
            for (RelayedBranch branch : relayed.branches) {
                SipMessageView sent = branch.client.request;
                if (!server.finalSent() && sent != null) {
                    SipMessageView terminated = responses.asIfFromFarSide(sent, 487);
                    toRequester.send(relayed, branch, terminated, null);
                }
            }
        }, transactionTimeoutMillis);
    }

    // ------------------------------------------------------------------------------------------- responses

    void provisional(RelayedBranch branch, ClientTransaction client, SipMessageView response, InetAddress source) {
        if (Request.CANCEL.equals(client.method)) {
            return;
        }
        if (Request.INVITE.equals(client.method)) {
            if (branch.givenUp) {
                return;
            }
            branch.relayedProvisional = true;
            noteCallee(branch, response, false);
        }
        toRequester.relay(branch, response, source);
    }

    void finalResponse(RelayedBranch branch, ClientTransaction client, SipMessageView response, InetAddress source) {
        int status = response.statusCode();
        if (Request.CANCEL.equals(client.method)) {
            // The CANCEL's own answer ends nothing: the INVITE's 487 (or the cancel guard) does.
            return;
        }
        if (challenges.answered(branch, client, response)) {
            return;
        }
        branch.sent = null;
        if (Request.INVITE.equals(client.method)) {
            reInvites.ended(branch);
            if (status == 422 && sessionTimers.retryTooBrief(branch, response)) {
                return;
            }
            branch.sentInvite = null;
            // The transaction lets go of its request once this returns; a redirect followed later still needs it.
            SipMessageView sent = client.request;
            if (branch.givenUp && status < 300) {
                // An attempt the call moved on from answered after all: it does not take the call.
                outcomes.hangUpAnsweredLeg(branch, response, false);
            } else if (status < 300) {
                inviteAnswered(branch, response, source);
            } else if (status < 400 && redirects.recurses(branch, response, user -> recurse(branch, sent, user),
                    refusal -> outcomes.inviteBranchEnded(branch, responses.asIfFromFarSide(sent, refusal), null))) {
                return;
            } else {
                outcomes.inviteBranchEnded(branch, response, source);
            }
            return;
        }
        if (Request.UPDATE.equals(client.method)) {
            reInvites.ended(branch);
        }
        RelayDialog dialog = branch.dialog;
        if (dialog != null && status < 300 && !Request.BYE.equals(client.method)) {
            noteCallee(branch, response, DIALOG_CREATING.contains(client.method));
        }
        toRequester.relay(branch, response, source);
        if (dialog != null && Request.BYE.equals(client.method)) {
            teardown.endDialog(dialog, byeSender(dialog, branch));
        } else if (dialog != null && status >= 300 && dialog.state == RelayDialog.State.EARLY
                && DIALOG_CREATING.contains(client.method)) {
            teardown.endDialog(dialog, "callee");
        }
    }

    private void inviteAnswered(RelayedBranch branch, SipMessageView response, InetAddress source) {
        RelayDialog dialog = branch.dialog;
        if (dialog != null && dialog.state == RelayDialog.State.CONFIRMED && branch.target != dialog.b
                && branch.target != dialog.a) {
            // A second device answered a forked call another one took: it is hung up.
            outcomes.hangUpAnsweredLeg(branch, response, false);
            return;
        }
        if (dialog != null && dialog.branches != null) {
            outcomes.chooseBranch(dialog, branch);
        }
        noteCallee(branch, response, true);
        RelayedRequest relayed = branch.request;
        if (relayed != null && relayed.server.finalSent() && relayed.server.lastStatus >= 300) {
            // The caller already has its final answer (a cancelled call answered late): hang the far side up.
            outcomes.hangUpAnsweredLeg(branch, response, true);
            return;
        }
        byte[] answer = toRequester.relay(branch, response, source);
        if (answer != null && relayed != null) {
            // The far side's retransmissions of this 2xx get these bytes again (RFC 6026 Accepted state); the
            // requester's Vias and the rest of the call need not stay reachable for the 64*T1 of that wait.
            transactions.keepAnswer(branch.client, answer, relayed.server.flow);
            relayed.server.release();
        }
    }

    void timedOut(RelayedBranch branch, ClientTransaction client) {
        boolean invite = Request.INVITE.equals(client.method);
        RelayedRequest relayed = branch.request;
        RelayDialog dialog = branch.dialog;
        if (invite || Request.UPDATE.equals(client.method)) {
            reInvites.ended(branch);
        }
        if (invite && relayed != null) {
            outcomes.inviteBranchEnded(branch, responses.asIfFromFarSide(client.request, relayed.cancelled ? 487 : 408),
                    null);
        } else if (relayed != null && !Request.CANCEL.equals(client.method) && !relayed.server.finalSent()) {
            SipMessageView timeout = responses.asIfFromFarSide(client.request, 408);
            toRequester.send(relayed, branch, timeout, null);
        }
        if (dialog != null && !invite && (Request.BYE.equals(client.method)
                || dialog.state == RelayDialog.State.EARLY)) {
            if (dialog.finalStatus == 0 && dialog.state == RelayDialog.State.EARLY) {
                dialog.finalStatus = 408;
            }
            // A hang-up the far side never confirmed is still its sender's: the far side's loss, not the SBC's call.
            teardown.endDialog(dialog, Request.BYE.equals(client.method) ? byeSender(dialog, branch) : "sbc:timeout");
        }
    }

    /** Who hung up with the BYE {@code branch} relays: the side it came from. */
    private static String byeSender(RelayDialog dialog, RelayedBranch branch) {
        return branch.target == dialog.b ? "caller" : "callee";
    }

    /** Records what the far side's answer tells about its end of the dialog: its tag and remote target. */
    private void noteCallee(RelayedBranch branch, SipMessageView response, boolean confirms) {
        RelayDialog dialog = branch.dialog;
        if (dialog == null) {
            return;
        }
        Leg leg = branch.target;
        String tag = response.to().tag();
        if (tag != null && leg != dialog.a) {
            leg.calleeTag = tag;
        }
        String target = contactUri(response);
        if (target != null) {
            leg.remoteTarget = target;
        }
        if (target != null && tag != null && leg != dialog.a && dialog.state == RelayDialog.State.EARLY
                && dialog.tags.towardCaller(leg, tag, ids::newTag) != null) {
            dialog.tags.targetOf(leg, tag, target);
        }
        if (confirms && dialog.state == RelayDialog.State.EARLY) {
            dialog.a.sbcTag = dialog.tags.confirmed(leg, tag, ids::newTag);
            dialog.state = RelayDialog.State.CONFIRMED;
            // Answered: nothing to cancel any more, and an SBC's cancel that lost the race to the answer ends nothing.
            dialog.invite = null;
            dialog.cancelledBySbc = null;
            dialog.finalStatus = response.statusCode();
            calls.answered(dialog);
            keepalive.answered(dialog);
            identifiers.confirmed(dialog);
            if (dialog.call) {
                teardown.awaitAck(dialog);
            }
        }
    }


    /**
     * Follows a redirect (RFC 3261 §8.1.3.4): the INVITE that was redirected goes out again on the same leg, to the
     * zone's peer for {@code user}, as a new transaction with the next CSeq.
     */
    private void recurse(RelayedBranch redirected, SipMessageView sent, String user) {
        RelayedRequest relayed = redirected.request;
        Leg leg = redirected.target;
        relayed.branches.remove(redirected);
        relayed.unanswered--;
        leg.calleeTag = null;
        leg.remoteTarget = null;
        SipMessageWriter out = SipMessageWriter.edit(sent)
                .requestLine(Request.INVITE, PeerDirectory.peerUri(user, peers.peer(leg.zone)).toString())
                .set(SipHeaderName.CSEQ, (sent.cseqNumber() + 1) + " " + Request.INVITE);
        // The caller's ACK and later requests on this leg follow the new INVITE's CSeq (see ChallengeAnswering).
        leg.cseqOffset++;
        forward(out, sent, relayed, redirected.dialog, leg, leg.zone, peers.flowToward(leg));
    }

    /** Sends the far side's response back to the requester ({@link RequesterResponses#relay}). */
    byte[] relayResponse(RelayedBranch branch, SipMessageView response, InetAddress source) {
        return toRequester.relay(branch, response, source);
    }

    // ------------------------------------------------------------------------------------------ ending calls

    /** Ends a confirmed dialog from the middle ({@link CallTeardown#tearDown}). */
    void tearDown(RelayDialog dialog, String reason) {
        teardown.tearDown(dialog, reason);
    }

    /** Asks these answered calls once whether their dialogs still exist ({@link DialogKeepalive#checkAfterLoss}). */
    void checkAfterLoss(List<RelayDialog> answered) {
        keepalive.checkAfterLoss(answered);
    }

    /** Ends a ringing call from the middle ({@link CallTeardown#cancelRinging}). */
    boolean cancelRinging(RelayDialog dialog, String reason) {
        return teardown.cancelRinging(dialog, reason);
    }

    // ----------------------------------------------------------------------------------------------- helpers


    /** The URI of a message's first Contact, or null when it has none (or only a malformed one). */
    static String contactUri(SipMessageView message) {
        List<NameAddress> contacts = message.contacts();
        return contacts == null || contacts.isEmpty() || contacts.get(0).isWildcard() ? null : contacts.get(0).uri();
    }

    /** The status refusing a request whose SDP could not be anchored, or 0 when nothing stands in the way. */
    static int mediaRefusal(MediaAnchor.Outcome outcome) {
        return switch (outcome) {
            case BAD_SDP -> 488;
            case NO_PORTS -> 503;
            default -> 0;
        };
    }

    private static InetAddress sourceOf(InboundSipMessage in) {
        return in.flow().remote().getAddress();
    }

    static MediaSide sideOf(RelayDialog dialog, Leg leg) {
        return leg == dialog.a ? MediaSide.A : MediaSide.B;
    }
}
