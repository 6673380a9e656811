package org.edgesbc.core.relay;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import java.net.InetSocketAddress;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.sip.address.Address;
import javax.sip.message.Request;
import org.edgesbc.core.registrar.Binding;
import org.edgesbc.policy.routing.RouteTable;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.dns.SipTarget;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * Where an initial request goes: to the zones its source zone routes to (PBX to trunks by the dialled number, trunk
 * to a PBX by the called number, phones to the PBX), each zone's peers in order and only those that are up; or,
 * for a PBX request to an account whose phones register here, to those phones.
 */
final class CallRouter {
    private final RelaySettings settings;
    private final PeerDirectory peers;
    private final TopologyHiding topology;
    private final PeerHealth health;
    private final PeerNames names;

    CallRouter(RelaySettings settings, PeerDirectory peers, TopologyHiding topology, PeerHealth health,
            PeerNames names) {
        this.settings = settings;
        this.peers = peers;
        this.topology = topology;
        this.health = health;
        this.names = names;
    }

    /** One peer of one zone a request may be sent to. */
    record Target(String zone, RelaySettings.ZonePeer peer) { }

    /**
     * Where a request toward the configured peers may go, in order: the first target gets it, the others are tried
     * in turn when an INVITE's attempt fails ({@link CallAttempts}). Empty targets: every peer of the route is down.
     *
     * @param user the Request-URI user every attempt carries
     * @param to the requester's To, whose host each attempt replaces with its peer's
     * @param unlocated named peers of the route whose DNS answer is not cached: the route is complete only once
     *     they are located ({@link #locate})
     */
    record PeerRoute(List<Target> targets, String user, Address to, List<RelaySettings.ZonePeer> unlocated) {
        /** The zone the request goes to first: its first target's, or its first peer's still to be located. */
        String firstZone() {
            return !targets.isEmpty() ? targets.get(0).zone() : unlocated.get(0).zone();
        }
    }

    boolean fromPbx(String zone) {
        return settings.routing().pbxZones().contains(zone);
    }

    /**
     * The route of an initial request from {@code fromZone}, or null when the zone routes nowhere (answered 404).
     * Peers that are down are left out; a route whose peers are all down has no targets (answered 503).
     *
     * @param account the calling account for routes that name accounts (the PBX user in From), or null
     */
    PeerRoute towardPeers(String fromZone, SplicedRequest request, String account) {
        String user = TopologyHiding.userOf(request.requestUri());
        List<String> zones = targetZones(fromZone, user, account);
        if (zones.isEmpty()) {
            return null;
        }
        List<Target> targets = new ArrayList<>();
        List<RelaySettings.ZonePeer> unlocated = new ArrayList<>(0);
        for (String zone : zones) {
            for (RelaySettings.ZonePeer peer : peers.peersOf(zone)) {
                if (!peer.address().isUnresolved()) {
                    addIfUp(targets, zone, peer);
                    continue;
                }
                List<SipTarget> located = names.cached(peer.address().getHostString(), peer.address().getPort(),
                        peer.transport());
                if (located == null) {
                    unlocated.add(peer);
                } else {
                    // RFC 3263 §4.3: the located targets in order, each tried in turn like a configured peer.
                    for (SipTarget target : located) {
                        addIfUp(targets, zone, peer.located(target.address(), target.transport()));
                    }
                }
            }
        }
        return new PeerRoute(targets, user, (Address) request.toAddress().clone(), unlocated);
    }

    private void addIfUp(List<Target> targets, String zone, RelaySettings.ZonePeer peer) {
        if (health.isUp(peer)) {
            targets.add(new Target(zone, peer));
        }
    }

