package org.edgesbc.media;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.edgesbc.media.srtp.SdesCrypto;
import org.edgesbc.media.srtp.SrtpContext;

/**
 * One relayed media stream (one m= line): an RTP/RTCP socket pair facing each side. Packets from side A's peer go
 * out of side B's sockets to side B's peer and back, with strict latching: before latching only the SDP-announced
 * or signalling address may send; after it only the latched address, and on RTP only the latched SSRC. Everything
 * else is counted as a foreign packet and dropped. Owned by its session's event loop.
 */
public final class MediaStream {
    /** SRTCP index (4 bytes) plus the longest tag (10 bytes). */
    private static final int SRTP_ROOM = 14;
    private final MediaSession session;
    private final MediaEndpoint a;
    private final MediaEndpoint b;

    /** SDES keys the SBC announced toward each side, kept across re-offers; signalling thread only. */
    private final SdesCrypto[] announcedKeys = new SdesCrypto[2];
    /** Whether each side's latest SDP took SRTP; null until it has sent SDP; signalling thread only. */
    private final Boolean[] peerSrtp = new Boolean[2];

    MediaStream(MediaSession session, int portA, int portB) {
        this.session = session;
        this.a = new MediaEndpoint(portA);
        this.b = new MediaEndpoint(portB);
    }

    MediaEndpoint endpoint(MediaSide side) {
        return side == MediaSide.A ? a : b;
    }

    /** The SBC's RTP port facing {@code side}; RTCP is the port above. */
    public int localPort(MediaSide side) {
        return endpoint(side).rtpPort;
    }

    /**
     * Tells where the peer on {@code side} receives media (from its SDP) and where its signalling comes from. A
     * changed address (re-INVITE, new SDP) unlatches that side so that the new source can latch.
     *
     * @param rtp the announced RTP address, or null while the peer has announced none (hold with 0.0.0.0)
     */
    public void setRemote(MediaSide side, InetSocketAddress rtp, InetSocketAddress rtcp, InetAddress signalling) {
        session.loop().execute(() -> {
            MediaEndpoint endpoint = endpoint(side);
            if (rtp != null && !rtp.equals(endpoint.expectedRtp)) {
                endpoint.latchedRtp = null;
                endpoint.latchedRtcp = null;
                endpoint.ssrc = -1;
            }
            endpoint.expectedRtp = rtp;
            endpoint.expectedRtcp = rtcp;
            endpoint.signallingAddress = signalling;
        });
    }

    /**
     * Sets SRTP for {@code side}: the keys its peer sends with (null: the peer sends plain RTP) and the keys the SBC
     * sends to it with (null: plain RTP toward it). New keys start new crypto contexts.
     */
    public void setSrtp(MediaSide side, SdesCrypto peerSends, SdesCrypto sbcSends) {
        session.loop().execute(() -> {
            MediaEndpoint endpoint = endpoint(side);
            endpoint.srtpIn = peerSends == null ? null : new SrtpContext(peerSends.suite(), peerSends.keys());
            endpoint.srtpOut = sbcSends == null ? null : new SrtpContext(sbcSends.suite(), sbcSends.keys());
        });
    }

