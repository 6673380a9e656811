package org.edgesbc.core.relay;

import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.SipParseException;
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
        String fromTag = towardCaller ? dialog.calleeTag() : dialog.callerTag;
        String toTag = towardCaller ? dialog.callerTag : leg.calleeTag;
        String request = method + " " + peers.remoteTargetOf(leg) + " SIP/2.0\r\n"
                + "Via: " + topology.via(peers.flowToward(leg).transport(), ids.newBranch()) + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + (towardCaller ? leg.calleeAddress : leg.callerAddress)
                + (fromTag != null ? ";tag=" + fromTag : "") + "\r\n"
                + "To: " + (towardCaller ? leg.callerAddress : leg.calleeAddress)
                + (toTag != null ? ";tag=" + toTag : "") + "\r\n"
                + "Call-ID: " + leg.callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + "Content-Length: 0\r\n\r\n";
        try {
            return SipMessageView.parse(request.getBytes(StandardCharsets.UTF_8));
        } catch (SipParseException e) {
            throw new IllegalStateException("cannot build an SBC-originated " + method + ": " + e.getMessage(), e);
        }
    }
}
