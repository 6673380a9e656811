package org.edgesbc.core.relay;

import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.header.ViaList;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import javax.sip.InvalidArgumentException;
import javax.sip.SipException;
import javax.sip.address.Address;
import javax.sip.address.URI;
import javax.sip.header.TooManyHopsException;
import javax.sip.message.Request;
import org.edgesbc.core.cdr.CallRecord;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.cdr.CdrWriter;
import org.edgesbc.core.registrar.Binding;
import org.edgesbc.core.registrar.PbxRegistrationClient;
import org.edgesbc.core.registrar.RegisterRequest;
import org.edgesbc.core.registrar.RegisterResult;
import org.edgesbc.core.registrar.Registrar;
import org.edgesbc.core.security.RequestPolicy;
import org.edgesbc.core.security.TollFraudService;
import org.edgesbc.core.security.Verdict;
import org.edgesbc.media.MediaSide;
import org.edgesbc.policy.fraud.FraudGuard;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.SipParseException;
import org.edgesbc.transport.SipTransport;

/**
 * The transaction-stateful, dialog-tracking relay for the dialogs whose Call-ID hashes to this shard. All state in
 * here (transactions, dialogs, timers) is touched only by {@link #executor}; the engine hands messages over and
 * never reads the maps. One state machine, kept in one class so that every transition is visible in one place:
 * RFC 3261 §17 transactions on both sides, §12 dialogs, §9 CANCEL, and the topology hiding between the legs.
 */
final class RelayShard implements PbxRegistrationClient {
    /** Requests that create a dialog when answered with 2xx (or, for INVITE, a 1xx with a To-tag). */
    private static final Set<String> DIALOG_CREATING = Set.of(Request.INVITE, Request.SUBSCRIBE, Request.REFER);
    /** RFC 3261 §12.2: requests whose Contact replaces the remote target. */
    private static final Set<String> TARGET_REFRESH =
            Set.of(Request.INVITE, Request.UPDATE, Request.SUBSCRIBE, Request.NOTIFY, Request.REFER);
    private static final String ALLOW =
            "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, PRACK, INFO, REFER, MESSAGE, NOTIFY, SUBSCRIBE";
    /** RFC 3261 §16.6 step 8 (Timer C): a proxy gives up on a ringing INVITE after more than three minutes. */
    private static final long TIMER_C_MILLIS = 181_000;
    /** Seconds a 503 asks the sender to wait (RFC 3261 §21.5.4, RFC 7339 §3). */
    private static final int OVERLOAD_RETRY_AFTER_SECONDS = 5;

    private final int index;
    private final EventExecutor executor;
    private final RelaySettings settings;
    private final TopologyHiding topology;
    private final SipIdentifiers ids;
    private final String callIdPrefix;
    private final FlowProvider flows;
    private final RelayMetrics metrics;
    private final RateLimitedLog log;
    private final MediaAnchor media;
    private final RequestPolicy policy;
    private final TollFraudService fraud;
    private final GuardedHandOff handOff;
    private final CdrWriter cdrs;
    private final int maxTransactions;
    private final int maxDialogs;
    private final long t1Millis;
    private final long t2Millis;
    private final long t4Millis;
    private final long staleNanos;
    private final long shedNanos;

    /** The registrar of remote phones, shared by all shards; null when phones do not register here. */
    private Registrar registrar;

    private final Map<String, ServerTransaction> servers = new HashMap<>();
    private final Map<String, ClientTransaction> clients = new HashMap<>();
    /** Client transactions in {@link #clients} that are the registrar's REGISTERs to the PBX. */
    private int registrarTransactions;
    /** Each dialog is in here twice, once under each leg's key. */
    private final Map<String, RelayDialog> dialogs = new HashMap<>();
    private int dialogCount;
    private volatile int transactionGauge;
    private volatile int dialogGauge;

    RelayShard(int index, int shards, EventExecutor executor, RelaySettings settings, TopologyHiding topology,
            String callIdPrefix, FlowProvider flows, RelayMetrics metrics, RateLimitedLog log, MediaAnchor media,
            RequestPolicy policy, TollFraudService fraud, GuardedHandOff handOff, CdrWriter cdrs) {
        this.index = index;
        this.executor = executor;
        this.settings = settings;
        this.topology = topology;
        this.callIdPrefix = callIdPrefix;
        this.ids = new SipIdentifiers(callIdPrefix, index, new SecureRandom());
        this.flows = flows;
        this.metrics = metrics;
        this.log = log;
        this.media = media;
        this.policy = policy;
        this.fraud = fraud;
        this.handOff = handOff;
        this.cdrs = cdrs;
        this.maxTransactions = Math.max(1, settings.maxTransactions() / shards);
        this.maxDialogs = Math.max(1, settings.maxDialogs() / shards);
        this.t1Millis = settings.t1().toMillis();
        this.t2Millis = settings.t2().toMillis();
        this.t4Millis = settings.t4().toMillis();
        // A request that waited longer than T1 has been retransmitted by now: the copy behind it will be served.
        this.staleNanos = TimeUnit.MILLISECONDS.toNanos(t1Millis);
        // Past a fifth of T1 in the queue the shard is falling behind: new calls are refused with 503 (RFC 7339)
        // so that calls already up keep their share of the CPU.
        this.shedNanos = staleNanos / 5;
    }

    EventExecutor executor() {
        return executor;
    }

    /** Set once by the engine, before the first message. */
    void attachRegistrar(Registrar registrar) {
        this.registrar = registrar;
    }

    int transactions() {
        return transactionGauge;
    }

    int dialogs() {
        return dialogGauge;
    }

    void handle(InboundSipMessage in) {
        try {
            long waited = System.nanoTime() - in.receivedNanos();
            if (waited > staleNanos) {
                metrics.dropped(RelayDropReason.STALE);
                return;
            }
            SIPMessage message;
            try {
                message = in.parse();
            } catch (SipParseException e) {
                metrics.dropped(RelayDropReason.PARSE_ERROR);
                log.warn("parse-error", "shard {} dropped unparseable {} from zone {}: {}",
                        index, in.method(), in.zone(), e.getMessage());
                return;
            }
            if (message instanceof SIPRequest request) {
                onRequest(in, request, waited > shedNanos);
            } else {
                onResponse(in, (SIPResponse) message);
            }
        } catch (RuntimeException e) {
            metrics.dropped(RelayDropReason.INTERNAL_ERROR);
            log.error("internal-error", "shard {} failed on {} from zone {}", index, in.method(),
                    in.zone(), e);
        } finally {
            transactionGauge = servers.size() + clients.size();
            dialogGauge = dialogCount;
        }
    }

    // ---------------------------------------------------------------------------------------------- requests

