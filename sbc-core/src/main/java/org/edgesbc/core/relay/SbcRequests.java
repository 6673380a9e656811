package org.edgesbc.core.relay;

import org.edgesbc.transport.message.SipMessageView;

/** In-dialog requests the SBC originates itself (teardown BYE, the ACK of an answer nobody takes). */
final class SbcRequests {
    private final PeerDirectory peers;
    private final TopologyHiding topology;
    private final SipIdentifiers ids;

    SbcRequests(PeerDirectory peers, TopologyHiding topology, SipIdentifiers ids) {
        this.peers = peers;
        this.topology = topology;
        this.ids = ids;
    }

    /**
     * A request toward one leg, as the party on the other side of that leg's dialog would send it (RFC 3261
     * §12.2.1.1: its remote target, the leg's Call-ID and tags). Its Via is replaced when it is sent under a
     * transaction.
     */
    SipMessageView toward(RelayDialog dialog, Leg leg, String method, long cseq) {
        boolean towardCaller = leg == dialog.a;
        String fromTag = leg.sbcTag;
        String toTag = towardCaller ? dialog.callerTag : leg.calleeTag;
        return OwnMessages.request(method, peers.remoteTargetOf(leg),
                topology.via(peers.flowToward(leg).transport(), ids.newBranch()),
                (towardCaller ? leg.calleeAddress : leg.callerAddress) + (fromTag != null ? ";tag=" + fromTag : ""),
                (towardCaller ? leg.callerAddress : leg.calleeAddress) + (toTag != null ? ";tag=" + toTag : ""),
                leg.callId, cseq, "");
    }
}
