package org.edgesbc.core.relay;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.sip.message.Request;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;
import org.edgesbc.transport.message.ViaHop;

/**
 * RFC 3261 §17 for one relay shard: server and client transactions, how requests and responses match them, their
 * timers and retransmissions. It knows nothing of dialogs: what a transaction is for is its user's business
 * ({@link ServerTransaction.User}, {@link ClientTransaction.User}). Bounded: beyond its share of
 * {@code sip.max-transactions} the shard refuses new requests ({@link #full}). A completed transaction that only
 * absorbs retransmissions until its timer ends (J, K, or RFC 6026's L and M of an accepted INVITE) leaves the maps
 * for {@link AbsorbingTransactions}, which has bounds of its own.
 */
final class TransactionLayer {
    /** RFC 3261 §16.6 step 8 (Timer C): a proxy gives up on a ringing INVITE after more than three minutes. */
    private static final long TIMER_C_MILLIS = 181_000;
    /** Timer D over UDP: how long a failed INVITE absorbs retransmitted final responses (RFC 3261 §17.1.1.2). */
    private static final long TIMER_D_MILLIS = 32_000;
    /** How often an idle shard lets go of absorbing transactions whose time is over (and refreshes its gauges). */
    private static final long SWEEP_MILLIS = 1_000;
    /** Response bytes an absorbing server transaction keeps, on average, before the store's byte bound cuts. */
    private static final int RESPONSE_BYTES_PER_ENTRY = 1024;
    /** Key bytes an absorbing client transaction keeps, on average, before the store's byte bound cuts. */
    private static final int KEY_BYTES_PER_ENTRY = 128;

    private final ShardLoop loop;
    private final SipIdentifiers ids;
    private final TopologyHiding topology;
    private final RelayMetrics metrics;
    private final int maxTransactions;
    private final long t1Millis;
    private final long t2Millis;
    private final long t4Millis;
    private final long timeoutMillis;
    private final SurplusAnswers surplusAnswers;

    private final Map<String, ServerTransaction> servers = new HashMap<>();
    private final Map<String, ClientTransaction> clients = new HashMap<>();
    /** Client transactions in {@link #clients} that do not count against the bound. */
    private int unboundedClients;
    /**
     * Completed server transactions absorbing retransmitted requests: non-INVITE ones over UDP (Timer J) with their
     * final response, and INVITEs after a 2xx (RFC 6026 Timer L) with none.
     */
    private final AbsorbingTransactions answeredServers;
    /** Completed non-INVITE client transactions over UDP absorbing retransmitted responses (Timer K). */
    private final AbsorbingTransactions answeredClients;
    /**
     * Accepted INVITE client transactions whose 2xx was relayed (RFC 6026 Timer M): the far side's retransmissions
     * of it get the relayed bytes again, and a 2xx from another early dialog is hung up.
     */
    private final AbsorbingTransactions acceptedInvites;

    TransactionLayer(ShardContext shard, int maxTransactions) {
        RelaySettings settings = shard.settings();
        this.loop = shard.loop();
        this.ids = shard.ids();
        this.topology = shard.topology();
        this.metrics = shard.metrics();
        this.maxTransactions = maxTransactions;
        this.t1Millis = settings.t1().toMillis();
        this.t2Millis = settings.t2().toMillis();
        this.t4Millis = settings.t4().toMillis();
        this.timeoutMillis = settings.transactionTimeoutMillis();
        this.surplusAnswers = new SurplusAnswers(this, topology, ids, metrics);
        this.answeredServers = new AbsorbingTransactions(TimeUnit.MILLISECONDS.toNanos(timeoutMillis),
                System::nanoTime, maxTransactions, byteBound(maxTransactions, RESPONSE_BYTES_PER_ENTRY),
                metrics::retransmissionWindowCut);
        this.answeredClients = new AbsorbingTransactions(TimeUnit.MILLISECONDS.toNanos(t4Millis), System::nanoTime,
                maxTransactions, byteBound(maxTransactions, KEY_BYTES_PER_ENTRY), metrics::retransmissionWindowCut);
        this.acceptedInvites = new AbsorbingTransactions(TimeUnit.MILLISECONDS.toNanos(timeoutMillis),
                System::nanoTime, maxTransactions, byteBound(maxTransactions, RESPONSE_BYTES_PER_ENTRY),
                metrics::retransmissionWindowCut);
        sweepAbsorbing();
    }

