package org.edgesbc.media;

/** Why a media packet was not relayed; the bounded label set of the drop counter. */
public enum MediaDropReason {
    /** From an address other than the latched peer, or not from the announced or signalling address before latching. */
    FOREIGN_SOURCE,
    /** From the latched address but carrying another synchronisation source: injected into the stream. */
    FOREIGN_SSRC,
    /** Too short or not RTP version 2 on an RTP port. */
    NOT_RTP,
    /** The other side's address is not known yet. */
    NO_PEER,
    /** SRTP or SRTCP that failed authentication or replay checks (RFC 3711 §3.3). */
    SRTP_REJECTED
}