    private void onRequest(InboundSipMessage in, SIPRequest request, boolean behind) {
        markReceived(request, in.flow().remote());
        String method = request.getMethod();
        if (Request.ACK.equals(method)) {
            onAck(in, request);
            return;
        }
        if (Request.CANCEL.equals(method)) {
            onCancel(in, request);
            return;
        }
        ServerTransaction existing = servers.get(serverKey(in.zone(), request, method));
        if (existing != null) {
            metrics.retransmissionAbsorbed();
            if (existing.lastResponse != null) {
                existing.flow.send(existing.lastResponse);
            }
            return;
        }
        MaxForwards maxForwards = (MaxForwards) request.getHeader(MaxForwards.NAME);
        boolean outOfDialog = request.getToTag() == null;
        boolean toSbc = outOfDialog && Request.OPTIONS.equals(method) && addressedToSbc(request);
        List<Binding> phones = outOfDialog && !toSbc ? phonesFor(in.zone(), request) : null;
        Verdict verdict = outOfDialog ? admitted(in, request, method, toSbc) : null;
        if (outOfDialog && verdict == null) {
            return;
        }
        if (toSbc) {
            answerOptions(in, request);
            return;
        }
        if (maxForwards != null && maxForwards.getMaxForwards() <= 0) {
            respondStateless(in, request, 483, null);
            return;
        }
        if (!outOfDialog) {
            forwardInDialog(in, request, method);
            return;
        }
        if (SipIdentifiers.isOwnCallId(request.getCallId().getCallId(), callIdPrefix)) {
            // A dialog-creating request carrying a Call-ID we generated came back to us: a routing loop.
            respondStateless(in, request, 482, null);
            return;
        }
        // The registrar's own REGISTERs to the PBX (bounded by the accounts, one per AOR at a time) do not count
        // against the share of phones' and callers' requests of the shard the registrar lives on.
        if (servers.size() + clients.size() - registrarTransactions >= maxTransactions) {
            metrics.transactionOverflow();
            respondStateless(in, request, 503, null);
            return;
        }
        String user = verdict == null ? null : verdict.user();
        if (registrar != null && user != null && Request.REGISTER.equals(method)) {
            register(in, request, user);
            return;
        }
        List<Branch> branches;
        if (phones != null) {
            if (phones.isEmpty()) {
                // RFC 3261 §21.4.18: the account exists but none of its devices is registered now.
                respondStateless(in, request, 480, null);
                return;
            }
            branches = phoneBranches(phones, method, request);
        } else {
            String targetZone = settings.routes().get(in.zone());
            RelaySettings.ZonePeer target = targetZone == null ? null : settings.zones().get(targetZone);
            if (target == null) {
                respondStateless(in, request, 404, null);
                return;
            }
            branches = List.of(peerBranch(target, request));
        }
        boolean createsDialog = DIALOG_CREATING.contains(method);
        if (createsDialog && dialogCount >= maxDialogs) {
            metrics.dialogOverflow();
            respondStateless(in, request, 503, null);
            return;
        }
        if (behind && Request.INVITE.equals(method)) {
            metrics.dropped(RelayDropReason.OVERLOAD);
            respondStateless(in, request, 503, null);
            return;
        }
        if (user != null && settings.pbxZone() != null && settings.pbxZone().equals(branches.get(0).zone())) {
            assertIdentity(request, user);
        }
        if (Request.INVITE.equals(method) && phones == null && in.zone().equals(settings.pbxZone())) {
            checkTollFraud(in, request, branches);
            return;
        }
        forwardInitial(in, request, method, branches, createsDialog, null);
    }

    /** Where an initial request goes: the next zone's peer, or one binding of a registered phone. */
    private record Branch(String zone, SipFlow flow, URI requestUri, Address callee) { }

    private Branch peerBranch(RelaySettings.ZonePeer target, SIPRequest request) {
        String host = target.address().getAddress().getHostAddress();
        return new Branch(target.zone(), flows.flowTo(target.transport(), target.address()),
                peerUri(TopologyHiding.userOf(request.getRequestURI()), target),
                TopologyHiding.withHost(request.getTo().getAddress(), host, -1));
    }

    /**
     * The bindings of the account a request from the PBX is for, or null when it is for no registering account
     * (then it goes out through the trunk, as a toll-fraud matter).
     */
    private List<Binding> phonesFor(String zone, SIPRequest request) {
        if (registrar == null || !zone.equals(settings.pbxZone())) {
            return null;
        }
        String user = TopologyHiding.userOf(request.getRequestURI());
        return registrar.isAccount(user) ? registrar.lookup(user) : null;
    }

    /**
     * An INVITE rings every device of the account at once (RFC 3261 §16.6 parallel forking); any other request
     * goes to the device that registered last. Requests reach a phone over the flow it registered on, with its
     * own Contact as Request-URI.
     */
    private List<Branch> phoneBranches(List<Binding> bindings, String method, SIPRequest request) {
        List<Binding> chosen = bindings;
        if (!Request.INVITE.equals(method)) {
            Binding newest = bindings.get(0);
            for (Binding binding : bindings) {
                newest = binding.registered().isAfter(newest.registered()) ? binding : newest;
            }
            chosen = List.of(newest);
        }
        Address callee = topology.sbcAddress(request.getTo().getAddress());
        List<Branch> branches = new ArrayList<>(chosen.size());
        for (Binding binding : chosen) {
            branches.add(new Branch(binding.zone(), binding.flow(), (URI) binding.contact().clone(), callee));
        }
        return branches;
    }

    /**
     * Toward the PBX, an authenticated phone's request carries the identity the SBC vouches for (RFC 3325
     * P-Asserted-Identity), never one the phone asserted itself.
     */
    private void assertIdentity(SIPRequest request, String user) {
        request.removeHeader("P-Asserted-Identity");
        request.removeHeader("P-Preferred-Identity");
        try {
            request.addHeader(new HeaderFactoryImpl().createHeader("P-Asserted-Identity",
                    "<sip:" + user + "@" + topology.host() + ">"));
        } catch (ParseException e) {
            throw new IllegalStateException("cannot assert the identity of " + user, e);
        }
    }

    private void forwardInitial(InboundSipMessage in, SIPRequest request, String method, List<Branch> branches,
            boolean createsDialog, FraudGuard.Decision fraud) {
        String callIdA = request.getCallId().getCallId();
        From fromA = (From) request.getFrom().clone();
        To toA = (To) request.getTo().clone();
        Address callerB = topology.sbcAddress(fromA.getAddress());
        List<Leg> legs = new ArrayList<>(branches.size());
        for (Branch branch : branches) {
            legs.add(new Leg(branch.zone(), ids.newCallId(), callerB, branch.callee(), null, branch.flow()));
        }

        RelayDialog dialog = null;
        if (createsDialog) {
            Leg legA = new Leg(in.zone(), callIdA, fromA.getAddress(), toA.getAddress(), contactUri(request),
                    initialFlowToward(in));
            dialog = new RelayDialog(legA, legs.get(0), request.getFromTag());
            if (legs.size() > 1) {
                dialog.branches = new ArrayList<>(legs);
            }
            dialog.fraud = fraud;
            if (Request.INVITE.equals(method)) {
                dialog.call = true;
                dialog.started = Instant.now();
                dialog.calling = TopologyHiding.userOf(fromA.getAddress().getURI());
                dialog.called = TopologyHiding.userOf(request.getRequestURI());
            }
            dialogs.put(legA.key(), dialog);
            for (Leg leg : legs) {
                dialogs.put(leg.key(), dialog);
            }
            dialogCount++;
            if (!anchorOrRefuse(in, request, dialog, MediaSide.A)) {
                endDialog(dialog, "sbc:media-refused");
                return;
            }
        }
        ServerTransaction server = new ServerTransaction(serverKey(in.zone(), request, method), method, in.flow(),
                (ViaList) request.getViaHeaders().clone(), callIdA, fromA, toA, dialog);
        servers.put(server.key, server);
        if (Request.INVITE.equals(method)) {
            // RFC 3261 §16.2 step 10 / §17.2.1: stop the caller's retransmissions at once.
            sendLocal(server, request.createResponse(100), null);
            metrics.localResponse(100);
        }

        for (int i = 0; i < branches.size(); i++) {
            Branch branch = branches.get(i);
            Leg leg = legs.get(i);
            // Each branch gets its own copy; the original is rewritten last, after every copy was taken from it.
            SIPRequest copy = i == branches.size() - 1 ? request : (SIPRequest) request.clone();
            copy.setRequestURI(branch.requestUri());
            setCallId(copy, leg.callId);
            copy.getFrom().setAddress((Address) callerB.clone());
            copy.getTo().setAddress((Address) branch.callee().clone());
            forward(copy, server, dialog, dialog == null ? null : leg, branch.zone(), branch.flow());
        }
    }