    /** {@code entries} times {@code perEntry} bytes, at least 256 KiB (a few large responses) and at most 1 GiB. */
    private static int byteBound(int entries, int perEntry) {
        return (int) Math.min(Math.max((long) entries * perEntry, 256 * 1024), 1 << 30);
    }

    private void sweepAbsorbing() {
        answeredServers.expire();
        answeredClients.expire();
        acceptedInvites.expire();
        loop.schedule("absorbing sweep", this::sweepAbsorbing, SWEEP_MILLIS);
    }

    /** Transactions of the shard, absorbing ones included. */
    int size() {
        return servers.size() + clients.size() + answeredServers.size() + answeredClients.size()
                + acceptedInvites.size();
    }

    /**
     * Whether the shard is at its bound of transactions in progress. Absorbing ones do not count: their store
     * lets the oldest go early instead ({@link RelayMetrics#retransmissionWindowCut}).
     */
    boolean full() {
        return servers.size() + clients.size() - unboundedClients >= maxTransactions;
    }

    // ------------------------------------------------------------------------------------------- server side

    /**
     * Absorbs a retransmitted request (RFC 3261 §17.2.1, §17.2.2): the last response is sent again. Returns false
     * when the request starts no known transaction.
     */
    boolean absorbRetransmission(String zone, SipMessageView request) {
        String key = serverKey(zone, request, request.method());
        ServerTransaction existing = servers.get(key);
        if (existing != null) {
            metrics.retransmissionAbsorbed();
            if (existing.lastResponse != null) {
                existing.flow.send(existing.lastResponse);
            }
            return true;
        }
        long answered = answeredServers.find(key);
        if (answered == AbsorbingTransactions.NONE) {
            return false;
        }
        metrics.retransmissionAbsorbed();
        answeredServers.resend(answered);
        return true;
    }

    ServerTransaction createServer(InboundRequest request) {
        String method = request.method();
        ServerTransaction server = new ServerTransaction(serverKey(request.zone(), request.view(), method), method,
                request.flow(), request.vias());
        servers.put(server.key, server);
        return server;
    }

    /**
     * The INVITE server transaction a CANCEL or an ACK names while it can still be acted on, or null (RFC 3261 §9.2,
     * §17.2.3); an INVITE that has its 2xx is no longer here ({@link #inviteAccepted}).
     */
    ServerTransaction inviteServerOf(String zone, SipMessageView cancelOrAck) {
        return servers.get(serverKey(zone, cancelOrAck, Request.INVITE));
    }

    /** Whether the INVITE a CANCEL names has had its 2xx and still absorbs retransmissions (RFC 6026 Accepted). */
    boolean inviteAccepted(String zone, SipMessageView cancel) {
        return answeredServers.find(serverKey(zone, cancel, Request.INVITE)) != AbsorbingTransactions.NONE;
    }

    /**
     * RFC 3261 §17.2.1: an ACK for the SBC's own non-2xx final response ends Timer G and goes no further. Returns
     * true when the ACK was such an ACK (or its retransmission); false for an ACK of a 2xx, which is end to end.
     */
    boolean absorbAck(String zone, SipMessageView ack) {
        ServerTransaction invite = inviteServerOf(zone, ack);
        if (invite != null && invite.state == ServerTransaction.State.COMPLETED) {
            invite.state = ServerTransaction.State.CONFIRMED;
            ShardLoop.cancel(invite.retransmitTimer);
            return true;
        }
        if (invite != null && invite.state == ServerTransaction.State.CONFIRMED) {
            metrics.retransmissionAbsorbed();
            return true;
        }
        return false;
    }

    /** Sends a response of a server transaction, kept for retransmitted requests; a final one completes it. */
    void respond(ServerTransaction server, byte[] bytes, int status) {
        server.lastResponse = bytes;
        server.lastStatus = status;
        server.flow.send(bytes);
        if (status >= 200) {
            complete(server, status);
        }
    }

