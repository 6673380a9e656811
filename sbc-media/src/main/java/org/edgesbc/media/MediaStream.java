package org.edgesbc.media;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * One relayed media stream (one m= line): an RTP/RTCP socket pair facing each side. Packets from side A's peer go
 * out of side B's sockets to side B's peer and back, with strict latching: before latching only the SDP-announced
 * or signalling address may send; after it only the latched address, and on RTP only the latched SSRC. Everything
 * else is counted as a foreign packet and dropped. Owned by its session's event loop.
 */
public final class MediaStream {
    private final MediaSession session;
    private final MediaEndpoint a;
    private final MediaEndpoint b;

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
        if (latched == null) {
            if (!source.mayLatch(sender.getAddress())) {
                drop(source, MediaDropReason.FOREIGN_SOURCE);
                return;
            }
            if (rtcpSocket) {
                source.latchedRtcp = sender;
            } else {
                source.latchedRtp = sender;
            }
        } else if (!latched.equals(sender)) {
            drop(source, MediaDropReason.FOREIGN_SOURCE);
            return;
        }
        if (!rtcp) {
            long ssrc = content.getUnsignedInt(content.readerIndex() + 8);
            if (source.ssrc < 0) {
                source.ssrc = ssrc;
            } else if (source.ssrc != ssrc) {
                drop(source, MediaDropReason.FOREIGN_SSRC);
                return;
            }
        }
        InetSocketAddress destination = rtcpSocket
                ? (target.latchedRtcp != null ? target.latchedRtcp : target.expectedRtcp)
                : (target.latchedRtp != null ? target.latchedRtp : target.expectedRtp);
        Channel out = rtcpSocket ? target.rtcp : target.rtp;
        if (destination == null || out == null) {
            drop(source, MediaDropReason.NO_PEER);
            return;
        }
        int bytes = content.readableBytes();
        source.packetsReceived++;
        source.bytesReceived += bytes;
        session.packetRelayed(bytes);
        out.writeAndFlush(new DatagramPacket(content.retain(), destination), out.voidPromise());
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

    /** Packets relayed from {@code side}'s peer. */
    public long packetsFrom(MediaSide side) {
        return endpoint(side).packetsReceived;
    }

    /** Packets from or toward {@code side}'s sockets that were dropped (foreign, malformed, no peer). */
    public long droppedAt(MediaSide side) {
        return endpoint(side).dropped;
    }
}
