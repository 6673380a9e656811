package org.edgesbc.media;

import java.nio.ByteBuffer;

/**
 * Flyweight reads of RTP and RTCP headers (RFC 3550 §5.1, §6.4) straight from a {@link ByteBuffer}, relative to its
 * position, without copying or allocating. The buffer's position and limit are left as they were. Callers check
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
    public static boolean isRtp(ByteBuffer packet) {
        return packet.remaining() >= FIXED_HEADER && (byte0(packet) & 0xC0) == VERSION_2;
    }

    /**
     * RFC 5761 §4: on a multiplexed port, an RTCP packet is told from RTP by its second byte, the RTCP packet type,
     * which lies in 192-223 (the RTP payload types 64-95 that RTP profiles leave unused, with the marker bit set).
     */
    public static boolean isRtcp(ByteBuffer packet) {
        if (packet.remaining() < RTCP_HEADER || (byte0(packet) & 0xC0) != VERSION_2) {
            return false;
        }
        int type = Byte.toUnsignedInt(packet.get(packet.position() + 1));
        return type >= 192 && type <= 223;
    }

    public static int payloadType(ByteBuffer packet) {
        return Byte.toUnsignedInt(packet.get(packet.position() + 1)) & 0x7F;
    }

    public static boolean marker(ByteBuffer packet) {
        return (packet.get(packet.position() + 1) & 0x80) != 0;
    }

    /** The 16-bit sequence number, 0-65535. */
    public static int sequence(ByteBuffer packet) {
        return Short.toUnsignedInt(packet.getShort(packet.position() + 2));
    }

    /** The 32-bit media timestamp, unsigned. */
    public static long timestamp(ByteBuffer packet) {
        return Integer.toUnsignedLong(packet.getInt(packet.position() + 4));
    }

    /** The synchronisation source, unsigned. */
    public static long ssrc(ByteBuffer packet) {
        return Integer.toUnsignedLong(packet.getInt(packet.position() + 8));
    }

    /** The sender SSRC of an RTCP packet (the first packet of a compound), unsigned. */
    public static long rtcpSenderSsrc(ByteBuffer packet) {
        return Integer.toUnsignedLong(packet.getInt(packet.position() + 4));
    }

    /**
     * Length of the header with its CSRC list and header extension (RFC 3550 §5.3.1), or -1 when they run past the
     * end of the packet.
     */
    public static int headerLength(ByteBuffer packet) {
        int length = FIXED_HEADER + 4 * (byte0(packet) & 0x0F);
        if ((byte0(packet) & 0x10) != 0) {
            if (length + 4 > packet.remaining()) {
                return -1;
            }
            length += 4 + 4 * Short.toUnsignedInt(packet.getShort(packet.position() + length + 2));
        }
        return length <= packet.remaining() ? length : -1;
    }

    private static int byte0(ByteBuffer packet) {
        return Byte.toUnsignedInt(packet.get(packet.position()));
    }
}
