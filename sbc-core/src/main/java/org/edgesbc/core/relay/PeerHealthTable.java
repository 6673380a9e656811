package org.edgesbc.core.relay;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.transport.SipTransport;

/**
 * The state of every probed peer. Shared, which is why it is a concurrent table: the prober writes it on the first
 * relay shard's thread, every shard's router reads it for each new call, and the admin API reads it. A peer starts
 * up (a call needs no probe round to wait for), goes down after {@code down-after} failed probes in a row and comes
 * back after {@code up-after} answered ones. Peers of zones without probes are not in it and always up. Bounded by
 * the configured peers: entries of peers a reload removed are dropped at the next round of their zone.
 */
final class PeerHealthTable implements PeerHealth {
    private record Key(String zone, InetSocketAddress address, SipTransport transport) {
        static Key of(RelaySettings.ZonePeer peer) {
            return new Key(peer.zone(), peer.address(), peer.transport());
        }
    }

    /** One probed peer; its counters are written by the prober's thread only, its state read anywhere. */
    static final class PeerState {
        final String zone;
        /** {@code host:port}, for logs, metrics and the admin API. */
        final String name;
        private final ZoneConfig.ProbeConfig probe;
        private volatile boolean up = true;
        private volatile PeerMetrics.ProbeResult lastResult;
        private volatile Instant lastProbe;
        private volatile Instant since;
        private int answeredInRow;
        private int failedInRow;
        /** A probe is out and not yet finished. */
        boolean probing;

        PeerState(String zone, String name, ZoneConfig.ProbeConfig probe, Instant now) {
            this.zone = zone;
            this.name = name;
            this.probe = probe;
            this.since = now;
        }

        boolean up() {
            return up;
        }

        PeerMetrics.ProbeResult lastResult() {
            return lastResult;
        }

        Instant lastProbe() {
            return lastProbe;
        }

        /** When the peer last went up or down (or was first probed). */
        Instant since() {
            return since;
        }

        /** Counts a probe's result; returns true when it turned the peer up or down. */
        boolean record(PeerMetrics.ProbeResult result, Instant now) {
            lastResult = result;
            lastProbe = now;
            if (result == PeerMetrics.ProbeResult.ANSWERED) {
                failedInRow = 0;
                answeredInRow++;
                if (!up && answeredInRow >= probe.upAfter()) {
                    up = true;
                    since = now;
                    return true;
                }
            } else {
                answeredInRow = 0;
                failedInRow++;
                if (up && failedInRow >= probe.downAfter()) {
                    up = false;
                    since = now;
                    return true;
                }
            }
            return false;
        }
    }

    private final ConcurrentHashMap<Key, PeerState> states = new ConcurrentHashMap<>();

    @Override
    public boolean isUp(RelaySettings.ZonePeer peer) {
        PeerState state = states.get(Key.of(peer));
        return state == null || state.up;
    }

    /** The state of a probed peer, null when it is not probed. */
    PeerState state(RelaySettings.ZonePeer peer) {
        return states.get(Key.of(peer));
    }

    /** The peer's state, created (up) on its first probe; {@code created} hears a new one. */
    PeerState track(RelaySettings.ZonePeer peer, ZoneConfig.ProbeConfig probe, Instant now,
            java.util.function.Consumer<PeerState> created) {
        return states.computeIfAbsent(Key.of(peer), key -> {
            PeerState state = new PeerState(peer.zone(), PeerDirectory.hostText(peer.address().getAddress()) + ":"
                    + peer.address().getPort(), probe, now);
            created.accept(state);
            return state;
        });
    }

    /** Drops the zone's entries of peers it no longer has. */
    void retain(String zone, Collection<RelaySettings.ZonePeer> peers) {
        Set<Key> kept = new HashSet<>();
        peers.forEach(peer -> kept.add(Key.of(peer)));
        states.keySet().removeIf(key -> key.zone().equals(zone) && !kept.contains(key));
    }
}