    private void forwardInDialog(InboundSipMessage in, SIPRequest request, String method) {
        String callId = request.getCallId().getCallId();
        RelayDialog dialog = dialogs.get(RelayDialog.key(in.zone(), callId));
        Leg from = dialog == null ? null : dialog.legOf(in.zone(), callId);
        if (from == null || dialog.state == RelayDialog.State.TERMINATED) {
            respondStateless(in, request, 481, null);
            return;
        }
        Leg to = dialog.other(from, request.getToTag());
        if (!anchorOrRefuse(in, request, dialog, sideOf(dialog, from))) {
            return;
        }
        ServerTransaction server = new ServerTransaction(serverKey(in.zone(), request, method), method, in.flow(),
                (ViaList) request.getViaHeaders().clone(), callId, (From) request.getFrom().clone(),
                (To) request.getTo().clone(), dialog);
        servers.put(server.key, server);
        if (TARGET_REFRESH.contains(method)) {
            URI target = contactUri(request);
            if (target != null) {
                from.remoteTarget = target;
            }
        }
        rewriteInDialog(request, dialog, to);
        forward(request, server, dialog, to, to.zone, flowToward(to));
    }

    /**
     * Makes an in-dialog request from one leg read as the other leg's dialog expects it. A phone's credentials for
     * the SBC's realm, which phones also send on ACK, BYE and re-INVITE, stay here.
     */
    private void rewriteInDialog(SIPRequest request, RelayDialog dialog, Leg to) {
        if (isAccessZone(dialog.other(to, null).zone)) {
            removeCredentials(request);
        }
        boolean fromCaller = dialog.callerTag.equals(request.getFromTag());
        request.setRequestURI(remoteTargetOf(to));
        setCallId(request, to.callId);
        request.getFrom().setAddress((Address) (fromCaller ? to.callerAddress : to.calleeAddress).clone());
        request.getTo().setAddress((Address) (fromCaller ? to.calleeAddress : to.callerAddress).clone());
    }

    /**
     * Sends a request toward the other side under a new client transaction: the SBC's Via replaces the whole stack
     * (the requester's is kept in the server transaction), the SBC's Contact replaces the requester's.
     */
    private ClientTransaction forward(SIPRequest request, ServerTransaction server, RelayDialog dialog, Leg target,
            String targetZone, SipFlow flow) {
        decrementMaxForwards(request);
        topology.replaceContact(request, flow.transport());
        TopologyHiding.strip(request);
        return send(request, server, dialog, target, targetZone, flow);
    }

    /** Sends a request under a new client transaction with the SBC's Via as the only one. */
    private ClientTransaction send(SIPRequest request, ServerTransaction server, RelayDialog dialog, Leg target,
            String targetZone, SipFlow flow) {
        String method = request.getMethod();
        String branch = ids.newBranch();
        replaceVias(request, flow.transport(), branch);
        byte[] bytes = request.encodeAsBytes(flow.transport().viaToken());
        ClientTransaction client = new ClientTransaction(clientKey(branch, method), method, request, bytes, flow,
                server, dialog, target, targetZone);
        clients.put(client.key, client);
        if (server != null) {
            server.branches.add(client);
            if (Request.INVITE.equals(method)) {
                server.unanswered++;
            }
        }
        if (target != null) {
            target.highestCSeqSent = Math.max(target.highestCSeqSent, request.getCSeq().getSeqNumber());
        }
        flow.send(bytes);
        metrics.requestRelayed(method);
        startClientTimers(client);
        return client;
    }

    private void onAck(InboundSipMessage in, SIPRequest ack) {
        ServerTransaction invite = servers.get(serverKey(in.zone(), ack, Request.INVITE));
        if (invite != null && invite.state == ServerTransaction.State.COMPLETED) {
            // RFC 3261 §17.2.1: the ACK for our non-2xx final response ends Timer G; it goes no further.
            invite.state = ServerTransaction.State.CONFIRMED;
            cancel(invite.retransmitTimer);
            return;
        }
        if (invite != null && invite.state == ServerTransaction.State.CONFIRMED) {
            metrics.retransmissionAbsorbed();
            return;
        }
        String callId = ack.getCallId().getCallId();
        RelayDialog dialog = dialogs.get(RelayDialog.key(in.zone(), callId));
        Leg from = dialog == null ? null : dialog.legOf(in.zone(), callId);
        if (from == null || ack.getToTag() == null) {
            metrics.dropped(RelayDropReason.NO_DIALOG);
            return;
        }
        // The ACK for a 2xx is end to end (RFC 3261 §13.2.2.4): relayed statelessly, under a Via of its own.
        Leg to = dialog.other(from, ack.getToTag());
        MediaAnchor.Outcome anchored = media.anchor(dialog, sideOf(dialog, from), ack, in.flow().remote().getAddress(),
                this::mediaTimedOut);
        if (anchored == MediaAnchor.Outcome.BAD_SDP || anchored == MediaAnchor.Outcome.NO_PORTS) {
            // An ACK cannot be refused; relaying its SDP unanchored would leak the sender's media address.
            ack.removeContent();
            log.warn("ack-sdp", "shard {} removed an ACK's SDP it could not anchor ({})", index, anchored);
        }
        rewriteInDialog(ack, dialog, to);
        SipFlow flow = flowToward(to);
        decrementMaxForwards(ack);
        replaceVias(ack, flow.transport(), ids.newBranch());
        topology.replaceContact(ack, flow.transport());
        TopologyHiding.strip(ack);
        flow.send(ack.encodeAsBytes(flow.transport().viaToken()));
        metrics.requestRelayed(Request.ACK);
    }

    private void onCancel(InboundSipMessage in, SIPRequest cancel) {
        ServerTransaction invite = servers.get(serverKey(in.zone(), cancel, Request.INVITE));
        if (invite == null) {
            respondStateless(in, cancel, 481, null);
            return;
        }
        // RFC 3261 §9.2: the CANCEL is answered at once; the INVITE gets its 487 from the far side.
        respondStateless(in, cancel, 200, null);
        if (invite.finalSent() || invite.cancelled) {
            return;
        }
        invite.cancelled = true;
        for (ClientTransaction client : invite.branches) {
            if (client.state == ClientTransaction.State.PROCEEDING) {
                sendCancel(client);
            }
        }
        // If the far side never confirms the cancellation, the caller still gets its 487 (RFC 3261 §9.1).
        invite.retransmitTimer = schedule(() -> {
            for (ClientTransaction client : invite.branches) {
                if (!invite.finalSent() && client.request != null) {
                    sendLocal(invite, client.request.createResponse(487), ids.newTag());
                    metrics.localResponse(487);
                }
            }
        }, settings.transactionTimeoutMillis());
    }

    private void sendCancel(ClientTransaction invite) {
        SIPRequest cancel;
        try {
            cancel = invite.request.createCancelRequest();
        } catch (SipException e) {
            throw new IllegalStateException("cannot build CANCEL", e);
        }
        byte[] bytes = cancel.encodeAsBytes(invite.flow.transport().viaToken());
        String branch = invite.request.getTopmostVia().getBranch();
        ClientTransaction client = new ClientTransaction(clientKey(branch, Request.CANCEL), Request.CANCEL, cancel,
                bytes, invite.flow, null, invite.dialog, invite.target, invite.targetZone);
        clients.put(client.key, client);
        invite.flow.send(bytes);
        metrics.requestRelayed(Request.CANCEL);
        startClientTimers(client);
    }

