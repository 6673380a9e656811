package org.edgesbc.core.relay;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.cdr.CallRecordSink;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.identity.CallerIdentityService;
import org.edgesbc.core.registrar.Registrar;
import org.edgesbc.core.registrar.RegistrarMetrics;
import org.edgesbc.core.security.RequestPolicy;
import org.edgesbc.core.security.TollFraudService;
import org.edgesbc.media.MediaRelay;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipMessageSink;

/**
 * Hands each gated message to the relay shard that owns its dialog. A shard is one thread with a bounded queue; a
 * message arriving at a full queue is dropped and counted (the sender retransmits, or gives up, which is what a
 * server beyond its capacity must let happen rather than queue without end). The constructor is the relay's
 * wiring: what each shard is made of, read top to bottom.
 */
public final class RelayEngine implements SipMessageSink, AutoCloseable {
    /** Queue bound per shard: about a second of work at full speed; more only adds latency nobody waits for. */
    private static final int MAX_QUEUED_MESSAGES_PER_SHARD = 65_536;

    private final RelayShard[] shards;
    private final String callIdPrefix;
    private final RelayMetrics metrics;
    private final Registrar registrar;

    /**
     * @param media the media relay SDP is anchored on, or null to let SDP pass unchanged
     * @param policy the edge policy out-of-dialog requests pass
     * @param fraud the toll-fraud guard calls from the PBX out through the trunk pass
     * @param callerIdentity STIR/SHAKEN signing and verification ({@link CallerIdentityService#off} for none)
     * @param handOffs how other threads hand work to the shards (and the shards to the registrar)
     * @param cdrs where call detail records go
     * @param phones how remote phones register, or null to relay their REGISTERs to the PBX unchanged
     */
    public RelayEngine(RelaySettings settings, FlowProvider flows, RelayMetrics metrics, MediaRelay media,
            RequestPolicy policy, TollFraudService fraud, CallerIdentityService callerIdentity,
            GuardedHandOff handOffs, CallRecordSink cdrs, Clock clock, int shardCount, Registrations phones) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shardCount must be at least 1, was " + shardCount);
        }
        SecureRandom random = new SecureRandom();
        this.callIdPrefix = SipIdentifiers.newInstancePrefix(random);
        this.metrics = metrics;
        TopologyHiding topology = new TopologyHiding(settings.advertisedHost(), settings.listenerPorts());
        RateLimitedLog log = new RateLimitedLog("org.edgesbc.relay");
        Map<String, SrtpPolicy> srtp = new HashMap<>();
        settings.zones().forEach((name, peer) -> srtp.put(name, peer.srtp()));
        MediaAnchor anchor = media == null ? MediaAnchor.PASS_THROUGH : new SdpMediaAnchor(media, srtp);
        PeerDirectory peers = new PeerDirectory(settings, flows);
        CallRouter router = new CallRouter(settings, peers, topology);
        CallRecorder records = new CallRecorder(cdrs, clock);
        CallerIdentityStep identityStep = new CallerIdentityStep(callerIdentity);
        DefaultThreadFactory threads = new DefaultThreadFactory("sbc-relay", false);
        this.shards = new RelayShard[shardCount];
        TransactionLayer[] transactionLayers = new TransactionLayer[shardCount];
        for (int i = 0; i < shardCount; i++) {
            EventExecutor executor = new DefaultEventExecutor(null, threads, MAX_QUEUED_MESSAGES_PER_SHARD,
                    RejectedExecutionHandlers.reject());
            RelayTiming timing = new RelayTiming(metrics, System::nanoTime);
            ShardContext shard = new ShardContext(new ShardLoop(i, executor, metrics, log, handOffs),
                    new SipIdentifiers(callIdPrefix, i, random), topology, settings, timing, log);
            TransactionLayer transactions = new TransactionLayer(shard,
                    Math.max(1, settings.maxTransactions() / shardCount));
            DialogTable dialogTable = new DialogTable(Math.max(1, settings.maxDialogs() / shardCount));
            LocalResponses responses = new LocalResponses(shard.ids(), metrics);
            DialogLayer dialogs = new DialogLayer(shard, transactions, dialogTable, peers, responses, anchor, records,
                    fraud);
            shards[i] = new RelayShard(shard, callIdPrefix, transactions, dialogTable, dialogs, responses,
                    new RequestScreening(policy, responses, topology, metrics), router, fraud, identityStep, peers,
                    records, timing);
            transactionLayers[i] = transactions;
        }
        if (phones != null && settings.pbxZone() != null) {
            // The registrar lives on the first shard: its REGISTERs to the PBX carry that shard's Call-IDs, so
            // their answers come back to the thread that owns the registrations.
            ShardContext home = shards[0].context();
            registrar = new Registrar(phones.config(), phones.accounts(), home.loop().executor(), handOffs,
                    new PbxRegistrationSender(home, transactionLayers[0], peers), phones.metrics(), clock,
                    new SplittableRandom(random.nextLong()));
            for (int i = 0; i < shardCount; i++) {
                shards[i].attachPhones(new RegistrarUser(shards[i].context(), transactionLayers[i], clock,
                        registrar));
            }
            registrar.start();
        } else {
            registrar = null;
        }
    }

    /**
     * Registration of remote phones through the SBC.
     *
     * @param accounts the users that register (the access-zone accounts)
     */
    public record Registrations(RegistrationConfig config, Set<String> accounts, RegistrarMetrics metrics) { }

    /** The registrar of remote phones, or null when there is none. */
    public Registrar registrar() {
        return registrar;
    }

    @Override
    public void onMessage(InboundSipMessage message) {
        RelayShard shard = shards[SipIdentifiers.shardOf(message.callId(), callIdPrefix, shards.length)];
        try {
            shard.context().loop().executor().execute(shard.task(message));
        } catch (RejectedExecutionException e) {
            metrics.dropped(RelayDropReason.OVERLOAD);
        }
    }

    @Override
    public boolean shedsNewDialogs(String callId) {
        return shards[SipIdentifiers.shardOf(callId, callIdPrefix, shards.length)].shedding();
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
        for (RelayShard shard : shards) {
            shard.context().loop().executor().shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        for (RelayShard shard : shards) {
            shard.context().loop().executor().terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
