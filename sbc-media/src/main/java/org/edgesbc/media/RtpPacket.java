package org.edgesbc.media;

import io.netty.buffer.ByteBuf;

/**
 * Flyweight reads of RTP and RTCP headers (RFC 3550 §5.1, §6.4) straight from a {@link ByteBuf}, relative to its
 * reader index, without copying or allocating. The buffer is neither consumed nor released. Callers check
 * {@link #isRtp} (or {@link #isRtcp}) before the field accessors, which assume a fixed header is present.
 */
public final class RtpPacket {
    /** The fixed RTP header: V, P, X, CC, M, PT, sequence number, timestamp, SSRC. */
    public static final int FIXED_HEADER = 12;
    /** The RTCP common header plus the sender SSRC. */
    public static final int RTCP_HEADER = 8;
    private static final int VERSION_2 = 0x80;

    private RtpPacket() { }

    /** Version 2 and at least a fixed header: the minimum the relay forwards on an RTP port. */
    public static boolean isRtp(ByteBuf packet) {
        return packet.readableBytes() >= FIXED_HEADER && (byte0(packet) & 0xC0) == VERSION_2;
    }

    /**
     * RFC 5761 §4: on a multiplexed port, an RTCP packet is told from RTP by its second byte, the RTCP packet type,
     * which lies in 192-223 (the RTP payload types 64-95 that RTP profiles leave unused, with the marker bit set).
     */
    public static boolean isRtcp(ByteBuf packet) {
        if (packet.readableBytes() < RTCP_HEADER || (byte0(packet) & 0xC0) != VERSION_2) {
            return false;
        }
        int type = packet.getUnsignedByte(packet.readerIndex() + 1);
        return type >= 192 && type <= 223;
    }

    public static int payloadType(ByteBuf packet) {
        return packet.getUnsignedByte(packet.readerIndex() + 1) & 0x7F;
    }

    public static boolean marker(ByteBuf packet) {
        return (packet.getByte(packet.readerIndex() + 1) & 0x80) != 0;
    }

    /** The 16-bit sequence number, 0-65535. */
    public static int sequence(ByteBuf packet) {
        return packet.getUnsignedShort(packet.readerIndex() + 2);
    }

    /** The 32-bit media timestamp, unsigned. */
    public static long timestamp(ByteBuf packet) {
        return packet.getUnsignedInt(packet.readerIndex() + 4);
    }

    /** The synchronisation source, unsigned. */
    public static long ssrc(ByteBuf packet) {
        return packet.getUnsignedInt(packet.readerIndex() + 8);
    }

    /** The sender SSRC of an RTCP packet (the first packet of a compound), unsigned. */
    public static long rtcpSenderSsrc(ByteBuf packet) {
        return packet.getUnsignedInt(packet.readerIndex() + 4);
    }

    /**
     * Length of the header with its CSRC list and header extension (RFC 3550 §5.3.1), or -1 when they run past the
     * end of the packet.
     */
    public static int headerLength(ByteBuf packet) {
        int length = FIXED_HEADER + 4 * (byte0(packet) & 0x0F);
        if ((byte0(packet) & 0x10) != 0) {
            if (length + 4 > packet.readableBytes()) {
                return -1;
            }
            length += 4 + 4 * packet.getUnsignedShort(packet.readerIndex() + length + 2);
        }
        return length <= packet.readableBytes() ? length : -1;
    }

    private static int byte0(ByteBuf packet) {
        return packet.getUnsignedByte(packet.readerIndex());
    }
}