    private void answerOptions(InboundSipMessage in, SIPRequest options) {
        SIPResponse response = options.createResponse(200);
        setTag((To) response.getTo(), ids.newTag());
        response.setHeader(new gov.nist.javax.sip.header.Allow(ALLOW));
        gov.nist.javax.sip.header.Accept accept = new gov.nist.javax.sip.header.Accept();
        accept.setContentType("application");
        accept.setContentSubType("sdp");
        response.setHeader(accept);
        sendStateless(in, response);
    }

    // --------------------------------------------------------------------------------------------- responses

    private void onResponse(InboundSipMessage in, SIPResponse response) {
        Via top = response.getTopmostVia();
        ClientTransaction client = top == null || top.getBranch() == null ? null
                : clients.get(clientKey(top.getBranch(), response.getCSeq().getMethod()));
        if (client == null) {
            metrics.dropped(RelayDropReason.NO_TRANSACTION);
            return;
        }
        if (!client.targetZone.equals(in.zone())) {
            metrics.dropped(RelayDropReason.WRONG_SOURCE);
            return;
        }
        int status = response.getStatusCode();
        InetAddress source = in.flow().remote().getAddress();
        if (Request.INVITE.equals(client.method)) {
            onInviteResponse(client, response, status, source);
        } else {
            onNonInviteResponse(client, response, status, source);
        }
    }

    private void onInviteResponse(ClientTransaction client, SIPResponse response, int status, InetAddress source) {
        switch (client.state) {
            case CALLING, PROCEEDING -> {
                if (status < 200) {
                    cancel(client.retransmitTimer);
                    if (client.state == ClientTransaction.State.CALLING) {
                        client.state = ClientTransaction.State.PROCEEDING;
                        cancel(client.timeoutTimer);
                        client.timeoutTimer = schedule(() -> clientTimeout(client), TIMER_C_MILLIS);
                        if ((client.server != null && client.server.cancelled) || client.cancelPending) {
                            sendCancel(client);
                        }
                    }
                    if (status == 100) {
                        return;
                    }
                    noteCallee(client, response, false);
                    relayResponse(client, response, source);
                } else if (status < 300) {
                    cancel(client.retransmitTimer);
                    cancel(client.timeoutTimer);
                    // RFC 6026 "Accepted": stay to relay the far side's 2xx retransmissions until it has our ACK.
                    client.state = ClientTransaction.State.ACCEPTED;
                    client.release();
                    client.timeoutTimer = schedule(() -> removeClient(client), settings.transactionTimeoutMillis());
                    RelayDialog dialog = client.dialog;
                    if (dialog != null && dialog.state == RelayDialog.State.CONFIRMED && client.target != dialog.b
                            && client.target != dialog.a) {
                        // A second device answered a forked call another one took: it is hung up.
                        hangUpAnsweredLeg(client, response, false);
                        return;
                    }
                    if (dialog != null && dialog.branches != null) {
                        chooseBranch(dialog, client);
                    }
                    noteCallee(client, response, true);
                    ServerTransaction server = client.server;
                    if (server != null && server.finalSent() && server.lastStatus >= 300) {
                        // The caller already has its final answer (a cancelled call answered late): hang the far side up.
                        hangUpAnsweredLeg(client, response, true);
                        return;
                    }
                    relayResponse(client, response, source);
                } else {
                    cancel(client.retransmitTimer);
                    cancel(client.timeoutTimer);
                    client.state = ClientTransaction.State.COMPLETED;
                    client.ackBytes = ackFor(client, response);
                    client.release();
                    client.flow.send(client.ackBytes);
                    // Timer D: absorb retransmitted final responses for 32 s over UDP (RFC 3261 §17.1.1.2).
                    client.timeoutTimer = schedule(() -> removeClient(client),
                            client.flow.transport().reliable() ? 0 : 32_000);
                    inviteBranchEnded(client, response, source);
                }
            }
            case ACCEPTED -> {
                if (status >= 200 && status < 300) {
                    relayResponse(client, response, source);
                }
            }
            case COMPLETED -> {
                if (status >= 300 && client.ackBytes != null) {
                    metrics.retransmissionAbsorbed();
                    client.flow.send(client.ackBytes);
                }
            }
            default -> metrics.dropped(RelayDropReason.NO_TRANSACTION);
        }
    }

    private void onNonInviteResponse(ClientTransaction client, SIPResponse response, int status,
            InetAddress source) {
        if (client.state != ClientTransaction.State.CALLING && client.state != ClientTransaction.State.PROCEEDING) {
            metrics.retransmissionAbsorbed();
            return;
        }
        if (status < 200) {
            client.state = ClientTransaction.State.PROCEEDING;
            if (status > 100) {
                relayResponse(client, response, source);
            }
            return;
        }
        cancel(client.retransmitTimer);
        cancel(client.timeoutTimer);
        client.state = ClientTransaction.State.COMPLETED;
        client.release();
        // Timer K: T4 over UDP to absorb retransmitted responses, nothing over reliable transports.
        client.timeoutTimer = schedule(() -> removeClient(client),
                client.flow.transport().reliable() ? 0 : t4Millis);
        if (client.onFinal != null) {
            client.onFinal.accept(response);
        }
        RelayDialog dialog = client.dialog;
        if (dialog != null && status < 300 && !Request.BYE.equals(client.method)) {
            noteCallee(client, response, DIALOG_CREATING.contains(client.method));
        }
        relayResponse(client, response, source);
        if (dialog != null && Request.BYE.equals(client.method)) {
            endDialog(dialog, client.target == dialog.b ? "caller" : "callee");
        } else if (dialog != null && status >= 300 && dialog.state == RelayDialog.State.EARLY
                && DIALOG_CREATING.contains(client.method)) {
            endDialog(dialog, "callee");
        }
    }

    /** Records what the far side's answer tells about its end of the dialog: its tag and remote target. */
    private void noteCallee(ClientTransaction client, SIPResponse response, boolean confirms) {
        RelayDialog dialog = client.dialog;
        if (dialog == null) {
            return;
        }
        Leg leg = client.target;
        String tag = response.getToTag();
        if (tag != null && leg != dialog.a) {
            leg.calleeTag = tag;
        }
        URI target = contactUri(response);
        if (target != null) {
            leg.remoteTarget = target;
        }
        if (confirms && dialog.state == RelayDialog.State.EARLY) {
            dialog.state = RelayDialog.State.CONFIRMED;
            dialog.answered = Instant.now();
            dialog.finalStatus = response.getStatusCode();
            if (dialog.fraud != null) {
                // Run by the toll-fraud thread at the spend cap: the teardown is this shard's; a refused hand-off
                // throws, so that the toll-fraud service tries again at its next tick.
                fraud.callAnswered(dialog.fraud, () -> {
                    if (!handOff.execute(HandOff.SPEND_CAP_CUT, executor,
                            guarded("spend-cap cut", () -> tearDown(dialog, "spend-cap")))) {
                        throw new RejectedExecutionException("shard " + index + " did not take a spend-cap cut");
                    }
                });
            }
            long limit = settings.maxCallDuration().toMillis();
            java.time.Duration accountLimit = fraud.maxCallDuration(dialog.fraud);
            if (accountLimit != null) {
                limit = Math.min(limit, accountLimit.toMillis());
            }
            dialog.durationLimit = schedule(() -> tearDown(dialog, "max-call-duration"), limit);
        }
    }

    /** Rebuilds the far side's response as the requester expects it and sends it back over the request's flow. */
    private void relayResponse(ClientTransaction client, SIPResponse response, InetAddress source) {
        ServerTransaction server = client.server;
        if (server == null) {
            return;
        }
        RelayDialog dialog = client.dialog;
        if (dialog != null && client.target != null) {
            MediaAnchor.Outcome anchored = media.anchor(dialog, sideOf(dialog, client.target), response, source,
                    this::mediaTimedOut);
            if (anchored == MediaAnchor.Outcome.BAD_SDP || anchored == MediaAnchor.Outcome.NO_PORTS) {
                response.removeContent();
                log.warn("answer-sdp", "shard {} removed an answer's SDP it could not anchor ({})", index, anchored);
            }
        }
        int status = response.getStatusCode();
        boolean inviteRetransmittedOk = Request.INVITE.equals(server.method) && status >= 200 && status < 300
                && server.lastStatus >= 200 && server.lastStatus < 300;
        if (server.finalSent() && !inviteRetransmittedOk) {
            return;
        }
        sendLocal(server, response, response.getToTag());
        metrics.responseRelayed(status);
    }

