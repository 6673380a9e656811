package org.edgesbc.transport.gate;

import org.edgesbc.transport.message.ByteScan;
import org.edgesbc.transport.message.HeaderIndex;
import org.edgesbc.transport.message.SipGrammar;
import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.GateRejection;
import org.edgesbc.transport.TransportConfig;

/**
 * The strict gate every message passes before jain-sip-ri sees it (design: "Framing and the strict gate"). One pass
 * over the start line and headers, no regular expressions, no allocation beyond the few strings it returns and its
 * index of the header lines, by which the relay reads the message without a pass of its own; every limit is
 * checked before the work it bounds, so 10,000 Vias cost a count, not a parse. The reason for the gate:
 * the SBC must never accept what the far side would read differently, and jain-sip-ri, left alone, repairs
 * negative or duplicate Content-Length, bad Vias and NUL bytes.
 *
 * <p>Stateless and thread-safe.
 */
public final class SipMessageGate {
    private static final byte CR = '\r';
    private static final byte LF = '\n';

    private final TransportConfig.GateLimits limits;

    public SipMessageGate(TransportConfig.GateLimits limits) {
        this.limits = limits;
    }

    public TransportConfig.GateLimits limits() {
        return limits;
    }

    /**
     * Checks one complete message: a UDP datagram, or a message the stream framer cut by its Content-Length.
     *
     * <p>An accepted message is handed on as {@link GateResult#message}, in the form RFC 3261 says is equivalent and
     * jain-sip-ri reads as the sender meant it: folded header lines joined, in place, each fold's CRLF becoming two
     * SP (§7.3.1, "equivalent to a single SP"; lengths and the body stay where they were); on UDP, the octets past
     * the body the Content-Length states dropped (§18.3), and a missing Content-Length added with the length of
     * the rest of the datagram (§18.3, §20.14); a request without Max-Forwards given {@code Max-Forwards: 70} (§16.6
     * step 3, RFC 2543 peers). The array is {@code message} itself unless a header was added or bytes dropped.
     *
     * @param stream true for TCP/TLS, where Content-Length is mandatory (RFC 3261 §18.3)
     */
    public GateResult check(byte[] message, int length, boolean stream) {
        int pos = 0;
        // RFC 3261 §7.5: CRLFs before the start line are ignored; a message of nothing else is a keep-alive.
        while (pos < length && (message[pos] == CR || message[pos] == LF)) {
            pos++;
        }
        if (pos == length) {
            return GateResult.KEEP_ALIVE;
        }
        if (length > limits.maxMessageBytes()) {
            return tooLarge(message, limits.maxMessageBytes());
        }
        int lineEnd = ByteScan.crlf(message, pos, Math.min(length, pos + limits.maxStartLineBytes() + 2));
        if (lineEnd < 0) {
            boolean sip = indexOf(message, pos, Math.min(length, pos + limits.maxStartLineBytes() + 2), "SIP/") >= 0;
            return GateResult.rejected(sip ? GateRejection.START_LINE_TOO_LONG : GateRejection.GARBAGE, false, null);
        }
        StartLine start = StartLine.parse(message, pos, lineEnd);
        if (start.rejection != null && !start.answerable()) {
            return GateResult.rejected(start.rejection, false, null);
        }
        return checkHeaders(message, length, lineEnd + 2, start, stream);
    }

    private GateResult checkHeaders(byte[] m, int length, int pos, StartLine start, boolean stream) {
        HeaderFacts facts = new HeaderFacts();
        int headers = 0;
        int bodyStart = -1;
        GateRejection rejection = null;
        while (pos < length) {
            int end = headerEnd(m, pos, length);
            if (end < 0) {
                rejection = ByteScan.crlf(m, pos, length) < 0 ? GateRejection.HEADER_MALFORMED
                        : GateRejection.HEADER_TOO_LONG;
                break;
            }
            if (end == pos) {
                bodyStart = pos + 2;
                break;
            }
            if (SipGrammar.isBlank(m[pos])) {
                // A continuation line with no header before it to continue.
                rejection = GateRejection.LINE_FOLDING;
                break;
            }
            if (++headers > limits.maxHeaders()) {
                rejection = GateRejection.TOO_MANY_HEADERS;
                break;
            }
            rejection = facts.accept(m, pos, end, limits.maxVias());
            if (rejection != null) {
                break;
            }
            pos = end + 2;
        }
        if (rejection == null && bodyStart < 0) {
            // No blank line: a truncated message.
            rejection = GateRejection.HEADER_MALFORMED;
        }
        if (rejection == null) {
            rejection = facts.validate(start, length - bodyStart, stream);
        }
        if (rejection == null && !Utf8.isValid(m, 0, bodyStart)) {
            rejection = GateRejection.INVALID_UTF8;
        }
        if (rejection != null) {
            ReplyLines reply = start.request && rejection != GateRejection.TOO_MANY_VIAS ? facts.replyLines(m) : null;
            if (reply != null && rejection == GateRejection.INVALID_UTF8) {
                // An answer is UTF-8 text: the lines it echoes are decoded, invalid sequences replaced.
                reply = ReplyLines.of(reply.text());
            }
            return new GateResult(rejection, false, start.request, null, 0, null, reply,
                    rejection == GateRejection.EXTENSION_UNSUPPORTED ? facts.unsupported() : null, null, null, null);
        }
        String method = start.request ? start.method : facts.cseqMethod;
        ReplyLines reply = start.request && "INVITE".equals(method) && !facts.toHasTag(m) ? facts.replyLines(m) : null;
        String ackToTag = start.request && "ACK".equals(method) ? facts.toTag(m) : null;
        byte[] handedOn = handedOn(m, length, bodyStart, facts, start.request);
        HeaderIndex lines = null;
        if (handedOn == m) {
            // Handed on as it came: the lines are where they were found. A message with a header added or octets
            // dropped is read afresh, a rare case (RFC 2543 peers, datagrams with trailing octets).
            lines = facts.lines();
            lines.bodyStarts(bodyStart);
        }
        return new GateResult(null, false, start.request, method, start.status, facts.callId, reply, null, handedOn,
                ackToTag, lines);
    }

