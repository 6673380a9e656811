package org.edgesbc.media;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.edgesbc.media.srtp.SrtpContext;

/**
 * One leg of a stream: the SBC's RTP and RTCP sockets facing a peer, where the peer said it receives (SDP), and
 * the address and SSRC its packets were latched to. Written by the session's event loop only (core hands changes
 * over through the loop); the state and counters are also read, as a snapshot, by {@link MediaStream#stats}.
 */
final class MediaEndpoint {
    /**
     * A latched peer may switch to a new SSRC only by sending this many consecutive packets with it from the latched
     * address (one second of 20 ms audio): a PBX that bridges the call elsewhere does so, while a forger would have
     * to out-send the real peer from its own address and port. The packets before the switch are dropped.
     */
    static final int SSRC_SWITCH_PACKETS = 50;

    /** The SBC's sockets facing the peer, lent by the pool for the call. */
    final BoundPortPair pair;
    final int rtpPort;
    volatile LegState state = LegState.ALLOCATED;
    /** Where the peer's SDP says it receives; also the address allowed to start sending. */
    InetSocketAddress expectedRtp;
    /** The generation of the last address announcement applied (see {@code MediaStream.setRemote}). */
    long remoteGeneration;
    InetSocketAddress expectedRtcp;
    /** What the peer's latest SDP announced for the stream: RTP, or T.38 fax over UDPTL. */
    MediaTransport transport = MediaTransport.RTP;
    /** RFC 5761: the peer sends and takes RTCP on its RTP address. */
    boolean rtcpMux;
    /** The peer's signalling source: a NATed phone's packets come from there, not from its SDP address. */
    InetAddress signallingAddress;
    InetSocketAddress latchedRtp;
    InetSocketAddress latchedRtcp;
    /** RTP synchronisation source locked by the first relayed packet (RFC 3550 §8), -1 before. */
    long ssrc = -1;
    /** Another SSRC seen from the latched address, and how many packets in a row carried it. */
    long candidateSsrc = -1;
    int candidatePackets;
    /** Unprotects what this leg's peer sends; null while the peer speaks plain RTP. */
    SrtpContext srtpIn;
    /** Protects what the SBC sends this leg's peer; null while the peer takes plain RTP. */
    SrtpContext srtpOut;
    final RtpStatistics statistics = new RtpStatistics();
    volatile long packetsReceived;
    volatile long bytesReceived;
    volatile long injected;
    volatile long dropped;

    MediaEndpoint(BoundPortPair pair) {
        this.pair = pair;
        this.rtpPort = pair.port;
    }

    /** Before latching: the SDP-announced IP or the signalling source IP, any port (a NAT picks the port). */
    boolean mayLatch(InetAddress source) {
        return source.equals(signallingAddress) || (expectedRtp != null && source.equals(expectedRtp.getAddress()));
    }

    /**
     * Whether an RTP packet with {@code packetSsrc} from the latched address belongs to the stream: the locked SSRC,
     * the first SSRC, or a new one at the {@link #SSRC_SWITCH_PACKETS}th consecutive packet carrying it (which
     * then becomes the locked one, with fresh reception statistics).
     */
    boolean acceptSsrc(long packetSsrc) {
        if (ssrc < 0 || ssrc == packetSsrc) {
            candidatePackets = 0;
            return true;
        }
        if (candidateSsrc == packetSsrc) {
            candidatePackets++;
        } else {
            candidateSsrc = packetSsrc;
            candidatePackets = 1;
        }
        if (candidatePackets >= SSRC_SWITCH_PACKETS) {
            ssrc = packetSsrc;
            candidatePackets = 0;
            statistics.newSource();
            return true;
        }
        return false;
    }

    /** Forgets the locked SSRC; the next relayed packet locks one again (the peer sent new SDP). */
    void rearmSsrc() {
        ssrc = -1;
        candidateSsrc = -1;
        candidatePackets = 0;
    }

    LegStats stats() {
        return new LegStats(state, packetsReceived, bytesReceived, statistics.lost(), statistics.jitterMillis(),
                injected, dropped);
    }
}