    // ---------------------------------------------------------------------------------- sending and timers

    /**
     * Sends a response through a server transaction: the requester's Via stack, Call-ID, From and To replace the
     * far side's, the SBC's Contact replaces the far side's.
     */
    private void sendLocal(ServerTransaction server, SIPResponse response, String toTag) {
        SipTransport transport = server.flow.transport();
        response.removeHeader(Via.NAME);
        response.setHeader((ViaList) server.vias.clone());
        setCallId(response, server.callId);
        response.setHeader((From) server.from.clone());
        To to = (To) server.to.clone();
        if (toTag != null) {
            setTag(to, toTag);
        }
        response.setHeader(to);
        topology.replaceContact(response, transport);
        TopologyHiding.strip(response);
        answer(server, response.encodeAsBytes(transport.viaToken()), response.getStatusCode());
    }

    /** Sends a server transaction's response, kept for retransmitted requests; a final one completes it. */
    private void answer(ServerTransaction server, byte[] bytes, int status) {
        server.lastResponse = bytes;
        server.lastStatus = status;
        server.flow.send(bytes);
        if (status >= 200) {
            completeServer(server, status);
        }
    }

    private void completeServer(ServerTransaction server, int status) {
        cancel(server.retransmitTimer);
        cancel(server.expiryTimer);
        boolean reliable = server.flow.transport().reliable();
        if (Request.INVITE.equals(server.method)) {
            if (status >= 300) {
                server.release();
                server.state = ServerTransaction.State.COMPLETED;
                if (!reliable) {
                    scheduleResponseRetransmit(server, t1Millis);
                }
            } else {
                server.state = ServerTransaction.State.TERMINATED;
            }
            // Timer H (non-2xx) or the RFC 6026 Accepted wait (2xx): retransmitted INVITEs are absorbed meanwhile.
            server.expiryTimer = schedule(() -> removeServer(server), settings.transactionTimeoutMillis());
        } else {
            server.release();
            server.state = ServerTransaction.State.COMPLETED;
            // Timer J: 64*T1 over UDP, zero over reliable transports (RFC 3261 §17.2.2).
            server.expiryTimer = schedule(() -> removeServer(server),
                    reliable ? 0 : settings.transactionTimeoutMillis());
        }
    }

    /** Timer G: resend a non-2xx final response until the ACK arrives, doubling up to T2. */
    private void scheduleResponseRetransmit(ServerTransaction server, long interval) {
        server.retransmitTimer = schedule(() -> {
            if (server.state == ServerTransaction.State.COMPLETED) {
                server.flow.send(server.lastResponse);
                scheduleResponseRetransmit(server, Math.min(interval * 2, t2Millis));
            }
        }, interval);
    }

    private void startClientTimers(ClientTransaction client) {
        if (!client.flow.transport().reliable()) {
            client.retransmitIntervalMillis = t1Millis;
            client.retransmitTimer = schedule(() -> retransmit(client), t1Millis);
        }
        client.timeoutTimer = schedule(() -> clientTimeout(client), settings.transactionTimeoutMillis());
    }

    /** Timers A and E (RFC 3261 §17.1.1.2, §17.1.2.2). */
    private void retransmit(ClientTransaction client) {
        boolean invite = Request.INVITE.equals(client.method);
        boolean active = client.state == ClientTransaction.State.CALLING
                || (!invite && client.state == ClientTransaction.State.PROCEEDING);
        if (!active) {
            return;
        }
        client.flow.send(client.bytes);
        long next = client.retransmitIntervalMillis * 2;
        if (!invite) {
            next = client.state == ClientTransaction.State.PROCEEDING ? t2Millis : Math.min(next, t2Millis);
        }
        client.retransmitIntervalMillis = next;
        client.retransmitTimer = schedule(() -> retransmit(client), next);
    }

    /** Timers B, F and C: the far side did not answer in time. */
    private void clientTimeout(ClientTransaction client) {
        if (client.state != ClientTransaction.State.CALLING && client.state != ClientTransaction.State.PROCEEDING) {
            return;
        }
        metrics.transactionTimeout();
        cancel(client.retransmitTimer);
        boolean invite = Request.INVITE.equals(client.method);
        if (invite && client.state == ClientTransaction.State.PROCEEDING) {
            sendCancel(client);
        }
        client.state = ClientTransaction.State.TERMINATED;
        if (client.onFinal != null) {
            client.onFinal.accept(null);
        }
        ServerTransaction server = client.server;
        if (invite && server != null) {
            SIPResponse local = client.request.createResponse(server.cancelled ? 487 : 408);
            setTag((To) local.getTo(), ids.newTag());
            metrics.localResponse(local.getStatusCode());
            inviteBranchEnded(client, local, null);
        } else if (server != null && !server.finalSent()) {
            sendLocal(server, client.request.createResponse(408), ids.newTag());
            metrics.localResponse(408);
        }
        RelayDialog dialog = client.dialog;
        if (dialog != null && !invite && (Request.BYE.equals(client.method)
                || dialog.state == RelayDialog.State.EARLY)) {
            if (dialog.finalStatus == 0 && dialog.state == RelayDialog.State.EARLY) {
                dialog.finalStatus = 408;
            }
            endDialog(dialog, "sbc:timeout");
        }
        removeClient(client);
    }

    private void removeClient(ClientTransaction client) {
        client.release();
        cancel(client.retransmitTimer);
        cancel(client.timeoutTimer);
        if (clients.remove(client.key, client) && client.onFinal != null) {
            registrarTransactions--;
        }
        transactionGauge = servers.size() + clients.size();
    }

    private void removeServer(ServerTransaction server) {
        cancel(server.retransmitTimer);
        cancel(server.expiryTimer);
        servers.remove(server.key, server);
        transactionGauge = servers.size() + clients.size();
    }

    private void endDialog(RelayDialog dialog, String endedBy) {
        if (dialog.state == RelayDialog.State.TERMINATED) {
            return;
        }
        if (dialog.call && cdrs != null) {
            dialog.endedBy = endedBy;
            cdrs.write(callRecord(dialog));
        }
        dialog.state = RelayDialog.State.TERMINATED;
        cancel(dialog.durationLimit);
        dialogs.remove(dialog.a.key(), dialog);
        dialogs.remove(dialog.b.key(), dialog);
        if (dialog.branches != null) {
            for (Leg leg : dialog.branches) {
                dialogs.remove(leg.key(), dialog);
            }
        }
        media.close(dialog);
        if (dialog.fraud != null) {
            fraud.callEnded(dialog.fraud);
        }
        dialogCount--;
        dialogGauge = dialogCount;
    }

    /**
     * Ends a confirmed dialog from the middle: BYE toward both legs, when the maximum duration is reached or the
     * media stopped.
     */
    private void tearDown(RelayDialog dialog, String reason) {
        if (dialog.state != RelayDialog.State.CONFIRMED) {
            return;
        }
        log.info(reason, "shard {} ending a call: {}", index, reason);
        sendSbcRequest(dialog, dialog.a, Request.BYE, dialog.a.highestCSeqSent + 1);
        sendSbcRequest(dialog, dialog.b, Request.BYE, dialog.b.highestCSeqSent + 1);
        endDialog(dialog, "sbc:" + reason);
    }

