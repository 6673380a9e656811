package org.edgesbc.transport;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/**
 * Answers the STUN Binding requests that RFC 5626 §4.4.2 has user agents send as keep-alives over UDP to their
 * SIP edge: the SIP listener doubles as a STUN server (RFC 5626 §8.1), and the answer tells the phone the address
 * its NAT maps it to (XOR-MAPPED-ADDRESS, RFC 5389 §15.2), which is how it notices a NAT rebinding. Only plain
 * Binding requests with the RFC 5389 magic cookie are answered; nothing else that starts like STUN is.
 */
final class StunKeepAlive {
    static final int MAGIC_COOKIE = 0x2112A442;
    private static final int HEADER_BYTES = 20;
    private static final int BINDING_REQUEST = 0x0001;
    private static final int BINDING_SUCCESS = 0x0101;
    private static final int XOR_MAPPED_ADDRESS = 0x0020;
    /** A keep-alive carries no attributes worth reading; a large "request" is not one. */
    private static final int MAX_REQUEST_BYTES = 548;

    private StunKeepAlive() { }

    /**
     * Whether a datagram is STUN at all: RFC 5389 §6 says its first two bits are zero, which no SIP start line
     * allows (RFC 7983 §7 sorts packets on a shared port the same way), and the magic cookie follows; a CRLF
     * keep-alive has the first but never the second.
     */
    static boolean looksLikeStun(ByteBuf datagram) {
        int start = datagram.readerIndex();
        return datagram.readableBytes() >= HEADER_BYTES && (datagram.getByte(start) & 0xC0) == 0
                && datagram.getInt(start + 4) == MAGIC_COOKIE;
    }

    /**
     * Writes the Binding success response to {@code request} into {@code out} and returns true, or returns false
     * (writing nothing) when the datagram is not a well-formed Binding request.
     */
    static boolean answer(ByteBuf request, InetSocketAddress sender, ByteBuf out) {
        int start = request.readerIndex();
        int length = request.readableBytes();
        if (length < HEADER_BYTES || length > MAX_REQUEST_BYTES
                || request.getUnsignedShort(start) != BINDING_REQUEST
                || request.getUnsignedShort(start + 2) != length - HEADER_BYTES
                || (request.getUnsignedShort(start + 2) & 3) != 0
                || request.getInt(start + 4) != MAGIC_COOKIE) {
            return false;
        }
        byte[] address = sender.getAddress().getAddress();
        out.writeShort(BINDING_SUCCESS);
        out.writeShort(4 + 4 + address.length);
        out.writeInt(MAGIC_COOKIE);
        out.writeBytes(request, start + 8, 12);
        out.writeShort(XOR_MAPPED_ADDRESS);
        out.writeShort(4 + address.length);
        out.writeByte(0);
        out.writeByte(address.length == 4 ? 0x01 : 0x02);
        out.writeShort(sender.getPort() ^ (MAGIC_COOKIE >>> 16));
        // IPv4 is XORed with the cookie, IPv6 with the cookie followed by the transaction ID (RFC 5389 §15.2).
        for (int i = 0; i < address.length; i++) {
            int mask = i < 4 ? (MAGIC_COOKIE >>> (24 - 8 * i)) & 0xFF : request.getByte(start + 8 + i - 4) & 0xFF;
            out.writeByte((address[i] & 0xFF) ^ mask);
        }
        return true;
    }
}
