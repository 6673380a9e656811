package org.edgesbc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.SipMessageGate;

/**
 * Cuts a TCP/TLS byte stream into SIP messages by Content-Length (RFC 3261 §18.3) and answers keep-alive pings: a
 * CRLFCRLF gets a CRLF pong (RFC 5626 §4.4.1); CRLFs between messages are skipped. Limits are checked before
 * anything is buffered past them: a header block longer than the message limit, or a Content-Length that would make
 * the message larger, loses the framing, so the connection is answered (413/400 where safe) and closed.
 *
 * <p>Emits one {@code byte[]} per complete message (headers and body). Consumes the inbound {@link ByteBuf}s
 * (the base class releases them).
 */
final class SipStreamFramer extends ByteToMessageDecoder {
    private static final byte[] PONG = {'\r', '\n'};

    private final SipMessageGate gate;
    private final GateRejectResponder responder;
    private final SipTransport transport;
    private final int maxMessageBytes;
    /** Length of the message being assembled once its headers are complete, -1 while still reading headers. */
    private int pendingLength = -1;
    private boolean failed;

    SipStreamFramer(SipMessageGate gate, GateRejectResponder responder, SipTransport transport) {
        this.gate = gate;
        this.responder = responder;
        this.transport = transport;
        this.maxMessageBytes = gate.limits().maxMessageBytes();
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (!failed && in.isReadable()) {
            if (pendingLength < 0) {
                int crlfs = skipLineEnds(in);
                if (crlfs >= 4) {
                    ctx.writeAndFlush(Unpooled.wrappedBuffer(PONG));
                }
                if (!in.isReadable()) {
                    return;
                }
                int headerEnd = findHeaderEnd(in);
                if (headerEnd < 0) {
                    if (in.readableBytes() > maxMessageBytes) {
                        fail(ctx, in, in.readerIndex() + maxMessageBytes);
                    }
                    return;
                }
                int headerBytes = headerEnd - in.readerIndex() + 4;
                long contentLength = contentLength(in, in.readerIndex(), headerEnd);
                if (contentLength < 0 || headerBytes + contentLength > maxMessageBytes) {
                    fail(ctx, in, headerEnd + 4);
                    return;
                }
                pendingLength = (int) (headerBytes + contentLength);
            }
            if (in.readableBytes() < pendingLength) {
                return;
            }
            byte[] message = new byte[pendingLength];
            in.readBytes(message);
            pendingLength = -1;
            out.add(message);
        }
        if (failed) {
            in.skipBytes(in.readableBytes());
        }
    }

    /** Framing is lost: let the gate say why and answer if safe, then close once the answer is written. */
    private void fail(ChannelHandlerContext ctx, ByteBuf in, int headerLimit) {
        failed = true;
        int length = Math.min(in.readableBytes(), headerLimit - in.readerIndex());
        byte[] head = new byte[length];
        in.getBytes(in.readerIndex(), head);
        GateResult verdict = gate.check(head, head.length, true);
        if (verdict.accepted() || verdict.keepAlive()) {
            verdict = new GateResult(GateRejection.CONTENT_LENGTH_INVALID, false, verdict.request(), null, 0, null,
                    null);
        }
        byte[] answer = responder.reject(transport, verdict, String.valueOf(ctx.channel().remoteAddress()));
        if (answer != null) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    private static int skipLineEnds(ByteBuf in) {
        int count = 0;
        while (in.isReadable()) {
            byte b = in.getByte(in.readerIndex());
            if (b != '\r' && b != '\n') {
                break;
            }
            in.skipBytes(1);
            count++;
        }
        return count;
    }

    /** Index of the CRLFCRLF that ends the header block, searched no further than the message limit. */
    private int findHeaderEnd(ByteBuf in) {
        int start = in.readerIndex();
        int end = Math.min(in.writerIndex(), start + maxMessageBytes);
        for (int i = start; i + 3 < end; i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r'
                    && in.getByte(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The single Content-Length (or compact {@code l}) of the header block, -1 when missing, repeated or not a plain
     * number: all three make the stream unframeable.
     */
    static long contentLength(ByteBuf in, int from, int headerEnd) {
        long found = -1;
        int lineStart = from;
        while (lineStart < headerEnd) {
            int lineEnd = lineStart;
            while (lineEnd < headerEnd && !(in.getByte(lineEnd) == '\r' && in.getByte(lineEnd + 1) == '\n')) {
                lineEnd++;
            }
            String line = in.toString(lineStart, lineEnd - lineStart, StandardCharsets.ISO_8859_1);
            int colon = line.indexOf(':');
            if (colon > 0) {
                String name = line.substring(0, colon).trim();
                if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("l")) {
                    if (found >= 0) {
                        return -1;
                    }
                    String value = line.substring(colon + 1).trim();
                    if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(Character::isDigit)) {
                        return -1;
                    }
                    found = Long.parseLong(value);
                }
            }
            lineStart = lineEnd + 2;
        }
        return found;
    }
}