    /**
     * A callee whose answer nobody takes must not stay in a call: ACK it, BYE it. That is the far side of a caller
     * already answered with a failure (a cancelled call answered late; the dialog ends), or a second device
     * answering a forked call (the dialog goes on with the first).
     */
    private void hangUpAnsweredLeg(ClientTransaction invite, SIPResponse answer, boolean endsDialog) {
        RelayDialog dialog = invite.dialog;
        if (dialog == null) {
            return;
        }
        long cseq = answer.getCSeq().getSeqNumber();
        Leg leg = invite.target;
        leg.calleeTag = answer.getToTag();
        URI target = contactUri(answer);
        if (target != null) {
            leg.remoteTarget = target;
        }
        SIPRequest ack = sbcRequest(dialog, leg, Request.ACK, cseq);
        SipFlow flow = flowToward(leg);
        flow.send(ack.encodeAsBytes(flow.transport().viaToken()));
        if (endsDialog) {
            dialog.state = RelayDialog.State.CONFIRMED;
        }
        sendSbcRequest(dialog, leg, Request.BYE, cseq + 1);
        if (endsDialog) {
            endDialog(dialog, "caller");
        }
    }

    /**
     * The first device to answer a forked INVITE takes the call; the others are cancelled (RFC 3261 §16.7 step 10),
     * and their legs leave the dialog.
     */
    private void chooseBranch(RelayDialog dialog, ClientTransaction winner) {
        dialog.b = winner.target;
        for (Leg leg : dialog.branches) {
            if (leg != winner.target) {
                dialogs.remove(leg.key(), dialog);
            }
        }
        dialog.branches = null;
        ServerTransaction server = winner.server;
        if (server == null) {
            return;
        }
        for (ClientTransaction branch : server.branches) {
            if (branch == winner) {
                continue;
            }
            if (branch.state == ClientTransaction.State.PROCEEDING) {
                sendCancel(branch);
            } else if (branch.state == ClientTransaction.State.CALLING) {
                branch.cancelPending = true;
            }
        }
    }

    /**
     * A branch of an INVITE ended without a 2xx: a failure, or no answer in time ({@code source} null, the
     * response made here). The caller hears the best failure once every branch has ended (RFC 3261 §16.7 step 6:
     * a 6xx, else the lowest class), unless a branch answered; an early dialog ends with it.
     */
    private void inviteBranchEnded(ClientTransaction client, SIPResponse response, InetAddress source) {
        RelayDialog dialog = client.dialog;
        if (dialog != null && dialog.branches != null && dialog.branches.size() > 1) {
            dialog.branches.remove(client.target);
            dialogs.remove(client.target.key(), dialog);
            if (dialog.b == client.target) {
                dialog.b = dialog.branches.get(0);
            }
        }
        ServerTransaction server = client.server;
        if (server == null) {
            return;
        }
        server.unanswered--;
        int status = response.getStatusCode();
        if (server.bestFailure == null || betterFailure(status, server.bestFailure.getStatusCode())) {
            server.bestFailure = response;
            server.bestFailureBranch = client;
            server.bestFailureSource = source;
        }
        if (server.unanswered > 0) {
            return;
        }
        SIPResponse best = server.bestFailure;
        ClientTransaction bestBranch = server.bestFailureBranch;
        relayResponse(bestBranch, best, server.bestFailureSource);
        if (dialog != null && dialog.state == RelayDialog.State.EARLY) {
            dialog.finalStatus = best.getStatusCode();
            endDialog(dialog, bestBranch.state == ClientTransaction.State.TERMINATED ? "sbc:timeout"
                    : best.getStatusCode() == 487 ? "caller" : "callee");
        }
    }

    /** RFC 3261 §16.7 step 6: a 6xx beats everything, then the lowest class; an answer beats our own 408. */
    private static boolean betterFailure(int candidate, int best) {
        int candidateRank = candidate >= 600 ? 0 : candidate / 100;
        int bestRank = best >= 600 ? 0 : best / 100;
        return candidateRank < bestRank || (candidateRank == bestRank && best == 408 && candidate != 408);
    }

    private void sendSbcRequest(RelayDialog dialog, Leg leg, String method, long cseq) {
        SIPRequest request = sbcRequest(dialog, leg, method, cseq);
        forward(request, null, null, leg, leg.zone, flowToward(leg));
    }

    /**
     * An in-dialog request the SBC originates toward one leg, as the party on the other side of that leg's dialog.
     * It carries a Via placeholder that {@link #forward} replaces.
     */
    private SIPRequest sbcRequest(RelayDialog dialog, Leg leg, String method, long cseq) {
        boolean towardCaller = leg == dialog.a;
        try {
            From from = new From();
            from.setAddress((Address) (towardCaller ? leg.calleeAddress : leg.callerAddress).clone());
            String fromTag = towardCaller ? dialog.calleeTag() : dialog.callerTag;
            if (fromTag != null) {
                from.setTag(fromTag);
            }
            To to = new To();
            to.setAddress((Address) (towardCaller ? leg.callerAddress : leg.calleeAddress).clone());
            String toTag = towardCaller ? dialog.callerTag : leg.calleeTag;
            if (toTag != null) {
                to.setTag(toTag);
            }
            CallID callId = new CallID(leg.callId);
            SipFlow flow = flowToward(leg);
            List<Via> vias = List.of(topology.via(flow.transport(), ids.newBranch()));
            SIPRequest request = (SIPRequest) new MessageFactoryImpl().createRequest(remoteTargetOf(leg), method,
                    callId, new CSeq(cseq, method), from, to, vias, new MaxForwards(70));
            return request;
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalStateException("cannot build an SBC-originated " + method, e);
        }
    }

    private byte[] ackFor(ClientTransaction invite, SIPResponse response) {
        SIPRequest ack = invite.request.createAckRequest((To) response.getTo());
        return ack.encodeAsBytes(invite.flow.transport().viaToken());
    }

    private ScheduledFuture<?> schedule(Runnable task, long delayMillis) {
        return executor.schedule(guarded("timer", task), delayMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * {@code task} as work of this shard's thread outside {@link #handle}: a failure is counted and logged, never
     * lost in the executor, and the table gauges are brought up to date afterwards.
     */
    private Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                metrics.dropped(RelayDropReason.INTERNAL_ERROR);
                log.error("internal-error", "shard {} {} failed", index, what, e);
            } finally {
                transactionGauge = servers.size() + clients.size();
                dialogGauge = dialogCount;
            }
        };
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    // ------------------------------------------------------------------------------------------------ CDRs

    private static CallRecord callRecord(RelayDialog dialog) {
        FraudGuard.Decision fraud = dialog.fraud;
        String disposition = dialog.answered != null ? "answered"
                : dialog.finalStatus == 487 ? "cancelled" : dialog.finalStatus == 408 ? "timeout" : "failed";
        return new CallRecord(dialog.b.callId, dialog.started, dialog.answered, Instant.now(), dialog.calling,
                dialog.called, fraud == null ? null : fraud.number().digits(),
                fraud == null ? null : fraud.destination().name().toLowerCase(java.util.Locale.ROOT), dialog.a.zone,
                dialog.b.zone, disposition, dialog.finalStatus, dialog.endedBy,
                fraud == null ? null : fraud.rule().name().toLowerCase(java.util.Locale.ROOT),
                dialog.media == null ? 0 : dialog.media.packetsRelayed(),
                dialog.media == null ? 0 : dialog.media.packetsDropped());
    }

