package org.edgesbc.media;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;
import org.edgesbc.media.srtp.SdesCrypto;
import org.edgesbc.media.srtp.SrtpContext;

/**
 * One relayed media stream (one m= line): a leg per side, each an RTP/RTCP socket pair facing that side's peer.
 * Packets from side A's peer leave side B's sockets toward side B's peer and back, so each peer only ever sees the
 * SBC's address. Owned by its session's event loop; core's calls are handed to that loop.
 *
 * <p>Strict latching, per leg (see {@link LegState}): before latching, plain RTP is admitted only from the IP the
 * SDP announced or the IP the peer's signalling came from (a NATed phone), any port; an SRTP leg admits any source
 * because only a packet that authenticates with the peer's own key may latch. The first packet that passes every
 * check fixes the peer's address and port, and on plain RTP its SSRC. After that, packets from another address are
 * dropped as {@link MediaDropReason#FOREIGN_SOURCE}; on a plain RTP leg, packets with another SSRC as
 * {@link MediaDropReason#FOREIGN_SSRC}, unless that SSRC arrives {@value MediaEndpoint#SSRC_SWITCH_PACKETS} times in
 * a row from the latched address (a PBX bridging the call elsewhere), or the peer sends new SDP, which re-arms the
 * SSRC lock. New SDP with another address unlatches the leg. RTCP latches per socket the same way, without SSRCs.
 *
 * <p>A leg whose peer announced T.38 fax ({@link MediaTransport#UDPTL}, typically in a re-INVITE that turns the
 * audio stream into an image stream and back) takes UDPTL packets on its even port only: each must be shaped like
 * UDPTL (T.38 §9.1) rather than RTP, latching admits the same addresses and then fixes the source address and
 * port (UDPTL has no SSRC), SRTP contexts are not applied, and its relays and drops are also counted apart
 * ({@link MediaMetrics#udptlRelayed}, {@link MediaMetrics#udptlDropped}). A change of transport unlatches the leg,
 * since a fax gateway may send from another port than the phone's audio did.
 */
public final class MediaStream {
    private final MediaSession session;
    private final MediaEndpoint a;
    private final MediaEndpoint b;

    /** SDES keys the SBC announced toward each side, kept across re-offers; signalling thread only. */
    private final SdesCrypto[] announcedKeys = new SdesCrypto[2];
    /** Whether each side's latest SDP took SRTP; null until it has sent SDP; signalling thread only. */
    private final Boolean[] peerSrtp = new Boolean[2];
    /** Whether each leg was last given any SRTP context, as the loop will see it; signalling thread only. */
    private final boolean[] srtpGiven = new boolean[2];
    /** The latest announcement per side, by {@link MediaSide} ordinal, written by the signalling thread. */
    private final AtomicReferenceArray<Remote> pendingRemotes = new AtomicReferenceArray<>(2);
    private final AtomicLong remoteGenerations = new AtomicLong();

    MediaStream(MediaSession session, BoundPortPair pairA, BoundPortPair pairB) {
        this.session = session;
        this.a = new MediaEndpoint(pairA);
        this.b = new MediaEndpoint(pairB);
    }

    MediaEndpoint endpoint(MediaSide side) {
        return side == MediaSide.A ? a : b;
    }

    /** The SBC's RTP port facing {@code side}; RTCP is the port above. */
    public int localPort(MediaSide side) {
        return endpoint(side).rtpPort;
    }

    /** The SBC's advertised address and ports facing {@code side}, for the SDP sent to that side. */
    public LegEndpoint localEndpoint(MediaSide side) {
        int port = endpoint(side).rtpPort;
        return new LegEndpoint(session.advertisedAddress(), port, port + 1);
    }