    private void complete(ServerTransaction server, int status) {
        ShardLoop.cancel(server.retransmitTimer);
        ShardLoop.cancel(server.expiryTimer);
        boolean reliable = server.flow.transport().reliable();
        if (Request.INVITE.equals(server.method)) {
            if (status >= 300) {
                server.release();
                server.state = ServerTransaction.State.COMPLETED;
                if (!reliable) {
                    scheduleResponseRetransmit(server, t1Millis);
                }
                // Timer H: retransmitted INVITEs get the response again meanwhile, and the ACK ends Timer G.
                server.expiryTimer = loop.schedule("timer H", () -> removeServer(server), timeoutMillis);
            } else {
                server.state = ServerTransaction.State.TERMINATED;
                // RFC 6026 §8.7, Timer L: in the Accepted state retransmitted INVITEs are absorbed, not answered;
                // the 2xx is retransmitted by the far side until it has its ACK, and relayed through here each time.
                servers.remove(server.key, server);
                answeredServers.add(server.key, null, server.flow, null);
            }
        } else {
            server.release();
            server.state = ServerTransaction.State.COMPLETED;
            servers.remove(server.key, server);
            // Timer J: 64*T1 over UDP, zero over reliable transports (RFC 3261 §17.2.2).
            if (!reliable) {
                answeredServers.add(server.key, null, server.flow, server.lastResponse);
            }
        }
    }

    /** Timer G: resend a non-2xx final response until the ACK arrives, doubling up to T2. */
    private void scheduleResponseRetransmit(ServerTransaction server, long interval) {
        server.retransmitTimer = loop.schedule("timer G", () -> {
            if (server.state == ServerTransaction.State.COMPLETED) {
                server.flow.send(server.lastResponse);
                scheduleResponseRetransmit(server, Math.min(interval * 2, t2Millis));
            }
        }, interval);
    }

    private void removeServer(ServerTransaction server) {
        ShardLoop.cancel(server.retransmitTimer);
        ShardLoop.cancel(server.expiryTimer);
        servers.remove(server.key, server);
    }

    // ------------------------------------------------------------------------------------------- client side

    /**
     * Sends {@code request} under a new client transaction whose Via, with a fresh branch, replaces the whole
     * stack (the requester's stays in its server transaction).
     */
    ClientTransaction send(SipMessageWriter request, SipFlow flow, String targetZone, ClientTransaction.User user,
            boolean bounded) {
        String branch = ids.newBranch();
        SipMessageView sent = OwnMessages.read(request.lines(SipHeaderName.VIA,
                "Via: " + topology.via(flow.transport(), branch) + "\r\n").toBytes());
        String method = sent.method();
        return start(new ClientTransaction(clientKey(branch, method), method, sent, flow, targetZone, user, bounded));
    }

    /** RFC 3261 §9.1: a CANCEL for a proceeding INVITE, under the INVITE's branch, to the same flow. */
    void sendCancel(ClientTransaction invite) {
        SipMessageView request = invite.request;
        SipMessageView cancel = hopByHop(request, Request.CANCEL, request.header(SipHeaderName.TO));
        start(new ClientTransaction(clientKey(request.topVia().branch(), Request.CANCEL), Request.CANCEL, cancel,
                invite.flow, invite.targetZone, invite.user, invite.bounded));
    }

    private ClientTransaction start(ClientTransaction client) {
        clients.put(client.key, client);
        if (!client.bounded) {
            unboundedClients++;
        }
        client.flow.send(client.request.bytes());
        metrics.requestRelayed(client.method);
        startTimers(client);
        return client;
    }

    /**
     * CANCEL (RFC 3261 §9.1) and the ACK of a non-2xx final response (§17.1.1.3) of a request the SBC sent: its
     * Request-URI, top Via, From, Call-ID and CSeq number, with the given To.
     */
    private static SipMessageView hopByHop(SipMessageView request, String method, String to) {
        return OwnMessages.request(method, request.requestUri(), request.headers(SipHeaderName.VIA).get(0),
                request.header(SipHeaderName.FROM), to, request.callId(), request.cseqNumber(), "");
    }

    /** Cancels an INVITE now if it is proceeding, or as soon as it is (RFC 3261 §9.1: not before a 1xx). */
    void cancelWhenProceeding(ClientTransaction invite) {
        if (invite.state == ClientTransaction.State.PROCEEDING) {
            sendCancel(invite);
        } else if (invite.state == ClientTransaction.State.CALLING) {
            invite.cancelPending = true;
        }
    }

    /**
     * Stops waiting for a client transaction that has had no response yet: no more retransmissions. An INVITE is
     * cancelled should a provisional response still come (RFC 3261 §9.1); the transaction stays until Timer B or F,
     * and its user still hears what comes late.
     */
    void giveUp(ClientTransaction client) {
        ShardLoop.cancel(client.retransmitTimer);
        if (Request.INVITE.equals(client.method)) {
            client.cancelPending = true;
        }
    }

