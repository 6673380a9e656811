package org.edgesbc.core.relay;

import gov.nist.javax.sip.address.SipUri;
import java.text.ParseException;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.SipTransport;

/**
 * Where each zone's next hop is and how to reach it: the configured peer of a trunk or PBX zone, or for an access
 * zone (phones behind NAT, no configured peer) the flow the phone itself used.
 */
final class PeerDirectory {
    /** The next hop of every zone; replaced whole at reload, so a lookup sees one generation or the next. */
    private volatile Map<String, RelaySettings.ZonePeer> zones;
    private final FlowProvider flows;

    PeerDirectory(RelaySettings settings, FlowProvider flows) {
        this.zones = Map.copyOf(settings.zones());
        this.flows = flows;
    }

    RelaySettings.ZonePeer peer(String zone) {
        return zones.get(zone);
    }

    /**
     * New next hops from now on (a configuration reload). A dialog keeps the flow it has while that flow is open;
     * a new request toward a zone, or a replacement for a closed flow, goes to the new peer. Any thread.
     */
    void replaceZones(Map<String, RelaySettings.ZonePeer> next) {
        zones = Map.copyOf(next);
    }

    /** Access zones (remote phones) are the ones without a configured peer. */
    boolean isAccessZone(String zone) {
        RelaySettings.ZonePeer peer = peer(zone);
        return peer != null && peer.address() == null;
    }

    SipFlow flowTo(RelaySettings.ZonePeer peer) {
        return flows.flowTo(peer.transport(), peer.address());
    }

    /** How requests back to the sender of an initial request go, for the life of its dialog. */
    SipFlow initialFlowToward(InboundSipMessage in) {
        // A connection the peer opened is reused for requests back to it (RFC 5923 style connection reuse), and a
        // zone without a configured peer (remote phones behind NAT) is reached where it came from (RFC 3581).
        RelaySettings.ZonePeer peer = peer(in.zone());
        if (in.flow().transport().reliable() || peer.address() == null) {
            return in.flow();
        }
        return flowTo(peer);
    }

    /** The flow toward a leg; a closed connection to a configured peer is replaced by a new one. */
    SipFlow flowToward(Leg leg) {
        RelaySettings.ZonePeer peer = peer(leg.zone);
        if ((leg.requestFlow == null || !leg.requestFlow.isOpen()) && peer.address() != null) {
            leg.requestFlow = flowTo(peer);
        }
        return leg.requestFlow;
    }

    /** The Request-URI of an in-dialog request toward a leg: its remote target, else its zone's peer. */
    String remoteTargetOf(Leg leg) {
        if (leg.remoteTarget != null) {
            return leg.remoteTarget;
        }
        return peerUri(null, peer(leg.zone)).toString();
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
            uri.setHost(peer.address().getAddress().getHostAddress());
            uri.setPort(peer.address().getPort());
            if (peer.transport() != SipTransport.UDP) {
                uri.setTransportParam(peer.transport().name().toLowerCase(Locale.ROOT));
            }
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
        return uri;
    }
}
