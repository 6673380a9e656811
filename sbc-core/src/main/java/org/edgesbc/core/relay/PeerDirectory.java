package org.edgesbc.core.relay;

import gov.nist.javax.sip.address.SipUri;
import java.net.InetSocketAddress;
import java.text.ParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.SipTransport;

/**
 * Where each zone's next hops are and how to reach them: the configured peers of a trunk or PBX zone (the first is
 * the zone's peer for requests that do not choose, such as the SBC's REGISTERs to the PBX), or for an access zone
 * (phones behind NAT, no configured peer) the flow the phone itself used.
 */
final class PeerDirectory {
    /** Every zone's next hops, replaced whole at reload, so that a lookup sees one generation or the next. */
    private record Generation(Map<String, RelaySettings.ZonePeer> first, Map<String, List<RelaySettings.ZonePeer>> all) {
    }

    private volatile Generation peers;
    private final FlowProvider flows;
    /** The cluster's nodes: a call relayed from one is answered where it came from, not at the PBX. */
    private OtherNodes nodes = OtherNodes.NONE;

    PeerDirectory(RelaySettings settings, FlowProvider flows) {
        this.peers = new Generation(Map.copyOf(settings.zones()), inOrder(settings.peers()));
        this.flows = flows;
    }

    /** The zone's first peer (an access zone's has no address), or null for an unknown zone. */
    RelaySettings.ZonePeer peer(String zone) {
        return peers.first().get(zone);
    }

    /** Whether {@code zone}'s user agents are reached on their own flows (phones), having no configured peer. */
    boolean reachedOnOwnFlows(String zone) {
        RelaySettings.ZonePeer peer = peer(zone);
        return peer != null && peer.address() == null;
    }

    /** The zones with configured peers, in configuration order. */
    List<String> zoneNames() {
        return List.copyOf(peers.all().keySet());
    }

    /** Every peer of a trunk or PBX zone in order of preference; empty for access and unknown zones. */
    List<RelaySettings.ZonePeer> peersOf(String zone) {
        return peers.all().getOrDefault(zone, List.of());
    }

    /**
     * New next hops from now on (a configuration reload). A dialog keeps the flow it has while that flow is open;
     * a new request toward a zone, or a replacement for a closed flow, goes to the new peers. Any thread.
     *
     * @param first each zone's first peer, as {@link RelaySettings#zones}
     * @param all each zone's peers, as {@link RelaySettings#peers}
     */
    void replacePeers(Map<String, RelaySettings.ZonePeer> first, Map<String, List<RelaySettings.ZonePeer>> all) {
        peers = new Generation(Map.copyOf(first), inOrder(all));
    }

    private static Map<String, List<RelaySettings.ZonePeer>> inOrder(Map<String, List<RelaySettings.ZonePeer>> all) {
        Map<String, List<RelaySettings.ZonePeer>> copy = new java.util.LinkedHashMap<>();
        all.forEach((zone, zonePeers) -> copy.put(zone, List.copyOf(zonePeers)));
        return java.util.Collections.unmodifiableMap(copy);
    }

    /** Set once by the engine, before the first message, on a node of a cluster. */
    void trustNodes(OtherNodes cluster) {
        this.nodes = cluster;
    }

    /** Access zones (remote phones) are the ones without a configured peer. */
    boolean isAccessZone(String zone) {
        RelaySettings.ZonePeer peer = peer(zone);
        return peer != null && peer.address() == null;
    }

    SipFlow flowTo(RelaySettings.ZonePeer peer) {
        return flows.flowTo(peer.transport(), peer.address(), peer.serverName(), peer.zone());
    }

    /** How requests back to the sender of an initial request go, for the life of its dialog. */
    SipFlow initialFlowToward(InboundSipMessage in) {
        // A connection the peer opened is reused for requests back to it (RFC 5923 style connection reuse), and a
        // zone without a configured peer (remote phones behind NAT) is reached where it came from (RFC 3581).
        // A call another node of the cluster relayed in is answered there too, not at the zone's PBX.
        RelaySettings.ZonePeer peer = peer(in.zone());
        if (in.flow().transport().reliable() || peer.address() == null
                || nodes.isNode(in.flow().remote().getAddress())) {
            return in.flow();
        }
        RelaySettings.ZonePeer sender = senderPeer(in);
        return sender != null ? flowTo(sender) : in.flow();
    }

    /**
     * The configured peer a request came from: the one at its source address, else a zone's only peer (a carrier
     * may send from other ports than it listens on); null when several peers and none of them sent it.
     */
    private RelaySettings.ZonePeer senderPeer(InboundSipMessage in) {
        List<RelaySettings.ZonePeer> candidates = peersOf(in.zone());
        for (RelaySettings.ZonePeer candidate : candidates) {
            if (in.flow().remote().equals(candidate.address())) {
                return candidate;
            }
        }
        return candidates.size() == 1 && !candidates.get(0).address().isUnresolved() ? candidates.get(0) : null;
    }

    /**
     * The flow toward a leg; a closed connection to a configured peer is replaced by a new one to the same peer
     * (the one the leg's call went to, else the zone's first).
     */
    SipFlow flowToward(Leg leg) {
        RelaySettings.ZonePeer peer = leg.peer != null ? leg.peer : peer(leg.zone);
        if ((leg.requestFlow == null || !leg.requestFlow.isOpen()) && peer.address() != null
                && !peer.address().isUnresolved()) {
            leg.requestFlow = flowTo(peer);
        }
        return leg.requestFlow;
    }

    /**
     * The Request-URI of an in-dialog request toward a leg: its remote target, else its zone's peer; null for a leg
     * toward a zone without peers (a phone) whose far end has sent no Contact yet, which nothing can reach.
     */
    String remoteTargetOf(Leg leg) {
        if (leg.remoteTarget != null) {
            return leg.remoteTarget;
        }
        RelaySettings.ZonePeer peer = leg.peer != null ? leg.peer : peer(leg.zone);
        return peer == null || peer.address() == null ? null : peerUri(null, peer).toString();
    }

    /** An address as a URI host: an IPv6 address in brackets (RFC 3261 §25.1 IPv6reference). */
    static String hostText(java.net.InetAddress address) {
        String host = address.getHostAddress();
        return address instanceof java.net.Inet6Address ? "[" + host + "]" : host;
    }

    /** {@code sip:user@peer:port;transport=...} for a request to a configured peer. */
    static SipUri peerUri(String user, RelaySettings.ZonePeer peer) {
        SipUri uri = new SipUri();
        try {
            if (user != null) {
                uri.setUser(user);
            }
            InetSocketAddress address = peer.address();
            uri.setHost(address.isUnresolved() ? address.getHostString() : address.getAddress().getHostAddress());
            if (address.getPort() != 0) {
                uri.setPort(address.getPort());
            }
            if (peer.transport() != null && peer.transport() != SipTransport.UDP) {
                uri.setTransportParam(peer.transport().name().toLowerCase(Locale.ROOT));
            }
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
        return uri;
    }
}
