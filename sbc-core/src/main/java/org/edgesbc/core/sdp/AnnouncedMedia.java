package org.edgesbc.core.sdp;

import java.net.InetSocketAddress;
import org.edgesbc.media.MediaTransport;
import org.edgesbc.media.srtp.SdesCrypto;

/**
 * Where the sender of an SDP body receives one stream and how it sends it: what the relay needs for latching
 * ({@code MediaStream.setRemote}) and SRTP ({@code MediaStream.setSrtp}).
 *
 * @param media the media type of the m= line
 * @param transport {@link MediaTransport#UDPTL} for T.38 fax ({@code m=image <port> udptl t38}), else RTP
 * @param rtp the announced RTP address; null for a rejected stream (port 0) or a 0.0.0.0 hold
 * @param rtcp the announced RTCP address (a=rtcp, else the RTP port + 1; the RTP address with rtcp-mux); null with
 *     {@code rtp} and for UDPTL, which has no RTCP
 * @param rtcpMux the sender offered or accepted RTCP multiplexing (RFC 5761 a=rtcp-mux)
 * @param direction the direction attribute in force for the stream
 * @param rejected port 0: the stream is refused or disabled and stays so toward the receiver
 * @param zeroAddress the connection address is 0.0.0.0 (or ::), the RFC 2543 way of putting a call on hold
 * @param senderKeys the SDES keys the sender sends with, the first usable {@code a=crypto}; null for plain RTP and
 *     UDPTL
 * @param srtpTowardReceiver the rewritten body announces the plan's SBC keys to the receiver (RTP/SAVP)
 */
public record AnnouncedMedia(String media, MediaTransport transport, InetSocketAddress rtp, InetSocketAddress rtcp, boolean rtcpMux,
        MediaDirection direction, boolean rejected, boolean zeroAddress, SdesCrypto senderKeys,
        boolean srtpTowardReceiver) {

    /** The sender holds this stream: sendonly, inactive or a 0.0.0.0 address. */
    public boolean hold() {
        return !rejected && (zeroAddress || direction.holds());
    }
}
