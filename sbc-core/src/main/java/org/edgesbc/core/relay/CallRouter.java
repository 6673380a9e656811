package org.edgesbc.core.relay;

import gov.nist.javax.sip.message.SIPRequest;
import java.util.ArrayList;
import java.util.List;
import javax.sip.address.Address;
import javax.sip.message.Request;
import org.edgesbc.core.registrar.Binding;

/**
 * Where an initial request goes: to the peer of the zone its source zone routes to (trunk to PBX, PBX to trunk,
 * phones to PBX), or, for a PBX request to an account whose phones register here, to those phones.
 */
final class CallRouter {
    private final RelaySettings settings;
    private final PeerDirectory peers;
    private final TopologyHiding topology;

    CallRouter(RelaySettings settings, PeerDirectory peers, TopologyHiding topology) {
        this.settings = settings;
        this.peers = peers;
        this.topology = topology;
    }

    boolean fromPbx(String zone) {
        return zone.equals(settings.pbxZone());
    }

    /** The zone's peer as the only branch, or null when the zone routes nowhere (answered 404). */
    List<DialogLayer.Branch> towardPeer(String fromZone, SIPRequest request) {
        String targetZone = settings.routes().get(fromZone);
        RelaySettings.ZonePeer target = targetZone == null ? null : peers.peer(targetZone);
        if (target == null) {
            return null;
        }
        String host = target.address().getAddress().getHostAddress();
        return List.of(new DialogLayer.Branch(target.zone(), peers.flowTo(target),
                PeerDirectory.peerUri(TopologyHiding.userOf(request.getRequestURI()), target),
                TopologyHiding.withHost(request.getTo().getAddress(), host, -1)));
    }

    /**
     * An INVITE rings every device of the account at once (RFC 3261 §16.6 parallel forking); any other request
     * goes to the device that registered last. Requests reach a phone over the flow it registered on, with its
     * own Contact as Request-URI.
     */
    List<DialogLayer.Branch> towardPhones(List<Binding> bindings, SIPRequest request) {
        List<Binding> chosen = bindings;
        if (!Request.INVITE.equals(request.getMethod())) {
            Binding newest = bindings.get(0);
            for (Binding binding : bindings) {
                newest = binding.registered().isAfter(newest.registered()) ? binding : newest;
            }
            chosen = List.of(newest);
        }
        Address callee = topology.sbcAddress(request.getTo().getAddress());
        List<DialogLayer.Branch> branches = new ArrayList<>(chosen.size());
        for (Binding binding : chosen) {
            branches.add(new DialogLayer.Branch(binding.zone(), binding.flow(),
                    (javax.sip.address.URI) binding.contact().clone(), callee));
        }
        return branches;
    }

    /** Whether branches lead to the PBX (where an authenticated phone's identity is asserted). */
    boolean towardPbx(List<DialogLayer.Branch> branches) {
        return settings.pbxZone() != null && settings.pbxZone().equals(branches.get(0).zone());
    }
}
