package org.edgesbc.core.relay;

import io.netty.util.concurrent.EventExecutor;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.cdr.CallRecordSink;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.core.identity.CallerIdentityService;
import org.edgesbc.core.registrar.Registrar;
import org.edgesbc.core.registrar.RegistrarMetrics;
import org.edgesbc.core.security.RequestPolicy;
import org.edgesbc.core.security.TollFraudService;
import org.edgesbc.media.MediaRelay;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.SteadyWallTime;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipMessageSink;

/**
 * Hands each gated message to the relay shard that owns its dialog. A shard is one thread with a bounded queue, whose
 * work the I/O thread does itself while the shard is idle and the I/O thread keeps up with its socket
 * ({@link ShardExecutor}); a message arriving at a full queue is dropped and counted (the sender retransmits, or
 * gives up, which is what a server beyond its capacity must let happen rather than queue without end). The
 * constructor is the relay's wiring: what each shard is made of, read top to bottom.
 */
public final class RelayEngine implements SipMessageSink, AutoCloseable {
    private final RelayShard[] shards;
    private final String callIdPrefix;
    private final RelayMetrics metrics;
    private final Registrar registrar;
    private final GuardedHandOff handOffs;
    private final NewCallGate newCalls = new NewCallGate();
    private final PeerDirectory peers;
    /** The SBC's registrations at trunks, on the first shard; empty when no trunk account registers. */
    private final List<TrunkRegistration> trunkRegistrations = new ArrayList<>();
    private final PeerHealthTable health;
    private final PeerNames names;
    private final ShardThreads threads;

    /**
     * @param media the media relay SDP is anchored on, or null to let SDP pass unchanged
     * @param policy the edge policy out-of-dialog requests pass
     * @param fraud the toll-fraud guard calls from the PBX out through the trunk pass
     * @param callerIdentity STIR/SHAKEN signing and verification ({@link CallerIdentityService#off} for none)
     * @param handOffs how other threads hand work to the shards (and the shards to the registrar)
     * @param cdrs where call detail records go
     * @param phones how remote phones register, or null to relay their REGISTERs to the PBX unchanged
     * @param interconnect the SBC's accounts at its peers and the zones' number and header rules
     */
    public RelayEngine(RelaySettings settings, FlowProvider flows, RelayMetrics metrics, MediaRelay media,
            RequestPolicy policy, TollFraudService fraud, CallerIdentityService callerIdentity,
            GuardedHandOff handOffs, CallRecordSink cdrs, Clock clock, ShardThreads threads, Registrations phones) {
        this(settings, flows, metrics, media, policy, fraud, callerIdentity, handOffs, cdrs, clock, threads, phones,
                PeerMetrics.NONE, PeerNames.NONE, Interconnect.NONE);
    }

