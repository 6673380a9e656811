package org.edgesbc.core.sdp;

import java.util.List;
import org.edgesbc.media.srtp.SrtpPolicy;

/**
 * What the SBC puts into one SDP body on its way from one side of a call (the sender) to the other (the receiver).
 *
 * @param mediaAddress the SBC's advertised media address (IPv4 or IPv6 literal) for o= and c= lines
 * @param streams per m= line, the SBC's port and keys toward the receiver; at least as many as the body has m= lines
 *     (a re-offer passes the same ports again, so they stay)
 * @param senderPolicy the SRTP policy of the sender's zone: OFF ignores its {@code a=crypto}, REQUIRED refuses a
 *     body with a live stream without a usable one
 * @param receiverPolicy the SRTP policy of the receiver's zone: REQUIRED announces the SBC's keys with RTP/SAVP,
 *     OFFERED does so unless the receiver's own SDP for the stream was plain, OFF sends plain RTP/AVP
 * @param previous the o= identity of the last body sent in this direction of the call, null for the first
 */
public record SdpRewriteParams(String mediaAddress, List<StreamPlan> streams, SrtpPolicy senderPolicy,
        SrtpPolicy receiverPolicy, SdpOrigin previous) { }
