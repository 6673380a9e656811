package org.edgesbc.media;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One side of a stream: the SBC's RTP and RTCP sockets facing a peer, where the peer said it receives (SDP), and
 * the address the peer's packets were latched to. Written by the session's event loop only, except the expected
 * addresses, which core hands over through the loop too.
 */
final class MediaEndpoint {
    final int rtpPort;
    Channel rtp;
    Channel rtcp;
    /** Where the peer's SDP says it receives; also the address allowed to start sending. */
    InetSocketAddress expectedRtp;
    InetSocketAddress expectedRtcp;
    /** The peer's signalling source: a NATed phone's packets come from there, not from its SDP address. */
    InetAddress signallingAddress;
    InetSocketAddress latchedRtp;
    InetSocketAddress latchedRtcp;
    /** RTP synchronisation source locked at latching (RFC 3550 §8), -1 before. */
    long ssrc = -1;
    /** Unprotects what this side's peer sends; null while the peer speaks plain RTP. */
    org.edgesbc.media.srtp.SrtpContext srtpIn;
    /** Protects what the SBC sends this side's peer; null while the peer takes plain RTP. */
    org.edgesbc.media.srtp.SrtpContext srtpOut;
    final RtpStatistics statistics = new RtpStatistics();
    long packetsReceived;
    long bytesReceived;
    long dropped;

    MediaEndpoint(int rtpPort) {
        this.rtpPort = rtpPort;
    }

    boolean mayLatch(InetAddress source) {
        return source.equals(signallingAddress) || (expectedRtp != null && source.equals(expectedRtp.getAddress()));
    }
}