    /**
     * @param peerMetrics counters of peer probes and of calls that moved on to another target
     * @param names where peers named by host name are located
     * @param interconnect the SBC's accounts at its peers and the zones' number and header rules
     * @see #RelayEngine(RelaySettings, FlowProvider, RelayMetrics, MediaRelay, RequestPolicy, TollFraudService,
     *     CallerIdentityService, GuardedHandOff, CallRecordSink, Clock, ShardThreads, Registrations)
     */
    public RelayEngine(RelaySettings settings, FlowProvider flows, RelayMetrics metrics, MediaRelay media,
            RequestPolicy policy, TollFraudService fraud, CallerIdentityService callerIdentity,
            GuardedHandOff handOffs, CallRecordSink cdrs, Clock clock, ShardThreads threads, Registrations phones,
            PeerMetrics peerMetrics, PeerNames names, Interconnect interconnect) {
        int shardCount = threads.count();
        this.threads = threads;
        SecureRandom random = new SecureRandom();
        PeerAccounts accounts = interconnect.accounts();
        this.callIdPrefix = SipIdentifiers.newInstancePrefix(random);
        this.metrics = metrics;
        this.handOffs = handOffs;
        TopologyHiding topology = new TopologyHiding(settings.advertisedHost(), settings.listenerPorts());
        RateLimitedLog log = new RateLimitedLog("org.edgesbc.relay");
        Map<String, SrtpPolicy> srtp = new HashMap<>();
        settings.zones().forEach((name, peer) -> srtp.put(name, peer.srtp()));
        MediaAnchor anchor = media == null ? MediaAnchor.PASS_THROUGH : new SdpMediaAnchor(media, srtp);
        PeerDirectory peers = new PeerDirectory(settings, flows);
        this.peers = peers;
        this.names = names;
        PeerHealthTable health = new PeerHealthTable();
        this.health = health;
        CallRouter router = new CallRouter(settings, peers, topology, health, names);
        InterconnectRules rules = interconnect.rules().isEmpty() ? InterconnectRules.NONE
                : new InterconnectRules(interconnect.rules(), interconnect.operatorPlan(), topology.host());
        CallRecorder records = new CallRecorder(cdrs, clock, metrics);
        CallerIdentityStep identityStep = new CallerIdentityStep(callerIdentity);
        this.shards = new RelayShard[shardCount];
        TransactionLayer[] transactionLayers = new TransactionLayer[shardCount];
        LocalResponses[] localResponses = new LocalResponses[shardCount];
        DialogIdentifierMap identifiers = new DialogIdentifierMap();
        for (int i = 0; i < shardCount; i++) {
            EventExecutor executor = threads.executor(i);
            RelayTiming timing = new RelayTiming(metrics, System::nanoTime);
            ShardContext shard = new ShardContext(new ShardLoop(i, executor, metrics, log, handOffs),
                    new SipIdentifiers(callIdPrefix, i, ownGenerator()), topology, settings, timing, log);
            TransactionLayer transactions = new TransactionLayer(shard,
                    Math.max(1, settings.maxTransactions() / shardCount));
            DialogTable dialogTable = new DialogTable(Math.max(1, settings.maxDialogs() / shardCount));
            LocalResponses responses = new LocalResponses(shard.ids(), metrics);
            DialogLayer dialogs = new DialogLayer(shard, transactions, dialogTable, peers, responses, anchor, records,
                    fraud, identifiers, new CallFailover(shard, transactions, router, health, peerMetrics),
                    accounts, rules);
            shards[i] = new RelayShard(shard, callIdPrefix, transactions, dialogTable, dialogs, responses,
                    new RequestScreening(policy, responses, topology, metrics), router, rules, fraud, identityStep,
                    peers, records, newCalls, timing);
            transactionLayers[i] = transactions;
            localResponses[i] = responses;
        }
        // The prober lives on the first shard too: its OPTIONS carry that shard's Call-IDs.
        new PeerProber(shards[0].context(), transactionLayers[0], peers, health, settings.routing().probes(),
                peerMetrics, clock).start();
        if (phones != null && settings.pbxZone() != null) {
            // The registrar lives on the first shard: its REGISTERs to the PBX carry that shard's Call-IDs, so
            // their answers come back to the thread that owns the registrations.
            ShardContext home = shards[0].context();
            // Bindings expire on wall time carried by the monotonic clock: a step of the wall clock neither drops
            // every registration at once nor keeps them past their time.
            InstantSource registrarTime = SteadyWallTime.from(clock, System::nanoTime);
            registrar = new Registrar(phones.config(), phones.accounts(), home.loop().executor(), handOffs,
                    new PbxRegistrationSender(home, transactionLayers[0], peers, accounts), phones.metrics(),
                    registrarTime, new SplittableRandom(random.nextLong()));
            registrar.shareHoldings(phones.nodes().shared());
            peers.trustNodes(phones.nodes());
            for (int i = 0; i < shardCount; i++) {
                shards[i].attachPhones(new RegistrarUser(shards[i].context(), transactionLayers[i],
                        localResponses[i], registrarTime, registrar), phones.nodes());
            }
            registrar.start();
        } else {
            registrar = null;
        }
        ShardContext home = shards[0].context();
        accounts.accounts().forEach((zone, account) -> {
            if (account.registerExpires() != null) {
                trunkRegistrations.add(new TrunkRegistration(home, transactionLayers[0], peers, accounts, zone, clock,
                        new SplittableRandom(random.nextLong())));
            }
        });
        for (TrunkRegistration registration : trunkRegistrations) {
            handOffs.execute(HandOff.TRUNK_REGISTRATION, home.loop().executor(),
                    home.loop().guarded(HandOff.TRUNK_REGISTRATION.name(), registration::start));
        }
    }