    /** Matches a response to its client transaction and runs the state machine; strays are dropped and counted. */
    void onResponse(String zone, SipMessageView response, InetAddress source) {
        ViaHop top = response.topVia();
        String key = top.branch() == null ? null : clientKey(top.branch(), response.cseqMethod());
        ClientTransaction client = key == null ? null : clients.get(key);
        if (client == null) {
            absorbAnswered(key, zone, response);
            return;
        }
        if (!client.targetZone.equals(zone)) {
            metrics.dropped(RelayDropReason.WRONG_SOURCE);
            return;
        }
        if (Request.INVITE.equals(client.method)) {
            onInviteResponse(client, response, source);
        } else {
            onNonInviteResponse(client, response, source);
        }
    }

    /** A response for a client transaction that only absorbs retransmissions now, if it is one; else a stray. */
    private void absorbAnswered(String key, String zone, SipMessageView response) {
        boolean invite = Request.INVITE.equals(response.cseqMethod());
        AbsorbingTransactions store = invite ? acceptedInvites : answeredClients;
        long entry = key == null ? AbsorbingTransactions.NONE : store.find(key);
        if (entry == AbsorbingTransactions.NONE) {
            metrics.dropped(RelayDropReason.NO_TRANSACTION);
            return;
        }
        if (!store.zone(entry).equals(zone)) {
            metrics.dropped(RelayDropReason.WRONG_SOURCE);
            return;
        }
        int status = response.statusCode();
        if (!invite) {
            metrics.retransmissionAbsorbed();
        } else if (status >= 200 && status < 300) {
            String tag = response.to().tag();
            if (tag != null && !store.hasTag(entry, tag)) {
                store.surplusTag(entry, surplusAnswers.hangUp(store.farFlow(entry), zone, store.surplusTag(entry),
                        response));
            } else {
                metrics.retransmissionAbsorbed();
                store.resend(entry);
            }
        }
    }

    /**
     * An INVITE's 2xx was relayed to the caller as {@code answer} over {@code flow}: the far side's retransmissions
     * of it (RFC 6026 Accepted state, Timer M) get those bytes again. The transaction leaves for the absorbing
     * store, and nothing of the call stays reachable from it.
     */
    void keepAnswer(ClientTransaction invite, byte[] answer, SipFlow flow) {
        invite.user = ClientTransaction.Unheard.INSTANCE;
        if (invite.state != ClientTransaction.State.ACCEPTED || !clients.remove(invite.key, invite)) {
            return;
        }
        if (!invite.bounded) {
            unboundedClients--;
        }
        ShardLoop.cancel(invite.timeoutTimer);
        acceptedInvites.add(invite.key, invite.targetZone, flow, answer, invite.answerTag, invite.flow);
    }

