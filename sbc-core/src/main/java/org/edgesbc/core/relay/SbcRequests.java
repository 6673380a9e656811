package org.edgesbc.core.relay;

import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.message.SIPRequest;
import java.text.ParseException;
import java.util.List;
import javax.sip.InvalidArgumentException;
import javax.sip.address.Address;

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
    SIPRequest toward(RelayDialog dialog, Leg leg, String method, long cseq) {
        boolean towardCaller = leg == dialog.a;
        try {
            From from = new From();
            from.setAddress((Address) (towardCaller ? leg.calleeAddress : leg.callerAddress).clone());
            String fromTag = towardCaller ? dialog.calleeTag() : dialog.callerTag;
            if (fromTag != null) {
                from.setTag(fromTag);
            }
            To to = new To();
            to.setAddress((Address) (towardCaller ? leg.callerAddress : leg.calleeAddress).clone());
            String toTag = towardCaller ? dialog.callerTag : leg.calleeTag;
            if (toTag != null) {
                to.setTag(toTag);
            }
            List<Via> vias = List.of(topology.via(peers.flowToward(leg).transport(), ids.newBranch()));
            return (SIPRequest) new MessageFactoryImpl().createRequest(peers.remoteTargetOf(leg), method,
                    new CallID(leg.callId), new CSeq(cseq, method), from, to, vias, new MaxForwards(70));
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalStateException("cannot build an SBC-originated " + method, e);
        }
    }
}
