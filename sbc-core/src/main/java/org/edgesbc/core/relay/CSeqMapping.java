package org.edgesbc.core.relay;

import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * CSeq numbers of requests relayed toward a leg on which the SBC has sent requests of its own in the middle of a
 * call ({@link Leg#cseqOffset}): the far UA must see them rise (RFC 3261 §12.2.2), so they run that many numbers
 * ahead of the requester's, and PRACK's RAck (RFC 3262 §7.2) names the INVITE by the number the leg saw. Responses
 * go back with the requester's own CSeq ({@link RelayedRequest#cseq}).
 */
final class CSeqMapping {
    static final SipHeaderName RACK = SipHeaderName.of("RAck");

    private CSeqMapping() { }

    /** Rewrites the CSeq (and a PRACK's RAck) of {@code request} for the leg {@code to}. */
    static void toward(SipMessageWriter out, SipMessageView request, Leg to) {
        long offset = to.cseqOffset;
        if (offset == 0) {
            return;
        }
        out.set(SipHeaderName.CSEQ, (request.cseqNumber() + offset) + " " + request.cseqMethod());
        String rack = request.header(RACK);
        if (rack != null) {
            // RAck: response-num CSeq-num Method
            String[] fields = rack.trim().split("\\s+");
            if (fields.length == 3 && fields[1].chars().allMatch(Character::isDigit) && fields[1].length() <= 10) {
                out.set(RACK, fields[0] + " " + (Long.parseLong(fields[1]) + offset) + " " + fields[2]);
            }
        }
    }

    /** The CSeq number {@code request} carries toward {@code to}. */
    static long numberToward(SipMessageView request, Leg to) {
        return request.cseqNumber() + to.cseqOffset;
    }
}