    /** Looks up the route's unlocated peers; completes (on the locator's thread) once all are answered. */
    CompletableFuture<Void> locate(PeerRoute route) {
        List<CompletableFuture<List<SipTarget>>> lookups = new ArrayList<>(route.unlocated().size());
        for (RelaySettings.ZonePeer peer : route.unlocated()) {
            lookups.add(names.locate(peer.address().getHostString(), peer.address().getPort(), peer.transport()));
        }
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new));
    }

    private List<String> targetZones(String fromZone, String user, String account) {
        RouteTable table = settings.routing().table();
        if (table != null && fromPbx(fromZone)) {
            return table.outbound(fromZone, account, user).trunks();
        }
        if (table != null && settings.routing().trunkZones().contains(fromZone)) {
            String pbx = table.inbound(user);
            return pbx == null ? List.of() : List.of(pbx);
        }
        String zone = settings.routes().get(fromZone);
        return zone == null ? List.of() : List.of(zone);
    }

    /** The branch toward one target: its peer's URI with the route's user, the requester's To on the peer's host. */
    DialogLayer.Branch branch(Target target, PeerRoute route) {
        RelaySettings.ZonePeer peer = target.peer();
        String host = peer.address().getAddress().getHostAddress();
        return new DialogLayer.Branch(target.zone(), peers.flowTo(peer), PeerDirectory.peerUri(route.user(), peer),
                TopologyHiding.withHost(route.to(), host, -1), peer);
    }

    /**
     * An INVITE rings every device of the account at once (RFC 3261 §16.6 parallel forking); any other request
     * goes to the device that registered last. Requests reach a phone over the flow it registered on, with its
     * own Contact as Request-URI.
     */
    List<DialogLayer.Branch> towardPhones(List<Binding> bindings, SplicedRequest request) {
        List<Binding> chosen = bindings;
        if (!Request.INVITE.equals(request.method())) {
            Binding newest = bindings.get(0);
            for (Binding binding : bindings) {
                newest = binding.registered().isAfter(newest.registered()) ? binding : newest;
            }
            chosen = List.of(newest);
        }
        Address callee = topology.sbcAddress(request.toAddress());
        List<DialogLayer.Branch> branches = new ArrayList<>(chosen.size());
        for (Binding binding : chosen) {
            branches.add(new DialogLayer.Branch(binding.zone(), binding.flow(),
                    (javax.sip.address.URI) binding.contact().clone(), callee, null));
        }
        return branches;
    }

    /**
     * Toward the user agent of {@code leg}, a leg of a call in progress (a phone's, see
     * {@link ReferHandler#replacedPhoneLeg}): at its remote target, over the flow the SBC reaches it on. Null when
     * its remote target is not a URI.
     */
    DialogLayer.Branch towardLeg(DialogIdentifierMap.LegIdentity leg, SplicedRequest request) {
        try {
            return new DialogLayer.Branch(leg.zone(), leg.flow(),
                    new AddressFactoryImpl().createURI(leg.remoteTarget()),
                    topology.sbcAddress(request.toAddress()), null);
        } catch (ParseException e) {
            return null;
        }
    }

    /**
     * Toward the other nodes of the cluster that hold the account's phones, as the PBX would reach them: in the PBX
     * zone (the node admits this one there), over UDP to each node's SIP address, the called user on that node.
     * An INVITE rings every such node at once; any other request goes to the first.
     */
    List<DialogLayer.Branch> towardNodes(List<InetSocketAddress> holders, String pbxZone, SplicedRequest request) {
        RelaySettings.ZonePeer pbx = peers.peer(pbxZone);
        List<InetSocketAddress> chosen = Request.INVITE.equals(request.method()) ? holders : holders.subList(0, 1);
        String user = TopologyHiding.userOf(request.requestUri());
        List<DialogLayer.Branch> branches = new ArrayList<>(chosen.size());
        for (InetSocketAddress node : chosen) {
            RelaySettings.ZonePeer peer = new RelaySettings.ZonePeer(pbxZone, node, SipTransport.UDP, pbx.srtp(),
                    pbx.redirects(), pbx.sessionTimers(), pbx.keepalive(), null);
            branches.add(new DialogLayer.Branch(pbxZone, peers.flowTo(peer), PeerDirectory.peerUri(user, peer),
                    TopologyHiding.withHost(request.toAddress(),
                            node.getAddress().getHostAddress(), -1), peer));
        }
        return branches;
    }

    /** Whether branches lead to a PBX (where an authenticated phone's identity is asserted). */
    boolean towardPbx(List<DialogLayer.Branch> branches) {
        return fromPbx(branches.get(0).zone());
    }
}