    /**
     * Tells where the peer on {@code side} receives media (from its SDP) and where its signalling comes from. A
     * changed RTP address unlatches that leg so that the new source can latch; any new SDP re-arms the SSRC lock.
     *
     * @param rtp the announced RTP address, or null while the peer announces none (hold with 0.0.0.0)
     * @param rtcp the announced RTCP address (a=rtcp, else the RTP port + 1); ignored with {@code rtcpMux}
     * @param rtcpMux the peer multiplexes RTCP on its RTP address (RFC 5761): RTCP toward it leaves the RTP socket
     * @param signalling the source address of the peer's SIP, which a NATed peer's media also leaves from
     * @param transport what the peer sends on this stream: RTP, or T.38 fax over UDPTL
     */
    public void setRemote(MediaSide side, InetSocketAddress rtp, InetSocketAddress rtcp, boolean rtcpMux,
            InetAddress signalling, MediaTransport transport) {
        Remote remote = new Remote(remoteGenerations.incrementAndGet(), rtp, rtcp, rtcpMux, signalling, transport);
        // Published at once and applied by the first packet of either side that the loop reads (onPacket), so the
        // loop need not be woken for it: the task only settles the leg's state for a stream no packet reaches.
        pendingRemotes.set(side.ordinal(), remote);
        session.executeLazily(() -> apply(side, remote));
    }

    /** What one SDP announced for a side; the generation orders announcements applied out of turn. */
    private record Remote(long generation, InetSocketAddress rtp, InetSocketAddress rtcp, boolean rtcpMux,
            InetAddress signalling, MediaTransport transport) { }

    /** Applies an announcement on the loop unless a later one was applied already. */
    private void apply(MediaSide side, Remote remote) {
        MediaEndpoint leg = endpoint(side);
        if (leg.state == LegState.CLOSED || remote.generation() <= leg.remoteGeneration) {
            return;
        }
        leg.remoteGeneration = remote.generation();
        if ((remote.rtp() != null && !remote.rtp().equals(leg.expectedRtp)) || remote.transport() != leg.transport) {
            leg.latchedRtp = null;
            leg.latchedRtcp = null;
            leg.state = LegState.WAITING;
        }
        leg.rearmSsrc();
        leg.expectedRtp = remote.rtp();
        leg.expectedRtcp = remote.rtcpMux() ? remote.rtp() : remote.rtcp();
        leg.rtcpMux = remote.rtcpMux();
        leg.signallingAddress = remote.signalling();
        leg.transport = remote.transport();
    }

    private void applyPending(MediaSide side) {
        Remote remote = pendingRemotes.get(side.ordinal());
        if (remote != null) {
            apply(side, remote);
        }
    }

    /**
     * Sets SRTP for {@code side}: the keys its peer sends with (null: the peer sends plain RTP) and the keys the SBC
     * sends to it with (null: plain RTP toward it). New keys start new crypto contexts (rollover counters and replay
     * windows from zero). Plain RTP both ways on a leg that has no context already changes nothing, so it is not
     * handed to the loop (every call without SRTP makes that call for each side).
     */
    public void setSrtp(MediaSide side, SdesCrypto peerSends, SdesCrypto sbcSends) {
        boolean srtp = peerSends != null || sbcSends != null;
        if (!srtp && !srtpGiven[side.ordinal()]) {
            return;
        }
        srtpGiven[side.ordinal()] = srtp;
        session.execute(() -> {
            MediaEndpoint leg = endpoint(side);
            leg.srtpIn = peerSends == null ? null : new SrtpContext(peerSends.suite(), peerSends.keys());
            leg.srtpOut = sbcSends == null ? null : new SrtpContext(sbcSends.suite(), sbcSends.keys());
        });
    }