    /** RFC 3261 §17.1.1 with RFC 6026's Accepted state. */
    private void onInviteResponse(ClientTransaction client, SipMessageView response, InetAddress source) {
        int status = response.statusCode();
        switch (client.state) {
            case CALLING, PROCEEDING -> {
                ShardLoop.cancel(client.retransmitTimer);
                if (status < 200) {
                    if (client.state == ClientTransaction.State.CALLING) {
                        client.state = ClientTransaction.State.PROCEEDING;
                        ShardLoop.cancel(client.timeoutTimer);
                        client.timeoutTimer = loop.schedule("timer C", () -> timeout(client), TIMER_C_MILLIS);
                        if (client.cancelPending) {
                            sendCancel(client);
                        }
                    }
                    if (status != 100) {
                        client.user.provisional(client, response, source);
                    }
                } else if (status < 300) {
                    ShardLoop.cancel(client.timeoutTimer);
                    // RFC 6026 Accepted: stay to relay the far side's 2xx retransmissions until it has the ACK.
                    client.state = ClientTransaction.State.ACCEPTED;
                    client.answerTag = response.to().tag();
                    client.release();
                    client.timeoutTimer = loop.schedule("accepted wait", () -> removeClient(client), timeoutMillis);
                    client.user.finalResponse(client, response, source);
                } else {
                    ShardLoop.cancel(client.timeoutTimer);
                    client.state = ClientTransaction.State.COMPLETED;
                    client.ackBytes = ackFor(client, response);
                    client.flow.send(client.ackBytes);
                    client.timeoutTimer = loop.schedule("timer D", () -> removeClient(client),
                            client.flow.transport().reliable() ? 0 : TIMER_D_MILLIS);
                    // Released after its user saw the failure: a redirect is followed with the request it answers.
                    try {
                        client.user.finalResponse(client, response, source);
                    } finally {
                        client.release();
                    }
                }
            }
            case ACCEPTED -> {
                String tag = response.to().tag();
                if (status >= 200 && status < 300 && tag != null && !tag.equals(client.answerTag)) {
                    client.surplusTag = surplusAnswers.hangUp(client.flow, client.targetZone, client.surplusTag,
                            response);
                } else if (status >= 200 && status < 300) {
                    client.user.successRetransmitted(client, response, source);
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

    /** RFC 3261 §17.1.2. */
    private void onNonInviteResponse(ClientTransaction client, SipMessageView response, InetAddress source) {
        if (client.state != ClientTransaction.State.CALLING && client.state != ClientTransaction.State.PROCEEDING) {
            metrics.retransmissionAbsorbed();
            return;
        }
        int status = response.statusCode();
        if (status < 200) {
            client.state = ClientTransaction.State.PROCEEDING;
            if (status > 100) {
                client.user.provisional(client, response, source);
            }
            return;
        }
        client.state = ClientTransaction.State.COMPLETED;
        removeClient(client);
        // Timer K: T4 over UDP to absorb retransmitted responses, nothing over reliable transports.
        if (!client.flow.transport().reliable()) {
            answeredClients.add(client.key, client.targetZone, null, null);
        }
        client.user.finalResponse(client, response, source);
    }

    private void startTimers(ClientTransaction client) {
        if (!client.flow.transport().reliable()) {
            client.retransmitIntervalMillis = t1Millis;
            client.retransmitTimer = loop.schedule("timer A/E", () -> retransmit(client), t1Millis);
        }
        client.timeoutTimer = loop.schedule("timer B/F", () -> timeout(client), timeoutMillis);
    }

    /** Timers A and E (RFC 3261 §17.1.1.2, §17.1.2.2). */
    private void retransmit(ClientTransaction client) {
        boolean invite = Request.INVITE.equals(client.method);
        boolean active = client.state == ClientTransaction.State.CALLING
                || (!invite && client.state == ClientTransaction.State.PROCEEDING);
        if (!active) {
            return;
        }
        client.flow.send(client.request.bytes());
        long next = client.retransmitIntervalMillis * 2;
        if (!invite) {
            next = client.state == ClientTransaction.State.PROCEEDING ? t2Millis : Math.min(next, t2Millis);
        }
        client.retransmitIntervalMillis = next;
        client.retransmitTimer = loop.schedule("timer A/E", () -> retransmit(client), next);
    }

    /** Timers B, F and C: the far side did not answer in time; a proceeding INVITE is cancelled. */
    private void timeout(ClientTransaction client) {
        if (client.state != ClientTransaction.State.CALLING && client.state != ClientTransaction.State.PROCEEDING) {
            return;
        }
        metrics.transactionTimeout();
        ShardLoop.cancel(client.retransmitTimer);
        if (Request.INVITE.equals(client.method) && client.state == ClientTransaction.State.PROCEEDING) {
            sendCancel(client);
        }
        client.state = ClientTransaction.State.TERMINATED;
        try {
            client.user.timedOut(client);
        } finally {
            removeClient(client);
        }
    }

    private void removeClient(ClientTransaction client) {
        client.release();
        ShardLoop.cancel(client.retransmitTimer);
        ShardLoop.cancel(client.timeoutTimer);
        if (clients.remove(client.key, client) && !client.bounded) {
            unboundedClients--;
        }
    }

    private static byte[] ackFor(ClientTransaction invite, SipMessageView response) {
        return hopByHop(invite.request, Request.ACK, response.header(SipHeaderName.TO)).bytes();
    }

    // ---------------------------------------------------------------------------------------------- matching

    private static String serverKey(String zone, SipMessageView request, String method) {
        ViaHop top = request.topVia();
        String branch = top.branch();
        if (branch != null && branch.startsWith(SipIdentifiers.BRANCH_COOKIE)) {
            return zone + '\n' + branch + '\n' + top.sentBy() + '\n' + method;
        }
        // RFC 2543 peers: match on the request's identifying headers instead (RFC 3261 §17.2.3).
        return zone + '\n' + request.callId() + '\n' + request.cseqNumber() + '\n' + request.from().tag() + '\n'
                + method;
    }

    private static String clientKey(String branch, String method) {
        return branch + '\n' + method;
    }
}
