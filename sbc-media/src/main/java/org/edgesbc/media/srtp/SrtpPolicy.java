package org.edgesbc.media.srtp;

/** What a zone's media must be (configured per zone): the SBC bridges SRTP on one side to RTP on the other. */
public enum SrtpPolicy {
    /** Plain RTP: SDES attributes toward the zone are removed and offers from it are answered without them. */
    OFF,
    /** SRTP when the peer takes it: offers toward the zone carry SDES keys, a peer answering without gets RTP. */
    OFFERED,
    /** SRTP only: SDP from the zone without usable SDES keys is refused with 488. */
    REQUIRED
}