    /** Called on the session's loop for every packet arriving on one of this stream's sockets. Does not release it. */
    void onPacket(MediaSide from, boolean rtcpSocket, DatagramPacket packet) {
        MediaEndpoint source = endpoint(from);
        MediaEndpoint target = endpoint(from.other());
        ByteBuf content = packet.content();
        InetSocketAddress sender = packet.sender();
        boolean rtcp = rtcpSocket || isMultiplexedRtcp(content);
        if (!rtcpSocket && (content.readableBytes() < 12 || (content.getByte(content.readerIndex()) & 0xC0) != 0x80)) {
            drop(source, MediaDropReason.NOT_RTP);
            return;
        }
        InetSocketAddress latched = rtcpSocket ? source.latchedRtcp : source.latchedRtp;
        // Before latching, plain RTP must come from the announced or signalling address; SRTP may come from
        // anywhere, because only a packet that authenticates with the peer's own key can latch (below).
        boolean admissible = latched == null ? source.mayLatch(sender.getAddress()) || source.srtpIn != null
                : latched.equals(sender);
        if (!admissible) {
            drop(source, MediaDropReason.FOREIGN_SOURCE);
            return;
        }
        if (!rtcp) {
            long ssrc = content.getUnsignedInt(content.readerIndex() + 8);
            if (source.ssrc >= 0 && source.ssrc != ssrc) {
                drop(source, MediaDropReason.FOREIGN_SSRC);
                return;
            }
        }
        ByteBuf outgoing = source.srtpIn == null && target.srtpOut == null ? content.retain()
                : transform(source.srtpIn, target.srtpOut, rtcp, content);
        if (outgoing == null) {
            drop(source, MediaDropReason.SRTP_REJECTED);
            return;
        }
        // Only a packet that passed every check latches the peer and its SSRC.
        if (latched == null) {
            if (rtcpSocket) {
                source.latchedRtcp = sender;
            } else {
                source.latchedRtp = sender;
            }
        }
        if (!rtcp) {
            if (source.ssrc < 0) {
                source.ssrc = content.getUnsignedInt(content.readerIndex() + 8);
            }
            source.statistics.record(content.getUnsignedShort(content.readerIndex() + 2),
                    content.getUnsignedInt(content.readerIndex() + 4), System.nanoTime());
        }
        InetSocketAddress destination = rtcpSocket
                ? (target.latchedRtcp != null ? target.latchedRtcp : target.expectedRtcp)
                : (target.latchedRtp != null ? target.latchedRtp : target.expectedRtp);
        Channel out = rtcpSocket ? target.rtcp : target.rtp;
        if (destination == null || out == null) {
            outgoing.release();
            drop(source, MediaDropReason.NO_PEER);
            return;
        }
        int bytes = outgoing.readableBytes();
        source.packetsReceived++;
        source.bytesReceived += bytes;
        session.packetRelayed(bytes);
        out.writeAndFlush(new DatagramPacket(outgoing, destination), out.voidPromise());
    }

    /**
     * RTP/SRTP interworking: unprotects with the sender's context and protects with the receiver's, on a copy with
     * room for the tag and SRTCP index. Returns null when the packet fails authentication or replay checks.
     */
    private static ByteBuf transform(SrtpContext in, SrtpContext out, boolean rtcp, ByteBuf content) {
        int length = content.readableBytes();
        byte[] packet = new byte[length + SRTP_ROOM];
        content.getBytes(content.readerIndex(), packet, 0, length);
        if (in != null) {
            length = rtcp ? in.unprotectRtcp(packet, length) : in.unprotectRtp(packet, length);
            if (length < 0) {
                return null;
            }
        }
        if (out != null) {
            length = rtcp ? out.protectRtcp(packet, length) : out.protectRtp(packet, length);
            if (length < 0) {
                return null;
            }
        }
        return Unpooled.wrappedBuffer(packet, 0, length);
    }

    /** RFC 5761 §4: with rtcp-mux, RTCP packet types 200-204 arrive on the RTP port. */
    private static boolean isMultiplexedRtcp(ByteBuf content) {
        if (content.readableBytes() < 8) {
            return false;
        }
        int type = content.getUnsignedByte(content.readerIndex() + 1);
        return type >= 200 && type <= 204;
    }

    private void drop(MediaEndpoint source, MediaDropReason reason) {
        source.dropped++;
        session.packetDropped(reason);
    }

    /** The SDES keys the SBC sends to {@code side} with, created once per stream and side. */
    public SdesCrypto announcedKeys(MediaSide side, java.util.function.Supplier<SdesCrypto> create) {
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

    /** Packets from or toward {@code side}'s sockets that were dropped (foreign, malformed, no peer). */
    public long droppedAt(MediaSide side) {
        return endpoint(side).dropped;
    }
}
