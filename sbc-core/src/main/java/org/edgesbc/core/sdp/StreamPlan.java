package org.edgesbc.core.sdp;

import org.edgesbc.media.srtp.SdesCrypto;

/**
 * What the SBC has for one m= line toward the side an SDP body goes to (the receiver).
 *
 * @param rtpPort the SBC's RTP port facing the receiver; RTCP is the port above (RFC 3550 §11)
 * @param sbcKeys the SDES keys the SBC sends to the receiver with, announced when SRTP is chosen toward it; null
 *     when the receiver's zone is plain RTP
 * @param receiverSrtp whether the receiver's latest SDP for this stream took SRTP; null before it sent any
 */
public record StreamPlan(int rtpPort, SdesCrypto sbcKeys, Boolean receiverSrtp) { }