    /** A call the SBC refused before it began (toll fraud) still gets its record. */
    private void recordRefusedCall(InboundSipMessage in, SIPRequest request, Verdict verdict,
            String toZone) {
        FraudGuard.Decision fraud = verdict.fraud();
        Instant now = Instant.now();
        cdrs.write(new CallRecord(request.getCallId().getCallId(), now, null, now,
                TopologyHiding.userOf(request.getFrom().getAddress().getURI()),
                TopologyHiding.userOf(request.getRequestURI()), fraud.number().digits(),
                fraud.destination().name().toLowerCase(java.util.Locale.ROOT), in.zone(), toZone, "blocked",
                verdict.status(), "sbc:" + fraud.rule().name().toLowerCase(java.util.Locale.ROOT),
                fraud.rule().name().toLowerCase(java.util.Locale.ROOT), 0, 0));
    }

    // ---------------------------------------------------------------------------------------- registration

    /**
     * An authenticated phone's REGISTER: the registrar (on its own thread) answers it, from the binding table or
     * after registering the AOR at the PBX; the answer comes back here, to the phone's server transaction, which
     * meanwhile absorbs the phone's retransmissions.
     */
    private void register(InboundSipMessage in, SIPRequest request, String user) {
        ServerTransaction server = new ServerTransaction(serverKey(in.zone(), request, Request.REGISTER),
                Request.REGISTER, in.flow(), null, request.getCallId().getCallId(), null, null, null);
        servers.put(server.key, server);
        RegisterRequest.Parsed parsed = RegisterRequest.parse(request, user, in.flow(), in.zone());
        if (parsed.request() == null) {
            answerRegister(server, request, RegisterResult.refused(parsed.status(), Instant.now()), parsed.reason());
            return;
        }
        // Should the registrar's answer never come back (a queue full on the way), the phone still gets one and
        // the transaction does not linger: a little after the PBX's own transaction timeout.
        server.expiryTimer = schedule(() -> {
            if (!server.finalSent()) {
                answerRegister(server, request, RegisterResult.refused(408, Instant.now()), null);
            }
        }, settings.transactionTimeoutMillis() + 2 * t1Millis);
        try {
            registrar.register(parsed.request(), result -> handBack(() -> {
                if (!server.finalSent()) {
                    answerRegister(server, request, result, null);
                }
            }));
        } catch (RejectedExecutionException e) {
            metrics.dropped(RelayDropReason.OVERLOAD);
            answerRegister(server, request, RegisterResult.refused(503, Instant.now()), null);
        }
    }

    /** Runs {@code task} on this shard from another thread; a full queue drops it (the caller has a fallback). */
    private void handBack(Runnable task) {
        try {
            executor.execute(guarded("registrar answer", task));
        } catch (RejectedExecutionException e) {
            metrics.dropped(RelayDropReason.OVERLOAD);
        }
    }

    private void answerRegister(ServerTransaction server, SIPRequest request, RegisterResult result, String reason) {
        SIPResponse response = RegisterMessages.phoneAnswer(request, result, ids.newTag(), reason);
        TopologyHiding.strip(response);
        answer(server, response.encodeAsBytes(server.flow.transport().viaToken()), result.status());
        metrics.localResponse(result.status());
    }

    @Override
    public String newCallId() {
        return ids.newCallId();
    }

    @Override
    public String newTag() {
        return ids.newTag();
    }

    @Override
    public void register(String aor, String callId, String fromTag, long cseq, long expires,
            java.util.function.Consumer<Answer> answer) {
        RelaySettings.ZonePeer pbx = settings.zones().get(settings.pbxZone());
        SIPRequest register = RegisterMessages.pbxRegister(topology, pbx, aor, callId, fromTag, cseq, expires);
        ClientTransaction client = send(register, null, null, null, pbx.zone(),
                flows.flowTo(pbx.transport(), pbx.address()));
        client.onFinal = response -> answer.accept(response == null ? Answer.TIMEOUT
                : RegisterMessages.pbxAnswer(response));
        registrarTransactions++;
    }

    // --------------------------------------------------------------------------------------------- policy

    /**
     * Runs the edge policy on an out-of-dialog request; answers or drops it and returns null when it may not pass.
     * Credentials for the SBC's own realm never travel on.
     */
    private Verdict admitted(InboundSipMessage in, SIPRequest request, String method, boolean toSbc) {
        Verdict verdict = policy.check(in.zone(), in.flow().remote().getAddress(), request,
                Request.INVITE.equals(method), !toSbc);
        switch (verdict.kind()) {
            case ALLOW -> {
                if (verdict.user() != null) {
                    removeCredentials(request);
                }
                return verdict;
            }
            case DROP -> {
                metrics.dropped(RelayDropReason.POLICY);
                return null;
            }
            default -> {
                SIPResponse response = refusal(request, verdict);
                setTag((To) response.getTo(), ids.newTag());
                sendStateless(in, response);
                return null;
            }
        }
    }

    /** The challenge or refusal a verdict gives, with the headers it carries (a challenge, Retry-After). */
    private static SIPResponse refusal(SIPRequest request, Verdict verdict) {
        SIPResponse response = request.createResponse(verdict.status());
        HeaderFactoryImpl headers = new HeaderFactoryImpl();
        verdict.headers().forEach((name, values) -> values.forEach(value -> {
            try {
                response.addHeader(headers.createHeader(name, value));
            } catch (ParseException e) {
                throw new IllegalStateException("cannot build " + name, e);
            }
        }));
        return response;
    }

    /**
     * A new call from the PBX toward the trunk waits for the toll-fraud service under a server transaction of its
     * own: 100 Trying at once, the PBX's retransmissions absorbed, a CANCEL noted. The answer comes back to this
     * shard through the guarded hand-off; should it never come, the PBX gets 503 when the transaction times out.
     */
    private void checkTollFraud(InboundSipMessage in, SIPRequest request, List<Branch> branches) {
        ServerTransaction waiting = new ServerTransaction(serverKey(in.zone(), request, Request.INVITE),
                Request.INVITE, in.flow(), (ViaList) request.getViaHeaders().clone(), request.getCallId().getCallId(),
                (From) request.getFrom().clone(), (To) request.getTo().clone(), null);
        servers.put(waiting.key, waiting);
        sendLocal(waiting, request.createResponse(100), null);
        metrics.localResponse(100);
        waiting.expiryTimer = schedule(() -> {
            if (!waiting.finalSent()) {
                refuseWaiting(waiting, request.createResponse(503));
            }
        }, settings.transactionTimeoutMillis());
        fraud.checkNewCall(TollFraudService.CallAttempt.of(in.zone(), in.flow().remote().getAddress(), request),
                verdict -> {
                    boolean handedBack = handOff.execute(HandOff.TOLL_FRAUD_ANSWER, executor,
                            guarded("toll-fraud answer", () -> tollFraudAnswered(in, request, branches, waiting,
                                    verdict)));
                    if (!handedBack && verdict.allowed()) {
                        fraud.callEnded(verdict.fraud());
                    }
                });
    }

    /**
     * Ends a call that waited for the toll-fraud service with a final refusal, sent once like the policy's own
     * refusals; a lost one is sent again when the INVITE is retransmitted, until the transaction expires.
     */
    private void refuseWaiting(ServerTransaction waiting, SIPResponse response) {
        setTag((To) response.getTo(), ids.newTag());
        response.removeHeader(Contact.NAME);
        TopologyHiding.strip(response);
        cancel(waiting.expiryTimer);
        cancel(waiting.retransmitTimer);
        waiting.release();
        waiting.state = ServerTransaction.State.COMPLETED;
        waiting.lastResponse = response.encodeAsBytes(waiting.flow.transport().viaToken());
        waiting.lastStatus = response.getStatusCode();
        waiting.flow.send(waiting.lastResponse);
        metrics.localResponse(waiting.lastStatus);
        waiting.expiryTimer = schedule(() -> removeServer(waiting), settings.transactionTimeoutMillis());
    }