    /** The SBC's registrations at trunks as they stand. Any thread. */
    public List<TrunkRegistrationStatus> trunkRegistrations() {
        return trunkRegistrations.stream().map(TrunkRegistration::status).toList();
    }

    /**
     * Removes the SBC's registrations at trunks (REGISTER with Expires: 0) on the thread that owns them; completes
     * once the REGISTERs are sent, not answered.
     */
    public CompletableFuture<Void> unregisterTrunks() {
        if (trunkRegistrations.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        ShardLoop loop = shards[0].context().loop();
        Executor onLoop = task -> loop.executor().execute(loop.guarded(HandOff.TRUNK_REGISTRATION.name(), task));
        return handOffs.submit(HandOff.TRUNK_REGISTRATION, onLoop, () -> {
            trunkRegistrations.forEach(TrunkRegistration::stop);
            return null;
        });
    }

    /**
     * How the SBC meets its peers beyond routing: its accounts at them, and the zones' number and header rules.
     *
     * @param rules by zone, for the zones that have any
     * @param operatorPlan how numbers are written in zones that name no plan of their own (fraud.dial-plan)
     */
    public record Interconnect(PeerAccounts accounts, Map<String, ZoneConfig.Rules> rules, DialPlan operatorPlan) {
        public static final Interconnect NONE = new Interconnect(PeerAccounts.NONE, Map.of(), null);
    }

    /**
     * Registration of remote phones through the SBC.
     *
     * @param accounts the users that register (the access-zone accounts)
     * @param nodes the cluster's other nodes: where their phones are, and the record of where this node's are
     */
    public record Registrations(RegistrationConfig config, Set<String> accounts, RegistrarMetrics metrics,
            OtherNodes nodes) {
        /** One node: phones are reached where they registered. */
        public Registrations(RegistrationConfig config, Set<String> accounts, RegistrarMetrics metrics) {
            this(config, accounts, metrics, OtherNodes.NONE);
        }
    }

    /**
     * New next hops of the zones (a configuration reload: peers added, removed or changed). The zones themselves,
     * their routes, probes and SRTP policies are fixed at start. Calls in progress keep their flows. Any thread.
     */
    public void replacePeers(RelaySettings next) {
        peers.replacePeers(next.zones(), next.peers());
    }

    /** One configured peer as the operator sees it: where it is, and what its probes found. */
    public record PeerStatus(String zone, String host, int port, String transport, boolean probed, boolean up,
            String lastProbe, Instant lastProbeAt, Instant since) { }

    /** Every configured peer of every zone, in configuration order, with its probe state. Any thread. */
    public List<PeerStatus> peerStatuses() {
        List<PeerStatus> statuses = new ArrayList<>();
        for (String zone : peers.zoneNames()) {
            for (RelaySettings.ZonePeer peer : peers.peersOf(zone)) {
                PeerHealthTable.PeerState state = health.state(peer);
                PeerMetrics.ProbeResult last = state == null ? null : state.lastResult();
                statuses.add(new PeerStatus(zone, peer.address().isUnresolved() ? peer.address().getHostString()
                        : peer.address().getAddress().getHostAddress(), peer.address().getPort(),
                        peer.transport() == null ? null : peer.transport().name().toLowerCase(Locale.ROOT), state != null,
                        state == null || state.up(), last == null ? null : last.name().toLowerCase(Locale.ROOT),
                        state == null ? null : state.lastProbe(), state == null ? null : state.since()));
            }
        }
        return statuses;
    }

    /** The registrar of remote phones, or null when there is none. */
    public Registrar registrar() {
        return registrar;
    }

    @Override
    public void onMessage(InboundSipMessage message) {
        deliver(message, true);
    }

    /**
     * Each shard gets its messages of the burst in one task, in arrival order. The I/O thread relays a shard's share
     * itself if the shard is idle and the burst emptied the socket: a thread that has datagrams waiting reads them
     * while the shards' threads relay what it read.
     */
    @Override
    public void onMessages(List<InboundSipMessage> burst, boolean drained) {
        if (burst.size() == 1) {
            deliver(burst.get(0), drained);
            return;
        }
        InboundSipMessage[][] byShard = new InboundSipMessage[shards.length][];
        int[] counts = new int[shards.length];
        for (InboundSipMessage message : burst) {
            int index = SipIdentifiers.shardOf(message.callId(), callIdPrefix, shards.length);
            if (byShard[index] == null) {
                byShard[index] = new InboundSipMessage[burst.size()];
            }
            byShard[index][counts[index]++] = message;
        }
        for (int index = 0; index < shards.length; index++) {
            if (counts[index] > 0) {
                handOff(shards[index], shards[index].task(byShard[index], counts[index]), counts[index], drained);
            }
        }
    }

    private void deliver(InboundSipMessage message, boolean mayRunHere) {
        RelayShard shard = shards[SipIdentifiers.shardOf(message.callId(), callIdPrefix, shards.length)];
        handOff(shard, shard.task(message), 1, mayRunHere);
    }

    private void handOff(RelayShard shard, Runnable task, int messages, boolean mayRunHere) {
        if (shard.admit(messages)) {
            if (mayRunHere && shard.runHere(task, messages)) {
                return;
            }
            try {
                shard.context().loop().executor().execute(task);
                return;
            } catch (RejectedExecutionException e) {
                // The executor is shutting down, or its queue is full of other hand-offs: dropped as if full.
                shard.withdraw(messages);
            }
        }
        for (int i = 0; i < messages; i++) {
            metrics.dropped(RelayDropReason.OVERLOAD);
        }
    }

    @Override
    public boolean shedsNewDialogs(String callId) {
        return shards[SipIdentifiers.shardOf(callId, callIdPrefix, shards.length)].shedding();
    }

    @Override
    public void refusalAcknowledged(String zone, String callId) {
        onShard(ownerOf(callId), calls -> calls.endRefused(zone, callId));
    }

    // ------------------------------------------------------------------------------------ drain and operators

    /**
     * Refuses new calls from now on with 503 and {@code retryAfter} (the SBC drains); calls in progress, and new
     * calls to a number for which {@code emergencyNumber} holds, go on. Any thread.
     */
    public void refuseNewCalls(Duration retryAfter, Predicate<String> emergencyNumber) {
        newCalls.shut(retryAfter, emergencyNumber);
    }

    /** Whether new calls are taken (false once the SBC drains). */
    public boolean takesNewCalls() {
        return newCalls.open();
    }

    /** The calls that match {@code filter}, gathered from every shard; see {@link CallListing}. */
    public record CallListing(List<CallSnapshot> calls, int matching, int unansweredShards) { }

    /**
     * Asks every shard, on its own thread, for its calls matching {@code filter}. The answer comes once all shards
     * answered or {@code wait} passed, whichever is first; shards that did not answer in time are counted, not
     * waited for. At most {@code limit} calls, the oldest first; {@code matching} counts all that matched.
     */
    public CompletableFuture<CallListing> calls(CallFilter filter, int limit, Duration wait) {
        List<CompletableFuture<ShardCalls.Listing>> answers = new ArrayList<>(shards.length);
        for (RelayShard shard : shards) {
            answers.add(onShard(shard, calls -> calls.list(filter, limit)));
        }
        return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
                .completeOnTimeout(null, wait.toMillis(), TimeUnit.MILLISECONDS)
                .handle((done, failure) -> {
                    List<CallSnapshot> calls = new ArrayList<>();
                    int matching = 0;
                    int unanswered = 0;
                    for (CompletableFuture<ShardCalls.Listing> answer : answers) {
                        ShardCalls.Listing listing = answer.isDone() && !answer.isCompletedExceptionally()
                                ? answer.join() : null;
                        if (listing == null) {
                            unanswered++;
                        } else {
                            calls.addAll(listing.calls());
                            matching += listing.matching();
                        }
                    }
                    calls.sort(Comparator.comparing(CallSnapshot::started,
                            Comparator.nullsLast(Comparator.naturalOrder())));
                    return new CallListing(List.copyOf(calls.subList(0, Math.min(limit, calls.size()))), matching,
                            unanswered);
                });
    }

    /** The call with a leg whose Call-ID is {@code callId}, asked of the shard that owns it. */
    public CompletableFuture<Optional<CallSnapshot>> call(String callId) {
        return onShard(ownerOf(callId), calls -> Optional.ofNullable(calls.find(callId)));
    }

    /**
     * Ends the call with a leg whose Call-ID is {@code callId}: BYE on both sides when answered, CANCEL toward the
     * callee while it rings.
     */
    public CompletableFuture<CallControl> endCall(String callId) {
        return onShard(ownerOf(callId), calls -> calls.end(callId, "operator"));
    }

    /**
     * Ends every call, answered ones with BYE on both sides and ringing ones with CANCEL, naming {@code reason} in
     * the log and the records; completes with how many once every shard has sent its requests.
     */
    public CompletableFuture<Integer> endAllCalls(String reason) {
        return summedOverShards(calls -> calls.endAll(reason));
    }

    /**
     * The SIP sockets dropped datagrams up to {@code cutoff}: every call answered before it is asked once whether
     * its dialog still exists, where its zones ask after a loss; completes with how many calls are asked.
     */
    public CompletableFuture<Integer> checkCallsAnsweredBefore(Instant cutoff) {
        return summedOverShards(calls -> calls.checkAnsweredBefore(cutoff));
    }

    /** {@code count} run on every shard's thread, summed once all have answered. */
    private CompletableFuture<Integer> summedOverShards(Function<ShardCalls, Integer> count) {
        CompletableFuture<Integer> total = CompletableFuture.completedFuture(0);
        for (RelayShard shard : shards) {
            total = total.thenCombine(onShard(shard, count), Integer::sum);
        }
        return total;
    }

    private RelayShard ownerOf(String callId) {
        return shards[SipIdentifiers.shardOf(callId, callIdPrefix, shards.length)];
    }

    /** {@code question} answered on {@code shard}'s thread, which owns the calls it reads or ends. */
    private <T> CompletableFuture<T> onShard(RelayShard shard, Function<ShardCalls, T> question) {
        ShardLoop loop = shard.context().loop();
        Executor onLoop = task -> loop.executor().execute(loop.guarded(HandOff.CALL_CONTROL.name(), task));
        return handOffs.submit(HandOff.CALL_CONTROL, onLoop, () -> question.apply(shard.calls()));
    }

    public int activeTransactions() {
        int total = 0;
        for (RelayShard shard : shards) {
            total += shard.transactions();
        }
        return total;
    }

    public int activeDialogs() {
        int total = 0;
        for (RelayShard shard : shards) {
            total += shard.dialogs();
        }
        return total;
    }

    @Override
    public void close() {
        if (registrar != null) {
            registrar.close();
        }
        if (threads.owned()) {
            for (RelayShard shard : shards) {
                shard.context().loop().executor().shutdownGracefully(0, 2, TimeUnit.SECONDS);
            }
            for (RelayShard shard : shards) {
                shard.context().loop().executor().terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
            }
        }
        names.close();
    }

    /**
     * A shard's own CSPRNG for its identifiers. The platform default on Linux (NativePRNG) reads /dev/urandom under
     * one process-wide lock on every call: a system call per Call-ID, tag and branch, and the shards queueing for
     * it. A DRBG (NIST SP 800-90Ar1, seeded from the platform's entropy) per shard does neither.
     */
    private static SecureRandom ownGenerator() {
        try {
            return SecureRandom.getInstance("DRBG");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java 9+ runtime has a DRBG", e);
        }
    }
}
