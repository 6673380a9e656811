package org.edgesbc.media;

import java.nio.ByteBuffer;

/**
 * Flyweight structural check of a UDPTL packet (ITU-T T.38 §9.1, ASN.1 PER aligned): a 16-bit sequence number,
 * the primary IFP packet as a length-prefixed octet string, then the error-recovery choice (redundancy or FEC),
 * at least one octet. Reads relative to the buffer's position without copying; its position and limit are left as
 * they were.
 */
public final class UdptlPacket {
    private static final int SEQUENCE_BYTES = 2;
    /** PER length determinant: 0xxxxxxx is a length below 128, 10xxxxxx xxxxxxxx one below 16384. */
    private static final int LONG_FORM = 0x80;
    /** 11xxxxxx: a fragmented length, which an IFP packet of a datagram never needs. */
    private static final int FRAGMENTED = 0xC0;

    private UdptlPacket() { }

    /**
     * Whether {@code packet} is shaped like a UDPTL packet: sequence number, a primary IFP of at least one octet
     * (its type) whose length fits the datagram, and an error-recovery part after it.
     */
    public static boolean isUdptl(ByteBuffer packet) {
        int start = packet.position();
        int length = packet.remaining();
        int at = SEQUENCE_BYTES;
        if (length <= at) {
            return false;
        }
        int first = Byte.toUnsignedInt(packet.get(start + at));
        int ifpLength;
        if ((first & FRAGMENTED) == FRAGMENTED) {
            return false;
        } else if ((first & LONG_FORM) == LONG_FORM) {
            if (length <= at + 1) {
                return false;
            }
            ifpLength = ((first & 0x3F) << 8) | Byte.toUnsignedInt(packet.get(start + at + 1));
            at += 2;
        } else {
            ifpLength = first;
            at += 1;
        }
        return ifpLength >= 1 && at + ifpLength < length;
    }

    /** The packet's sequence number; call after {@link #isUdptl}. */
    public static int sequence(ByteBuffer packet) {
        return Short.toUnsignedInt(packet.getShort(packet.position()));
    }
}
