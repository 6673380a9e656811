package org.edgesbc.media;

/**
 * What a stream's peer sends on its leg, as its latest SDP announced it: the transport decides which packet checks
 * and latching rules the relay applies to that leg.
 */
public enum MediaTransport {
    /** RTP with RTCP beside it or multiplexed (RFC 3550, RFC 5761), plain or SRTP. */
    RTP,
    /**
     * T.38 fax over UDPTL (ITU-T T.38 §9.1, SDP {@code m=image <port> udptl t38}, RFC 3362): one datagram stream
     * on the even port, no RTCP, no SSRC and no SDES keys, so the leg latches on the source address alone and is
     * never SRTP-protected.
     */
    UDPTL
}
