package org.edgesbc.core.relay;

import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.RejectedExecutionHandlers;
import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.cdr.CdrWriter;
import org.edgesbc.core.security.EdgePolicy;
import org.edgesbc.media.MediaRelay;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipMessageSink;

/**
 * Hands each gated message to the relay shard that owns its dialog. A shard is one thread with a bounded queue; a
 * message arriving at a full queue is dropped and counted (the sender retransmits, or gives up, which is what a
 * server beyond its capacity must let happen rather than queue without end).
 */
public final class RelayEngine implements SipMessageSink, AutoCloseable {
    /** Queue bound per shard: about a second of work at full speed; more only adds latency nobody waits for. */
    private static final int MAX_QUEUED_MESSAGES_PER_SHARD = 65_536;

    private final RelayShard[] shards;
    private final String callIdPrefix;
    private final RelayMetrics metrics;

    /**
     * @param media the media relay SDP is anchored on, or null to let SDP pass unchanged
     * @param policy the edge policy out-of-dialog requests pass, or null for none (tests of the relay alone)
     * @param cdrs where call detail records go, or null for none
     */
    public RelayEngine(RelaySettings settings, FlowProvider flows, RelayMetrics metrics, MediaRelay media,
            EdgePolicy policy, CdrWriter cdrs, int shardCount) {
        if (shardCount < 1) {
            throw new IllegalArgumentException("shardCount must be at least 1, was " + shardCount);
        }
        SecureRandom random = new SecureRandom();
        this.callIdPrefix = SipIdentifiers.newInstancePrefix(random);
        this.metrics = metrics;
        TopologyHiding topology = new TopologyHiding(settings.advertisedHost(), settings.listenerPorts());
        RelayLog log = new RelayLog();
        Map<String, SrtpPolicy> srtp = new HashMap<>();
        settings.zones().forEach((name, peer) -> srtp.put(name, peer.srtp()));
        MediaAnchor anchor = new MediaAnchor(media, srtp);
        DefaultThreadFactory threads = new DefaultThreadFactory("sbc-relay", false);
        this.shards = new RelayShard[shardCount];
        for (int i = 0; i < shardCount; i++) {
            EventExecutor executor = new DefaultEventExecutor(null, threads, MAX_QUEUED_MESSAGES_PER_SHARD,
                    RejectedExecutionHandlers.reject());
            shards[i] = new RelayShard(i, shardCount, executor, settings, topology, callIdPrefix, flows, metrics, log, anchor,
                    policy, cdrs);
        }
    }

    @Override
    public void onMessage(InboundSipMessage message) {
        RelayShard shard = shards[SipIdentifiers.shardOf(message.callId(), callIdPrefix, shards.length)];
        try {
            shard.executor().execute(() -> shard.handle(message));
        } catch (RejectedExecutionException e) {
            metrics.dropped(RelayDropReason.OVERLOAD);
        }
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
        for (RelayShard shard : shards) {
            shard.executor().shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
        for (RelayShard shard : shards) {
            shard.executor().terminationFuture().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}
