package org.edgesbc.transport;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.SipMessageGate;

/**
 * Cuts a TCP/TLS byte stream into SIP messages by Content-Length (RFC 3261 §18.3) and answers keep-alive pings.
 *
 * <p>Between messages, line ends are skipped (RFC 3261 §7.5); every CRLFCRLF among them is a ping and gets a single
 * CRLF pong (RFC 5626 §4.4.1), also when the ping arrives split over several reads. Limits are checked before
 * anything is buffered past them: the header block is searched no further than the gate's
 * {@code maxMessageBytes}, and a Content-Length that would make the message larger than that is refused before its
 * body is read. Either way, and when the Content-Length is missing, repeated or not a number, the framing is lost:
 * the gate's verdict on the head of the message decides whether a 413/400 is safe to send (through the
 * {@link GateRejectResponder}), and the connection is closed once the answer is written.
 *
 * <p>Emits one {@code byte[]} per complete message (headers and body). Consumes the inbound {@link ByteBuf}s (the
 * base class releases them). One instance per connection.
 */
final class SipStreamFramer extends ByteToMessageDecoder {
    private static final byte[] PONG = {'\r', '\n'};
    private static final byte[] CONTENT_LENGTH = {'c', 'o', 'n', 't', 'e', 'n', 't', '-', 'l', 'e', 'n', 'g', 't', 'h'};
    private static final byte[] CONTENT_LENGTH_COMPACT = {'l'};

    private final SipMessageGate gate;
    private final GateRejectResponder responder;
    private final SipTransport transport;
    private final int maxMessageBytes;
    /** Length of the message being assembled once its headers are complete, -1 while still reading headers. */
    private int pendingLength = -1;
    /** Bytes of the current header block already searched for its end without finding it. */
    private int searchedBytes;
    /** Line-end bytes seen in a row between messages; four make a ping. */
    private int lineEndRun;
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
                if (searchedBytes == 0 && !skipKeepAlives(ctx, in)) {
                    return;
                }
                int headerEnd = findHeaderEnd(in);
                if (headerEnd < 0) {
                    if (in.readableBytes() > maxMessageBytes) {
                        fail(ctx, in, maxMessageBytes, true);
                    }
                    return;
                }
                searchedBytes = 0;
                int headerBytes = headerEnd - in.readerIndex() + 4;
                long contentLength = contentLength(in, in.readerIndex(), headerEnd);
                if (contentLength < 0) {
                    fail(ctx, in, headerBytes, false);
                    return;
                }
                if (headerBytes + contentLength > maxMessageBytes) {
                    fail(ctx, in, headerBytes, true);
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

    /**
     * Skips line ends before a message, answering each CRLFCRLF with a CRLF.
     *
     * @return true when a message starts at the reader index, false when the buffer held only line ends
     */
    private boolean skipKeepAlives(ChannelHandlerContext ctx, ByteBuf in) {
        while (in.isReadable()) {
            byte b = in.getByte(in.readerIndex());
            if (b != '\r' && b != '\n') {
                lineEndRun = 0;
                return true;
            }
            in.skipBytes(1);
            if (++lineEndRun == 4) {
                lineEndRun = 0;
                ctx.writeAndFlush(Unpooled.wrappedBuffer(PONG));
            }
        }
        return false;
    }

    /**
     * Framing is lost: the gate judges the first {@code headLength} bytes so that a safe answer can be sent, then the
     * connection closes once the answer is written (or at once when there is none).
     */
    private void fail(ChannelHandlerContext ctx, ByteBuf in, int headLength, boolean tooLarge) {
        failed = true;
        int length = Math.min(in.readableBytes(), headLength);
        byte[] head = new byte[length];
        in.getBytes(in.readerIndex(), head);
        GateResult verdict = tooLarge ? gate.tooLarge(head, length) : gate.check(head, length, true);
        if (verdict.accepted() || verdict.keepAlive()) {
            // The gate judges a framed message; here the framing itself is what failed.
            verdict = GateResult.rejected(GateRejection.CONTENT_LENGTH_INVALID, verdict.request(), null);
        }
        byte[] answer = responder.reject(transport, verdict, String.valueOf(ctx.channel().remoteAddress()));
        if (answer != null) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(answer)).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    /**
     * Index of the CRLFCRLF that ends the header block, searched no further than the message limit and never twice
     * over the same bytes (a header block trickling in one byte per read costs linear, not quadratic, work).
     */
    private int findHeaderEnd(ByteBuf in) {
        int start = in.readerIndex();
        int end = Math.min(in.writerIndex(), start + maxMessageBytes);
        for (int i = start + Math.max(0, searchedBytes - 3); i + 3 < end; i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r'
                    && in.getByte(i + 3) == '\n') {
                return i;
            }
        }
        searchedBytes = end - start;
        return -1;
    }

    /**
     * The single Content-Length (or compact {@code l}) of the header block [from, headerEnd), -1 when it is missing,
     * repeated or not a plain number of at most nine digits: all of these make the stream unframeable.
     */
    static long contentLength(ByteBuf in, int from, int headerEnd) {
        long found = -1;
        int lineStart = from;
        while (lineStart < headerEnd) {
            int lineEnd = lineStart;
            while (lineEnd < headerEnd && !(in.getByte(lineEnd) == '\r' && in.getByte(lineEnd + 1) == '\n')) {
                lineEnd++;
            }
            int colon = in.indexOf(lineStart, lineEnd, (byte) ':');
            if (colon > lineStart) {
                int nameEnd = colon;
                while (nameEnd > lineStart && isBlank(in.getByte(nameEnd - 1))) {
                    nameEnd--;
                }
                if (nameIs(in, lineStart, nameEnd, CONTENT_LENGTH) || nameIs(in, lineStart, nameEnd,
                        CONTENT_LENGTH_COMPACT)) {
                    if (found >= 0) {
                        return -1;
                    }
                    found = digits(in, colon + 1, lineEnd);
                    if (found < 0) {
                        return -1;
                    }
                }
            }
            lineStart = lineEnd + 2;
        }
        return found;
    }

    private static boolean nameIs(ByteBuf in, int from, int to, byte[] lowerName) {
        if (to - from != lowerName.length) {
            return false;
        }
        for (int i = 0; i < lowerName.length; i++) {
            if ((in.getByte(from + i) | 0x20) != lowerName[i]) {
                return false;
            }
        }
        return true;
    }

    /** A plain decimal of 1 to 9 digits between optional blanks in [from, to), or -1. */
    private static long digits(ByteBuf in, int from, int to) {
        int start = from;
        while (start < to && isBlank(in.getByte(start))) {
            start++;
        }
        int end = to;
        while (end > start && isBlank(in.getByte(end - 1))) {
            end--;
        }
        if (end == start || end - start > 9) {
            return -1;
        }
        long value = 0;
        for (int i = start; i < end; i++) {
            byte b = in.getByte(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            value = value * 10 + (b - '0');
        }
        return value;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }
}