    /** The toll-fraud service's answer on a call that waited for it: relay it, or refuse it, and say why. */
    private void tollFraudAnswered(InboundSipMessage in, SIPRequest request, List<Branch> branches,
            ServerTransaction waiting, Verdict verdict) {
        boolean relay = verdict.allowed() && !waiting.finalSent() && !waiting.cancelled && dialogCount < maxDialogs;
        if (verdict.allowed() && !relay) {
            fraud.callEnded(verdict.fraud());
        }
        if (waiting.finalSent()) {
            return;
        }
        if (relay) {
            cancel(waiting.expiryTimer);
            servers.remove(waiting.key, waiting);
            forwardInitial(in, request, Request.INVITE, branches, true, verdict.fraud());
        } else if (waiting.cancelled) {
            refuseWaiting(waiting, request.createResponse(487));
        } else if (verdict.allowed()) {
            metrics.dialogOverflow();
            refuseWaiting(waiting, request.createResponse(503));
        } else {
            refuseWaiting(waiting, refusal(request, verdict));
            if (verdict.fraud() != null && cdrs != null) {
                recordRefusedCall(in, request, verdict, settings.routes().get(in.zone()));
            }
        }
    }

    // ------------------------------------------------------------------------------------------------ media

    /**
     * Anchors the SDP of a request; when that is impossible, answers it (488 for SDP the SBC cannot read, 503 when
     * the port range is exhausted) and returns false.
     */
    private boolean anchorOrRefuse(InboundSipMessage in, SIPRequest request, RelayDialog dialog, MediaSide side) {
        MediaAnchor.Outcome anchored = media.anchor(dialog, side, request, in.flow().remote().getAddress(),
                this::mediaTimedOut);
        if (anchored == MediaAnchor.Outcome.BAD_SDP) {
            respondStateless(in, request, 488, null);
            return false;
        }
        if (anchored == MediaAnchor.Outcome.NO_PORTS) {
            respondStateless(in, request, 503, null);
            return false;
        }
        return true;
    }

    /** Called on a media thread: the call's media stopped; the dialog's own shard ends it. */
    private void mediaTimedOut(RelayDialog dialog) {
        executor.execute(() -> tearDown(dialog, "media-timeout"));
    }

    private static MediaSide sideOf(RelayDialog dialog, Leg leg) {
        return leg == dialog.a ? MediaSide.A : MediaSide.B;
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void respondStateless(InboundSipMessage in, SIPRequest request, int status, String reason) {
        SIPResponse response = reason == null ? request.createResponse(status) : request.createResponse(status, reason);
        if (status >= 200 && response.getToTag() == null) {
            setTag((To) response.getTo(), ids.newTag());
        }
        if (status == 503) {
            RetryAfter retryAfter = new RetryAfter();
            try {
                retryAfter.setRetryAfter(OVERLOAD_RETRY_AFTER_SECONDS);
            } catch (InvalidArgumentException e) {
                throw new IllegalStateException(e);
            }
            response.setHeader(retryAfter);
        }
        sendStateless(in, response);
    }

    private void sendStateless(InboundSipMessage in, SIPResponse response) {
        response.removeHeader(Contact.NAME);
        TopologyHiding.strip(response);
        in.flow().send(response.encodeAsBytes(in.flow().transport().viaToken()));
        metrics.localResponse(response.getStatusCode());
    }

    /** RFC 3261 §18.2.1 and RFC 3581 §4: note where the request really came from in the topmost Via. */
    private static void markReceived(SIPRequest request, InetSocketAddress source) {
        Via top = request.getTopmostVia();
        if (top == null) {
            return;
        }
        String sourceHost = source.getAddress().getHostAddress();
        try {
            if (!sourceHost.equals(top.getHost())) {
                top.setReceived(sourceHost);
            }
            if (top.hasParameter("rport")) {
                top.setParameter("rport", Integer.toString(source.getPort()));
            }
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Credentials a phone gave for the SBC's own realm: they never travel on. */
    private static void removeCredentials(SIPRequest request) {
        request.removeHeader("Authorization");
        request.removeHeader("Proxy-Authorization");
    }

    /** Access zones (remote phones) are the ones without a configured peer. */
    private boolean isAccessZone(String zone) {
        RelaySettings.ZonePeer peer = settings.zones().get(zone);
        return peer != null && peer.address() == null;
    }

    private static String serverKey(String zone, SIPRequest request, String method) {
        Via top = request.getTopmostVia();
        String branch = top == null ? null : top.getBranch();
        if (branch != null && branch.startsWith(SipIdentifiers.BRANCH_COOKIE)) {
            return zone + '\n' + branch + '\n' + top.getSentBy().encode() + '\n' + method;
        }
        // RFC 2543 peers: match on the request's identifying headers instead (RFC 3261 §17.2.3).
        return zone + '\n' + request.getCallId().getCallId() + '\n' + request.getCSeq().getSeqNumber() + '\n'
                + request.getFromTag() + '\n' + method;
    }

    private static String clientKey(String branch, String method) {
        return branch + '\n' + method;
    }

    private static boolean addressedToSbc(SIPRequest request) {
        return request.getRequestURI() instanceof SipUri uri && uri.getUser() == null;
    }

    private static URI contactUri(SIPMessage message) {
        Contact contact = message.getContactHeader();
        return contact == null || contact.getAddress() == null ? null : (URI) contact.getAddress().getURI().clone();
    }

    private SipFlow initialFlowToward(InboundSipMessage in) {
        // A connection the peer opened is reused for requests back to it (RFC 5923 style connection reuse), and a
        // zone without a configured peer (remote phones behind NAT) is reached where it came from (RFC 3581).
        RelaySettings.ZonePeer peer = settings.zones().get(in.zone());
        if (in.flow().transport().reliable() || peer.address() == null) {
            return in.flow();
        }
        return flows.flowTo(peer.transport(), peer.address());
    }

    private SipFlow flowToward(Leg leg) {
        RelaySettings.ZonePeer peer = settings.zones().get(leg.zone);
        if ((leg.requestFlow == null || !leg.requestFlow.isOpen()) && peer.address() != null) {
            leg.requestFlow = flows.flowTo(peer.transport(), peer.address());
        }
        return leg.requestFlow;
    }

    private URI remoteTargetOf(Leg leg) {
        if (leg.remoteTarget != null) {
            return (URI) leg.remoteTarget.clone();
        }
        RelaySettings.ZonePeer peer = settings.zones().get(leg.zone);
        return peerUri(null, peer);
    }

    private static SipUri peerUri(String user, RelaySettings.ZonePeer peer) {
        SipUri uri = new SipUri();
        try {
            if (user != null) {
                uri.setUser(user);
            }
            uri.setHost(peer.address().getAddress().getHostAddress());
            uri.setPort(peer.address().getPort());
            if (peer.transport() != SipTransport.UDP) {
                uri.setTransportParam(peer.transport().name().toLowerCase(java.util.Locale.ROOT));
            }
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
        return uri;
    }

    private void replaceVias(SIPRequest request, SipTransport transport, String branch) {
        request.removeHeader(Via.NAME);
        request.setHeader(topology.via(transport, branch));
    }

    private static void decrementMaxForwards(SIPRequest request) {
        MaxForwards maxForwards = (MaxForwards) request.getHeader(MaxForwards.NAME);
        if (maxForwards == null) {
            return;
        }
        try {
            maxForwards.decrementMaxForwards();
        } catch (TooManyHopsException e) {
            throw new IllegalStateException("Max-Forwards was checked before forwarding", e);
        }
    }

    private static void setCallId(SIPMessage message, String callId) {
        try {
            message.setCallId(callId);
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void setTag(To to, String tag) {
        try {
            to.setTag(tag);
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }
}