    /**
     * Called on the session's loop for every packet arriving on one of this stream's sockets, with the datagram
     * between {@code packet}'s position and limit (the loop's buffer, valid during the call only). Relays it from
     * the same buffer, or from the loop's scratch array when SRTP is applied on either leg.
     */
    void onPacket(MediaSide from, boolean rtcpSocket, ByteBuffer packet, InetSocketAddress sender) {
        applyPending(from);
        applyPending(from.other());
        MediaEndpoint source = endpoint(from);
        MediaEndpoint target = endpoint(from.other());
        if (source.transport == MediaTransport.UDPTL) {
            onUdptl(from, source, target, rtcpSocket, packet, sender);
            return;
        }
        boolean rtcp = rtcpSocket || RtpPacket.isRtcp(packet);
        if (rtcp ? !RtpPacket.isRtcp(packet) : !RtpPacket.isRtp(packet)) {
            drop(source, MediaDropReason.NOT_RTP);
            return;
        }
        if (source.state == LegState.ALLOCATED || source.state == LegState.CLOSED) {
            drop(source, MediaDropReason.NOT_ANNOUNCED);
            return;
        }
        InetSocketAddress latched = rtcpSocket ? source.latchedRtcp : source.latchedRtp;
        // Before latching, plain RTP must come from the announced or signalling address; SRTP may come from
        // anywhere, because only a packet that authenticates with the peer's own key can latch (below).
        boolean admissible = latched == null ? source.srtpIn != null || source.mayLatch(sender.getAddress())
                : latched.equals(sender);
        if (!admissible) {
            drop(source, MediaDropReason.FOREIGN_SOURCE);
            return;
        }
        // SRTP authentication already proves the sender holds the peer's key; the SSRC lock guards plain RTP.
        if (!rtcp && source.srtpIn == null && !source.acceptSsrc(RtpPacket.ssrc(packet))) {
            drop(source, MediaDropReason.FOREIGN_SSRC);
            return;
        }
        int received = packet.remaining();
        boolean plain = source.srtpIn == null && target.srtpOut == null;
        int transformed = plain ? received
                : transform(source.srtpIn, target.srtpOut, rtcp, packet, session.loop().scratch());
        if (transformed < 0) {
            drop(source, MediaDropReason.SRTP_REJECTED);
            return;
        }
        // Only a packet that passed every check latches the peer.
        if (latched == null) {
            if (rtcpSocket) {
                source.latchedRtcp = sender;
            } else {
                source.latchedRtp = sender;
                source.state = LegState.LATCHED;
            }
        }
        long now = session.now();
        if (!rtcp) {
            if (source.ssrc < 0) {
                source.ssrc = RtpPacket.ssrc(packet);
            }
            source.statistics.record(RtpPacket.sequence(packet), RtpPacket.timestamp(packet), now);
        }
        // RFC 5761 §5.1.3: RTCP toward a multiplexing peer goes to its RTP address from our RTP port.
        boolean viaRtcpSocket = rtcp && !target.rtcpMux;
        InetSocketAddress destination = viaRtcpSocket
                ? (target.latchedRtcp != null ? target.latchedRtcp : target.expectedRtcp)
                : (target.latchedRtp != null ? target.latchedRtp : target.expectedRtp);
        if (destination == null || target.state == LegState.CLOSED) {
            drop(source, MediaDropReason.NO_PEER);
            return;
        }
        MediaSocket out = viaRtcpSocket ? target.pair.rtcp : target.pair.rtp;
        boolean sent = plain ? session.loop().send(out, packet, destination)
                : session.loop().sendScratch(out, transformed, destination);
        relayedOrDropped(from, source, MediaTransport.RTP, received, now, sent);
    }

    /**
     * A packet on a T.38 fax leg: UDPTL on the even port, latched on the source address and port alone, relayed
     * unchanged from the other leg's even port.
     */
    private void onUdptl(MediaSide from, MediaEndpoint source, MediaEndpoint target, boolean rtcpSocket,
            ByteBuffer packet, InetSocketAddress sender) {
        if (rtcpSocket || !UdptlPacket.isUdptl(packet)) {
            drop(source, MediaDropReason.NOT_UDPTL);
            return;
        }
        if (source.state == LegState.ALLOCATED || source.state == LegState.CLOSED) {
            drop(source, MediaDropReason.NOT_ANNOUNCED);
            return;
        }
        InetSocketAddress latched = source.latchedRtp;
        if (latched == null ? !source.mayLatch(sender.getAddress()) : !latched.equals(sender)) {
            drop(source, MediaDropReason.FOREIGN_SOURCE);
            return;
        }
        InetSocketAddress destination = target.latchedRtp != null ? target.latchedRtp : target.expectedRtp;
        if (destination == null || target.state == LegState.CLOSED) {
            drop(source, MediaDropReason.NO_PEER);
            return;
        }
        if (latched == null) {
            source.latchedRtp = sender;
            source.state = LegState.LATCHED;
        }
        int received = packet.remaining();
        boolean sent = session.loop().send(target.pair.rtp, packet, destination);
        relayedOrDropped(from, source, MediaTransport.UDPTL, received, session.now(), sent);
    }