    /**
     * The CRLF ending the header that starts at {@code pos}, searched no further than the header line limit, with
     * every continuation line (one starting with SP or HT) joined into it in place; -1 when there is none in reach.
     */
    private int headerEnd(byte[] m, int pos, int length) {
        int limit = Math.min(length, pos + limits.maxHeaderLineBytes() + 2);
        int end = ByteScan.crlf(m, pos, limit);
        while (end > pos && end + 2 < length && SipGrammar.isBlank(m[end + 2])) {
            m[end] = ' ';
            m[end + 1] = ' ';
            end = ByteScan.crlf(m, end + 2, limit);
        }
        return end;
    }

    /** The accepted message as handed on: see {@link #check}. */
    private static byte[] handedOn(byte[] m, int length, int bodyStart, HeaderFacts facts, boolean request) {
        int end = facts.hasContentLength() ? bodyStart + (int) facts.contentLength() : length;
        StringBuilder added = new StringBuilder();
        if (!facts.hasContentLength()) {
            added.append("Content-Length: ").append(length - bodyStart).append("\r\n");
        }
        if (request && !facts.hasMaxForwards()) {
            added.append("Max-Forwards: 70\r\n");
        }
        if (added.isEmpty() && end == m.length) {
            return m;
        }
        byte[] extra = added.toString().getBytes(StandardCharsets.US_ASCII);
        int headerEnd = bodyStart - 2;
        byte[] out = new byte[end + extra.length];
        System.arraycopy(m, 0, out, 0, headerEnd);
        System.arraycopy(extra, 0, out, headerEnd, extra.length);
        System.arraycopy(m, headerEnd, out, headerEnd + extra.length, end - headerEnd);
        return out;
    }

    /**
     * The verdict on a message already known to exceed {@code maxMessageBytes}, judged from its first {@code length}
     * bytes only, so that callers never buffer the rest (the UDP handler copies at most the limit, the stream framer
     * stops at it). The result is always {@link GateRejection#MESSAGE_TOO_LARGE}; it carries the identifying
     * headers for a 413 only when the message is a request whose start line and Via, From, To, Call-ID and CSeq lie
     * within {@code head} and pass the same checks as in {@link #check}.
     */
    public GateResult tooLarge(byte[] head, int length) {
        int pos = 0;
        while (pos < length && (head[pos] == CR || head[pos] == LF)) {
            pos++;
        }
        int lineEnd = ByteScan.crlf(head, pos, Math.min(length, pos + limits.maxStartLineBytes() + 2));
        StartLine start = lineEnd < 0 ? null : StartLine.parse(head, pos, lineEnd);
        if (start == null || (start.rejection != null && !start.answerable()) || !start.request) {
            return GateResult.rejected(GateRejection.MESSAGE_TOO_LARGE, false, null);
        }
        HeaderFacts facts = new HeaderFacts();
        pos = lineEnd + 2;
        for (int headers = 0; pos < length && headers < limits.maxHeaders(); headers++) {
            int end = headerEnd(head, pos, length);
            if (end <= pos || SipGrammar.isBlank(head[pos])) {
                // The blank line, a line cut off by the limit, or one too long: the headers seen so far decide.
                break;
            }
            if (facts.accept(head, pos, end, limits.maxVias()) != null) {
                return GateResult.rejected(GateRejection.MESSAGE_TOO_LARGE, true, null);
            }
            pos = end + 2;
        }
        return GateResult.rejected(GateRejection.MESSAGE_TOO_LARGE, true, facts.replyLines(head));
    }

    static int indexOf(byte[] m, int from, int to, String ascii) {
        byte[] needle = ascii.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = from; i <= to - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (m[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
