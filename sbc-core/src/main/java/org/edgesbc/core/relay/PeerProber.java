package org.edgesbc.core.relay;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * OPTIONS probes of the peers of every zone that asks for them (RFC 3261 §11.1), as a transaction user of the first
 * relay shard: each zone's peers are probed every {@code probe.interval}, each probe under a client transaction of
 * that shard, so that answers and timers come back on its thread. Any final response but 503 counts as an answer
 * (the peer's SIP stack is alive and routing); 503 and no response within {@code probe.timeout} count as failures.
 * Probes do not count against the transaction bound: at most one per peer is out at a time.
 */
final class PeerProber {
    private final ShardContext shard;
    private final TransactionLayer transactions;
    private final PeerDirectory peers;
    private final PeerHealthTable table;
    private final Map<String, ZoneConfig.ProbeConfig> probes;
    private final PeerMetrics metrics;
    private final Clock clock;

    PeerProber(ShardContext shard, TransactionLayer transactions, PeerDirectory peers, PeerHealthTable table,
            Map<String, ZoneConfig.ProbeConfig> probes, PeerMetrics metrics, Clock clock) {
        this.shard = shard;
        this.transactions = transactions;
        this.peers = peers;
        this.table = table;
        this.probes = Map.copyOf(probes);
        this.metrics = metrics;
        this.clock = clock;
    }

    /** Starts the first round of every probed zone at once; each round schedules the next. Any thread. */
    void start() {
        probes.forEach((zone, probe) -> shard.loop().schedule("probe round", () -> round(zone, probe), 0));
    }

    private void round(String zone, ZoneConfig.ProbeConfig probe) {
        List<RelaySettings.ZonePeer> zonePeers = peers.peersOf(zone);
        table.retain(zone, zonePeers);
        for (RelaySettings.ZonePeer peer : zonePeers) {
            if (peer.address().isUnresolved()) {
                // A named peer's targets change with DNS: attempts that fail move calls on instead.
                continue;
            }
            PeerHealthTable.PeerState state = table.track(peer, probe, clock.instant(),
                    created -> metrics.peerState(zone, created.name, created::up));
            if (!state.probing) {
                send(peer, state, probe);
            }
        }
        shard.loop().schedule("probe round", () -> round(zone, probe), probe.interval().toMillis());
    }

    private void send(RelaySettings.ZonePeer peer, PeerHealthTable.PeerState state, ZoneConfig.ProbeConfig probe) {
        TopologyHiding topology = shard.topology();
        String peerUri = PeerDirectory.peerUri(null, peer).toString();
        SipMessageView options = OwnMessages.request("OPTIONS", peerUri,
                topology.via(peer.transport(), "z9hG4bK-placeholder"),
                "<" + topology.uriText("ping", peer.transport()) + ">;tag=" + shard.ids().newTag(),
                "<" + peerUri + ">", shard.ids().newCallId(), 1, "");
        Probe outcome = new Probe(state);
        state.probing = true;
        ClientTransaction client = transactions.send(SipMessageWriter.edit(options), peers.flowTo(peer),
                peer.zone(), outcome, false);
        outcome.timer = shard.loop().schedule("probe timeout", () -> {
            if (outcome.finish(PeerMetrics.ProbeResult.TIMEOUT)) {
                transactions.giveUp(client);
            }
        }, probe.timeout().toMillis());
    }

    /** One probe: hears the peer's answer, or its absence, once. */
    private final class Probe implements ClientTransaction.User {
        private final PeerHealthTable.PeerState state;
        ShardTimer timer;
        private boolean finished;

        Probe(PeerHealthTable.PeerState state) {
            this.state = state;
        }

        /** Records the probe's result unless it has one already; returns whether this call recorded it. */
        boolean finish(PeerMetrics.ProbeResult result) {
            if (finished) {
                return false;
            }
            finished = true;
            ShardLoop.cancel(timer);
            state.probing = false;
            metrics.probed(state.zone, state.name, result);
            if (state.record(result, clock.instant())) {
                shard.log().info("peer " + state.zone + " " + state.name, "peer {} of zone {} is {} ({})", state.name,
                        state.zone, state.up() ? "up" : "down", result.name().toLowerCase(java.util.Locale.ROOT));
            }
            return true;
        }

        @Override
        public void provisional(ClientTransaction client, SipMessageView response, InetAddress source) {
            // An OPTIONS gets no provisional response worth waiting for; the final one decides.
        }

        @Override
        public void finalResponse(ClientTransaction client, SipMessageView response, InetAddress source) {
            finish(response.statusCode() == 503 ? PeerMetrics.ProbeResult.UNAVAILABLE
                    : PeerMetrics.ProbeResult.ANSWERED);
        }

        @Override
        public void successRetransmitted(ClientTransaction client, SipMessageView response, InetAddress source) {
            // Only INVITE transactions see 2xx retransmissions.
        }

        @Override
        public void timedOut(ClientTransaction client) {
            finish(PeerMetrics.ProbeResult.TIMEOUT);
        }
    }
}