    /** Counts a packet that passed every check: relayed, or dropped when the kernel would not send it. */
    private void relayedOrDropped(MediaSide from, MediaEndpoint source, MediaTransport transport, int received,
            long now, boolean sent) {
        if (!sent) {
            drop(source, MediaDropReason.SEND_FAILED);
            return;
        }
        source.packetsReceived++;
        source.bytesReceived += received;
        session.packetRelayed(from, transport, received, now);
    }

    /**
     * RTP/SRTP interworking into {@code scratch}: unprotects with the sender's context and protects with the
     * receiver's. Returns the length to send, or -1 when the packet fails authentication or replay checks.
     */
    private static int transform(SrtpContext in, SrtpContext out, boolean rtcp, ByteBuffer packet, byte[] scratch) {
        int length = packet.remaining();
        packet.get(packet.position(), scratch, 0, length);
        if (in != null) {
            length = rtcp ? in.unprotectRtcp(scratch, length) : in.unprotectRtp(scratch, length);
            if (length < 0) {
                return -1;
            }
        }
        if (out != null) {
            length = rtcp ? out.protectRtcp(scratch, length) : out.protectRtp(scratch, length);
            if (length < 0) {
                return -1;
            }
        }
        return length;
    }

    /** The one place a packet is refused: counted on the leg, the session and the metrics. */
    private void drop(MediaEndpoint source, MediaDropReason reason) {
        source.dropped++;
        if (reason.injection()) {
            source.injected++;
        }
        session.packetDropped(source.transport, reason);
    }

    /** Closes both legs; the sockets stay open for the pool, and the session hands the pairs back to it. */
    void close() {
        for (MediaSide side : MediaSide.values()) {
            endpoint(side).state = LegState.CLOSED;
        }
    }

    /** The SDES keys the SBC sends to {@code side} with, created once per stream and side. */
    public SdesCrypto announcedKeys(MediaSide side, Supplier<SdesCrypto> create) {
        if (announcedKeys[side.ordinal()] == null) {
            announcedKeys[side.ordinal()] = create.get();
        }
        return announcedKeys[side.ordinal()];
    }

    /** Whether {@code side}'s latest SDP took SRTP; null before it sent any. */
    public Boolean peerSrtp(MediaSide side) {
        return peerSrtp[side.ordinal()];
    }

    public void peerSrtp(MediaSide side, boolean srtp) {
        peerSrtp[side.ordinal()] = srtp;
    }

    /**
     * Where {@code side}'s peer said in its latest SDP that it receives RTP; null before it sent SDP or while it
     * announces none (hold with 0.0.0.0). Any thread.
     */
    public InetSocketAddress announcedRemote(MediaSide side) {
        Remote remote = pendingRemotes.get(side.ordinal());
        return remote == null ? null : remote.rtp();
    }

    /** Where {@code side}'s leg stands. */
    public LegState legState(MediaSide side) {
        return endpoint(side).state;
    }

    /** A snapshot of what {@code side}'s peer sent; may lag the media loop by a packet or two. */
    public LegStats stats(MediaSide side) {
        return endpoint(side).stats();
    }

    /** RTP packets {@code side}'s peer sent that never arrived (RFC 3550 A.3). */
    public long lostFrom(MediaSide side) {
        return endpoint(side).statistics.lost();
    }

    /** Interarrival jitter of {@code side}'s RTP (RFC 3550 A.8), in milliseconds. */
    public double jitterMillisFrom(MediaSide side) {
        return endpoint(side).statistics.jitterMillis();
    }

    /** Packets relayed from {@code side}'s peer. */
    public long packetsFrom(MediaSide side) {
        return endpoint(side).packetsReceived;
    }

    /** Packets arriving at {@code side}'s sockets that were dropped (foreign, malformed, no peer). */
    public long droppedAt(MediaSide side) {
        return endpoint(side).dropped;
    }
}
