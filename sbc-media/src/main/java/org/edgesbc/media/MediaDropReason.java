package org.edgesbc.media;

/** Why a media packet was not relayed; the bounded label set of the drop counter. */
public enum MediaDropReason {
    /**
     * From an address other than the latched peer, or, before latching, from neither the announced nor the
     * signalling address: an injection attempt.
     */
    FOREIGN_SOURCE,
    /** From the latched address but carrying another synchronisation source: an injection attempt. */
    FOREIGN_SSRC,
    /** Too short, or not version 2 RTP on an RTP port / RTCP on an RTCP port. */
    NOT_RTP,
    /**
     * On a T.38 fax leg: not shaped like a UDPTL packet (T.38 §9.1), or sent to the odd port, which UDPTL does not
     * use.
     */
    NOT_UDPTL,
    /** The leg's peer has announced no address yet (its SDP has not crossed the SBC), so nobody may latch. */
    NOT_ANNOUNCED,
    /** The other side's address is not known yet. */
    NO_PEER,
    /** SRTP or SRTCP that failed authentication or replay checks (RFC 3711 §3.3). */
    SRTP_REJECTED,
    /**
     * On a bound pair no call owns (waiting to be handed out, or in quarantine after its call ended): a late packet
     * of an ended call, or a probe.
     */
    NO_SESSION,
    /**
     * Passed every check, but the kernel would not send it (the socket's send buffer full, no route): a media
     * packet is relayed now or never, so none is queued. On io_uring a refusal can come after the packet was handed
     * over; it is counted here, and the call's own statistics count the packet relayed.
     */
    SEND_FAILED,
    /**
     * Longer than an io_uring media loop reads whole ({@value IoUringMediaLoop#RECEIVE_BYTES} bytes), so it arrived
     * cut short; media over an Ethernet path is far shorter.
     */
    OVERSIZE;

    /** Whether the packet counts as an injection attempt (call tampering) rather than a plain failure. */
    public boolean injection() {
        return this == FOREIGN_SOURCE || this == FOREIGN_SSRC;
    }
}
