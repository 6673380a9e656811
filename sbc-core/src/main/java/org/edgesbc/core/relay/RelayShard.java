package org.edgesbc.core.relay;

import gov.nist.javax.sip.address.SipUri;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sip.message.Request;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.identity.CallerIdentityService;
import org.edgesbc.core.registrar.Binding;
import org.edgesbc.core.security.TollFraudService;
import org.edgesbc.core.security.Verdict;
import org.edgesbc.policy.fraud.FraudGuard;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipParseException;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * One relay thread and everything it owns: the dialogs whose Call-ID hashes to it, their transactions and timers.
 * It reads a message once into a {@link SipMessageView} (retransmissions, responses and in-dialog requests never
 * meet another parser; an initial request is also parsed by jain-sip-ri for the steps that need its model), and
 * runs the steps an incoming request goes through in the order written in
 * {@link #onRequest} and {@link #onInitialRequest}; each step is a named collaborator: the {@link TransactionLayer}
 * (RFC 3261 §17), the {@link DialogLayer} (the B2BUA), {@link RequestScreening} (the edge policy), the
 * {@link CallRouter}, {@link PhoneRegistrations}, the {@link TollFraudService}, the {@link CallerIdentityStep} and
 * the zones' {@link InterconnectRules}. Nothing here is touched by any
 * other thread: the engine hands messages over, other threads hand work in through {@link ShardLoop}.
 */
final class RelayShard {
    /** Messages that may wait for the shard: about a second of work at full speed; more only adds latency. */
    static final int MAX_QUEUED_MESSAGES = 65_536;

    private final ShardContext shard;
    private final String callIdPrefix;
    private final TransactionLayer transactions;
    private final DialogTable dialogTable;
    private final DialogLayer dialogs;
    private final LocalResponses responses;
    private final RequestScreening screening;
    private final CallRouter router;
    private final InterconnectRules rules;
    private final TollFraudService fraud;
    private final CallerIdentityStep callerIdentity;
    private final PeerDirectory peers;
    private final CallRecorder records;
    private final NewCallGate newCalls;
    private final ShardCalls calls;
    private final AnswerWait answers;
    private final RelayMetrics metrics;
    private final RelayTiming timing;
    private final ShardBacklog backlog;
    private final long tollFraudWaitMillis;
    private final long callerIdentityWaitMillis;
    private final long peerLocationWaitMillis;
    private PhoneRegistrations phones = PhoneRegistrations.NONE;
    private OtherNodes nodes = OtherNodes.NONE;
    /** Messages handed over and not yet read: a queued task holds one message or many, the bound is in messages. */
    private final AtomicInteger queued = new AtomicInteger();
    private volatile int transactionGauge;
    private volatile int dialogGauge;

    RelayShard(ShardContext shard, String callIdPrefix, TransactionLayer transactions,
            DialogTable dialogTable, DialogLayer dialogs, LocalResponses responses, RequestScreening screening,
            CallRouter router, InterconnectRules rules, TollFraudService fraud, CallerIdentityStep callerIdentity,
            PeerDirectory peers, CallRecorder records, NewCallGate newCalls, RelayTiming timing) {
        this.shard = shard;
        this.callIdPrefix = callIdPrefix;
        this.transactions = transactions;
        this.dialogTable = dialogTable;
        this.dialogs = dialogs;
        this.responses = responses;
        this.screening = screening;
        this.router = router;
        this.rules = rules;
        this.fraud = fraud;
        this.callerIdentity = callerIdentity;
        this.peers = peers;
        this.records = records;
        this.newCalls = newCalls;
        this.answers = new AnswerWait(shard, transactions, responses);
        this.calls = new ShardCalls(dialogTable, dialogs, records, shard.settings().zones().keySet());
        this.metrics = shard.metrics();
        this.timing = timing;
        long t1Millis = shard.settings().t1().toMillis();
        this.backlog = new ShardBacklog(TimeUnit.MILLISECONDS.toNanos(t1Millis), System.nanoTime());
        // The caller's INVITE waits at most this long for the toll-fraud verdict before it is refused with 503.
        this.tollFraudWaitMillis = 8 * t1Millis;
        // A verdict may wait for a certificate fetch, bounded by its own timeout; the guard only catches a lost one.
        this.callerIdentityWaitMillis = callerIdentity.longestWait().toMillis() + 8 * t1Millis;
        // A lookup is bounded by its queries' timeouts; the guard only catches a lost answer.
        this.peerLocationWaitMillis = shard.settings().routing().locateWait().toMillis() + 8 * t1Millis;
        shard.loop().afterEachTask(this::refreshGauges);
    }

    ShardContext context() {
        return shard;
    }

    /**
     * Set once by the engine, before the first message, where phones register at the SBC; {@code cluster} says
     * which other nodes hold the phones this node lacks.
     */
    void attachPhones(PhoneRegistrations registrations, OtherNodes cluster) {
        this.phones = registrations;
        this.nodes = cluster;
    }

    /** Whether new dialogs for this shard are refused before they reach it (any thread). */
    boolean shedding() {
        return backlog.shedding(System.nanoTime());
    }

    /** The operator's view of this shard's calls; to be used on the shard's thread only. */
    ShardCalls calls() {
        return calls;
    }

    int transactions() {
        return transactionGauge;
    }

    int dialogs() {
        return dialogGauge;
    }

    /**
     * Whether {@code messages} more fit in the shard's queue; if they do they are counted in it until read, so the
     * caller must hand them over. Any thread.
     */
    boolean admit(int messages) {
        if (queued.addAndGet(messages) > MAX_QUEUED_MESSAGES) {
            withdraw(messages);
            return false;
        }
        return true;
    }

    /** {@code messages} admitted could not be handed over after all. */
    void withdraw(int messages) {
        queued.addAndGet(-messages);
    }

    /**
     * Runs {@code task}, the reading of {@code messages} just admitted, on the calling thread now if the shard is
     * free to (see {@link ShardLoop#runHere}) and has no message waiting before them; false otherwise.
     */
    boolean runHere(Runnable task, int messages) {
        return shard.loop().runHere(() -> queued.get() == messages, task);
    }

    /** The work of one message the engine hands over, guarded, to run on the shard's thread. */
    Runnable task(InboundSipMessage in) {
        return shard.loop().guarded("message", () -> read(in));
    }

    /** The first {@code count} of {@code ins}, read in order; one failing does not keep the others from being read. */
    Runnable task(InboundSipMessage[] ins, int count) {
        return () -> {
            for (int i = 0; i < count; i++) {
                InboundSipMessage in = ins[i];
                shard.loop().runGuarded("message", () -> read(in));
            }
        };
    }

    private void read(InboundSipMessage in) {
        queued.decrementAndGet();
        timing.reading(in.receivedNanos());
        try {
            handle(in);
        } finally {
            timing.done();
        }
    }

    private void handle(InboundSipMessage in) {
        long now = System.nanoTime();
        ShardBacklog.Verdict verdict = backlog.read(now - in.receivedNanos(), now);
        if (verdict == ShardBacklog.Verdict.DROP_STALE) {
            metrics.dropped(RelayDropReason.STALE);
            return;
        }
        SipMessageView message;
        try {
            message = SipMessageView.parse(in.bytes(), in.headers());
        } catch (SipParseException e) {
            parseError(in, e);
            return;
        }
        if (message.isRequest()) {
            onRequest(new InboundRequest(in, message), verdict == ShardBacklog.Verdict.SERVE_BUT_REFUSE_NEW_CALLS);
        } else {
            transactions.onResponse(in.zone(), message, in.flow().remote().getAddress());
        }
    }

    private void parseError(InboundSipMessage in, SipParseException e) {
        metrics.dropped(RelayDropReason.PARSE_ERROR);
        shard.log().warn("parse-error", "shard {} dropped unparseable {} from zone {}: {}",
                shard.loop().index(), in.method(), in.zone(), e.getMessage());
    }

    // ------------------------------------------------------------------------------------------- the steps

    private void onRequest(InboundRequest in, boolean behind) {
        SipMessageView request = in.view();
        String method = request.method();
        if (Request.ACK.equals(method)) {
            if (!transactions.absorbAck(in.zone(), request)) {
                dialogs.forwardAck(in);
            }
            return;
        }
        if (Request.CANCEL.equals(method)) {
            onCancel(in);
            return;
        }
        if (transactions.absorbRetransmission(in.zone(), request)) {
            return;
        }
        if (request.to().tag() == null) {
            SplicedRequest initial;
            try {
                initial = SplicedRequest.of(request);
            } catch (SipParseException e) {
                parseError(in.in(), e);
                return;
            }
            onInitialRequest(in, initial, behind);
            return;
        }
        if (request.maxForwards() == 0) {
            responses.respond(in, 483);
            return;
        }
        dialogs.forwardInDialog(in);
    }

    private void onInitialRequest(InboundRequest in, SplicedRequest request, boolean behind) {
        String method = request.method();
        boolean toSbc = Request.OPTIONS.equals(method) && addressedToSbc(request);
        Verdict verdict = screening.screen(in, request, toSbc);
        if (verdict == null) {
            return;
        }
        if (toSbc) {
            responses.answerOptions(in);
            return;
        }
        if (in.view().maxForwards() == 0) {
            responses.respond(in, 483);
            return;
        }
        if (SipIdentifiers.isOwnCallId(in.view().callId(), callIdPrefix)) {
            // A dialog-creating request carrying a Call-ID we generated came back to us: a routing loop.
            responses.respond(in, 482);
            return;
        }
        if (Request.REFER.equals(method)) {
            dialogs.transfers().refuseOutOfDialog(in);
            return;
        }
        if (Request.INVITE.equals(method) && refusedWhileDraining(in, request)) {
            return;
        }
        if (transactions.full()) {
            metrics.transactionOverflow();
            responses.respond(in, 503);
            return;
        }
        if (phones.answers(method, verdict.user())) {
            phones.register(in, verdict.user());
            return;
        }
        // An INVITE replacing a phone's call goes to that phone, wherever the sender's calls go otherwise.
        ReferHandler.DialogReference replaces = dialogs.transfers().replacesOf(request, in.zone());
        DialogIdentifierMap.LegIdentity replacedPhone = dialogs.transfers().replacedPhoneLeg(replaces);
        List<Binding> bindings = replacedPhone != null ? null : phones.phonesFor(in.zone(), request);
        CallRouter.PeerRoute route = null;
        List<DialogLayer.Branch> branches = null;
        if (replacedPhone != null) {
            DialogLayer.Branch toPhone = router.towardLeg(replacedPhone, request);
            if (toPhone == null) {
                responses.respond(in, 481);
                return;
            }
            branches = List.of(toPhone);
        } else if (bindings != null && bindings.isEmpty()) {
            // The account's phones may be registered with another node of the cluster, which rings them.
            List<InetSocketAddress> holders = nodes.holders(TopologyHiding.userOf(request.requestUri()),
                    in.flow().remote().getAddress());
            if (holders.isEmpty()) {
                // RFC 3261 §21.4.18: the account exists but none of its devices is registered now.
                responses.respond(in, 480);
                return;
            }
            branches = router.towardNodes(holders, in.zone(), request);
        } else if (bindings != null) {
            branches = router.towardPhones(bindings, request);
        } else {
            route = router.towardPeers(in.zone(), request, callingAccount(request, verdict));
            if (route == null) {
                responses.respond(in, 404);
                return;
            }
            if (route.targets().isEmpty() && route.unlocated().isEmpty()) {
                refuseNoPeerUp(in);
                responses.respond(in, 503);
                return;
            }
        }
        String towardZone = branches != null ? branches.get(0).zone() : route.firstZone();
        int replacesRefusal = dialogs.transfers().mapDialogReferences(request, replaces, in.zone(), towardZone);
        if (replacesRefusal != 0) {
            responses.respond(in, replacesRefusal);
            return;
        }
        if (DialogLayer.DIALOG_CREATING.contains(method) && dialogTable.full()) {
            metrics.dialogOverflow();
            responses.respond(in, 503);
            return;
        }
        if (behind && Request.INVITE.equals(method)) {
            metrics.dropped(RelayDropReason.OVERLOAD);
            responses.respond(in, 503);
            return;
        }
        RelayedRequest relayed = dialogs.accept(in);
        if (route != null && !route.unlocated().isEmpty()) {
            locateThenRelay(in, request, verdict, relayed);
            return;
        }
        relay(in, request, verdict, relayed, route, branches);
    }

    /**
     * A request toward peers named by host name whose DNS answer is not cached waits, under its server transaction,
     * for the locator (RFC 3263), then is routed again with the answers cached.
     */
    private void locateThenRelay(InboundRequest in, SplicedRequest request, Verdict verdict, RelayedRequest relayed) {
        CallRouter.PeerRoute unlocated = router.towardPeers(in.zone(), request, callingAccount(request, verdict));
        Consumer<Object> located = answers.await(HandOff.PEER_LOCATED, relayed, in, peerLocationWaitMillis,
                unused -> { }, answered -> {
                    CallRouter.PeerRoute route = router.towardPeers(in.zone(), request,
                            callingAccount(request, verdict));
                    if (route == null || route.targets().isEmpty()) {
                        refuseNoPeerUp(in);
                        dialogs.refuse(relayed, responses.create(in, 503), 503);
                        return;
                    }
                    relay(in, request, verdict, relayed, route, null);
                });
        router.locate(unlocated).whenComplete((done, failure) -> located.accept(Boolean.TRUE));
    }

    /** Relays an accepted initial request on its branches (or its route's first target), after the checks left. */
    private void relay(InboundRequest in, SplicedRequest request, Verdict verdict, RelayedRequest relayed,
            CallRouter.PeerRoute route, List<DialogLayer.Branch> phoneBranches) {
        String method = request.method();
        List<DialogLayer.Branch> branches = phoneBranches != null ? phoneBranches
                : List.of(router.branch(route.targets().get(0), route));
        if (verdict.user() != null && router.towardPbx(branches)) {
            screening.assertIdentity(request, verdict.user());
        }
        boolean invite = Request.INVITE.equals(method);
        if (invite && route != null && route.targets().size() > 1) {
            relayed.attempts = new CallAttempts(route);
        }
        if (invite && callerIdentity.verifies(in.zone())) {
            verifyCallerIdentity(in, request, relayed, branches);
            return;
        }
        if (invite && router.fromPbx(in.zone()) && phoneBranches == null) {
            checkTollFraud(in, request, relayed, branches);
            return;
        }
        forwardInitial(in, request, relayed, branches, verdict.user(), null, null);
    }

    private void refuseNoPeerUp(InboundRequest in) {
        // Every peer the call could go to failed its probes or has no address: the caller's side may try elsewhere.
        shard.log().info("no-peer-up", "shard {} refused a call from zone {}: no peer of its route is up",
                shard.loop().index(), in.zone());
    }

    /**
     * The last step of an initial request: the zones' number and header rules, signed when it leaves through a
     * signing trunk (RFC 8224), then relayed.
     *
     * @param fraud the toll-fraud decision that let the call out, or null
     * @param verstat the caller-ID verdict the PBX was given, or null
     */
    private void forwardInitial(InboundRequest in, SplicedRequest request, RelayedRequest relayed,
            List<DialogLayer.Branch> routed, String user, FraudGuard.Decision fraud, String verstat) {
        // After the checks that read the numbers as the caller wrote them, before signing what the callee gets.
        List<DialogLayer.Branch> branches = rules.apply(request, in.zone(), routed);
        String identity = verstat;
        String origId = null;
        if (Request.INVITE.equals(request.method())) {
            Optional<CallerIdentityService.Signature> signature = callerIdentity.sign(request,
                    branches.get(0).zone(), user, peers.isAccessZone(in.zone()), router.fromPbx(in.zone()));
            if (signature.isPresent()) {
                identity = signature.get().attestation().name();
                origId = signature.get().origId();
            }
        }
        String account = user != null ? user : fraud != null ? fraud.account() : null;
        dialogs.forwardInitial(in, request, relayed, branches, fraud, identity, origId, account);
    }

    private void onCancel(InboundRequest cancel) {
        ServerTransaction invite = transactions.inviteServerOf(cancel.zone(), cancel.view());
        if (invite == null) {
            // RFC 3261 §9.2: an INVITE that has its 2xx still has its transaction; the CANCEL changes nothing.
            responses.respond(cancel, transactions.inviteAccepted(cancel.zone(), cancel.view()) ? 200 : 481);
            return;
        }
        // RFC 3261 §9.2: the CANCEL is answered at once; the INVITE gets its 487 from the far side.
        responses.respond(cancel, 200);
        invite.user.cancelled(invite);
    }

    // ----------------------------------------------------------------------------------- asynchronous checks

    /**
     * A call from the PBX out through the trunk waits, under its server transaction, for the toll-fraud service's
     * verdict. An allowed decision that ends up unused (the caller cancelled, the wait ran out) is released.
     */
    private void checkTollFraud(InboundRequest in, SplicedRequest request, RelayedRequest relayed,
            List<DialogLayer.Branch> branches) {
        Consumer<Verdict> release = verdict -> {
            if (verdict.allowed() && verdict.fraud() != null) {
                fraud.callEnded(verdict.fraud());
            }
        };
        fraud.checkNewCall(TollFraudService.CallAttempt.of(in.zone(), in.flow().remote().getAddress(), request),
                answers.await(HandOff.TOLL_FRAUD_ANSWER, relayed, in, tollFraudWaitMillis, release, verdict -> {
                    if (!verdict.allowed()) {
                        dialogs.refuse(relayed, responses.create(in, verdict.status(), verdict.headers()),
                                verdict.status());
                        if (verdict.fraud() != null) {
                            records.refused(request, verdict, in.zone(), branches.get(0).zone());
                        }
                        return;
                    }
                    forwardInitial(in, request, relayed, branches, null, verdict.fraud(), null);
                }));
    }

    /**
     * A call from a verifying trunk waits, under its server transaction, for its STIR/SHAKEN verdict (RFC 8224
     * §6.2), which may need a certificate fetched on the certificate cache's thread; then it goes on with the
     * verdict in the caller's identity, or is refused.
     */
    private void verifyCallerIdentity(InboundRequest in, SplicedRequest request, RelayedRequest relayed,
            List<DialogLayer.Branch> branches) {
        callerIdentity.verify(in.in(), request, answers.await(HandOff.CALLER_ID_VERDICT, relayed, in,
                callerIdentityWaitMillis, verdict -> { }, verdict -> {
                    if (verdict.refused()) {
                        dialogs.refuse(relayed, responses.create(in, verdict.refusal(), verdict.reason()),
                                verdict.refusal());
                        return;
                    }
                    callerIdentity.present(request, verdict);
                    forwardInitial(in, request, relayed, branches, null, null, verdict.verstat());
                }));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    /**
     * While the SBC drains, a new call is refused with 503 and the drain's Retry-After (RFC 3261 §21.5.4), so that
     * the caller's side tries another node; a call to an emergency number still goes through.
     */
    private boolean refusedWhileDraining(InboundRequest in, SplicedRequest invite) {
        if (newCalls.open()) {
            return false;
        }
        long retryAfter = newCalls.refusal(TopologyHiding.userOf(invite.requestUri()));
        if (retryAfter == 0) {
            return false;
        }
        shard.log().info("draining", "shard {} refused a new call from zone {}: the SBC is draining",
                shard.loop().index(), in.zone());
        in.flow().send(responses.unavailable(in, retryAfter));
        return true;
    }

    private void refreshGauges() {
        transactionGauge = transactions.size();
        dialogGauge = dialogTable.size();
    }

    /** Whom a call counts as, for routes by calling account: the authenticated user, else the From user. */
    private static String callingAccount(SplicedRequest request, Verdict verdict) {
        return verdict.user() != null ? verdict.user()
                : TopologyHiding.userOf(request.fromAddress().getURI());
    }

    private static boolean addressedToSbc(SplicedRequest request) {
        return request.requestUri() instanceof SipUri uri && uri.getUser() == null;
    }
}
