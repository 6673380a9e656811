package org.edgesbc.transport.gate;

import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.GateRejection;

/**
 * The header lines the gate cares about, gathered in one pass: counts of the headers that must be present and single,
 * the Via value count, Content-Length, Call-ID and CSeq, and where the lines needed for a 400 are.
 */
final class HeaderFacts {
    private int vias;
    private int viaLines;
    private boolean topViaSane;
    private final int[] viaStarts = new int[8];
    private final int[] viaEnds = new int[8];
    private int callIds;
    private int cseqs;
    private int froms;
    private int tos;
    private int maxForwards;
    private int contentLengths;
    private long contentLength = -1;
    private int callIdStart;
    private int callIdEnd;
    private int cseqStart;
    private int cseqEnd;
    private int fromStart;
    private int fromEnd;
    private int toStart;
    private int toEnd;
    String callId;
    String cseqMethod;

    /** Takes one header line [from, end) (without CRLF). Returns a rejection or null. */
    GateRejection accept(byte[] m, int from, int end, int maxVias) {
        if (m[from] == ' ' || m[from] == '\t') {
            // RFC 3261 §7.3.1 allows folding, but parsers disagree about it: refused at the edge.
            return GateRejection.LINE_FOLDING;
        }
        int colon = -1;
        for (int i = from; i < end; i++) {
            byte b = m[i];
            if (b == 0) {
                return GateRejection.NUL_BYTE;
            }
            if (b == '\r' || b == '\n') {
                return GateRejection.HEADER_MALFORMED;
            }
            if (colon < 0 && b == ':') {
                colon = i;
            }
        }
        if (colon < 0) {
            return GateRejection.HEADER_MALFORMED;
        }
        int nameEnd = colon;
        while (nameEnd > from && (m[nameEnd - 1] == ' ' || m[nameEnd - 1] == '\t')) {
            nameEnd--;
        }
        if (nameEnd == from) {
            return GateRejection.HEADER_MALFORMED;
        }
        for (int i = from; i < nameEnd; i++) {
            if (!Tokens.isTokenChar(m[i])) {
                return GateRejection.HEADER_MALFORMED;
            }
        }
        int valueStart = colon + 1;
        while (valueStart < end && (m[valueStart] == ' ' || m[valueStart] == '\t')) {
            valueStart++;
        }
        int valueEnd = end;
        while (valueEnd > valueStart && (m[valueEnd - 1] == ' ' || m[valueEnd - 1] == '\t')) {
            valueEnd--;
        }
        return switch (name(m, from, nameEnd)) {
            case VIA -> via(m, from, end, valueStart, valueEnd, maxVias);
            case CALL_ID -> callId(m, from, end, valueStart, valueEnd);
            case CSEQ -> cseq(m, from, end, valueStart, valueEnd);
            case FROM -> {
                froms++;
                fromStart = from;
                fromEnd = end;
                yield valueEnd > valueStart ? null : GateRejection.HEADER_MALFORMED;
            }
            case TO -> {
                tos++;
                toStart = from;
                toEnd = end;
                yield valueEnd > valueStart ? null : GateRejection.HEADER_MALFORMED;
            }
            case MAX_FORWARDS -> {
                maxForwards++;
                yield digits(m, valueStart, valueEnd, 3) >= 0 ? null : GateRejection.HEADER_MALFORMED;
            }
            case CONTENT_LENGTH -> {
                if (++contentLengths > 1) {
                    yield GateRejection.CONTENT_LENGTH_INVALID;
                }
                contentLength = digits(m, valueStart, valueEnd, 9);
                yield contentLength >= 0 ? null : GateRejection.CONTENT_LENGTH_INVALID;
            }
            case OTHER -> null;
        };
    }

    private GateRejection via(byte[] m, int from, int end, int valueStart, int valueEnd, int maxVias) {
        if (valueEnd == valueStart) {
            return GateRejection.HEADER_MALFORMED;
        }
        boolean quoted = false;
        int values = 1;
        for (int i = valueStart; i < valueEnd; i++) {
            byte b = m[i];
            if (b == '"') {
                quoted = !quoted;
            } else if (b == ',' && !quoted) {
                values++;
            }
        }
        vias += values;
        if (vias > maxVias) {
            return GateRejection.TOO_MANY_VIAS;
        }
        if (viaLines == 0) {
            topViaSane = sentByLooksSane(m, valueStart, valueEnd);
        }
        if (viaLines < viaStarts.length) {
            viaStarts[viaLines] = from;
            viaEnds[viaLines] = end;
        }
        viaLines++;
        return null;
    }

    /**
     * Whether a Via value starts like {@code SIP/2.0/transport SP host} (RFC 3261 §20.42), enough for a 400 to be
     * routed back by it; the response itself goes to the packet's source (RFC 3581), but a Via the sender cannot
     * match is not worth echoing.
     */
    private static boolean sentByLooksSane(byte[] m, int valueStart, int valueEnd) {
        String prefix = "sip/2.0/";
        if (valueEnd - valueStart <= prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if ((m[valueStart + i] | 0x20) != (prefix.charAt(i) | 0x20)) {
                return false;
            }
        }
        int p = valueStart + prefix.length();
        int transportStart = p;
        while (p < valueEnd && Tokens.isTokenChar(m[p])) {
            p++;
        }
        int whitespaceStart = p;
        while (p < valueEnd && (m[p] == ' ' || m[p] == '\t')) {
            p++;
        }
        if (whitespaceStart == transportStart || p == whitespaceStart || p == valueEnd) {
            return false;
        }
        byte host = m[p];
        return (host >= 'a' && host <= 'z') || (host >= 'A' && host <= 'Z') || (host >= '0' && host <= '9')
                || host == '[';
    }

    private GateRejection callId(byte[] m, int from, int end, int valueStart, int valueEnd) {
        callIds++;
        if (valueEnd == valueStart) {
            return GateRejection.HEADER_MALFORMED;
        }
        for (int i = valueStart; i < valueEnd; i++) {
            if (m[i] <= ' ') {
                return GateRejection.HEADER_MALFORMED;
            }
        }
        callIdStart = from;
        callIdEnd = end;
        callId = new String(m, valueStart, valueEnd - valueStart, StandardCharsets.UTF_8);
        return null;
    }

    /** {@code CSeq: 1*DIGIT LWS Method}, the number below 2^31 (RFC 3261 §8.1.1.5). */
    private GateRejection cseq(byte[] m, int from, int end, int valueStart, int valueEnd) {
        cseqs++;
        int p = valueStart;
        while (p < valueEnd && m[p] >= '0' && m[p] <= '9') {
            p++;
        }
        long number = digits(m, valueStart, p, 10);
        if (number < 0 || number >= (1L << 31)) {
            return GateRejection.HEADER_MALFORMED;
        }
        int methodStart = p;
        while (methodStart < valueEnd && (m[methodStart] == ' ' || m[methodStart] == '\t')) {
            methodStart++;
        }
        if (methodStart == p || methodStart == valueEnd) {
            return GateRejection.HEADER_MALFORMED;
        }
        for (int i = methodStart; i < valueEnd; i++) {
            if (!Tokens.isTokenChar(m[i])) {
                return GateRejection.HEADER_MALFORMED;
            }
        }
        cseqStart = from;
        cseqEnd = end;
        cseqMethod = new String(m, methodStart, valueEnd - methodStart, StandardCharsets.US_ASCII);
        return null;
    }

    /** Whole-message rules, once all headers are seen. */
    GateRejection validate(StartLine start, int bodyLength, boolean stream) {
        if (vias == 0 || callIds == 0 || cseqs == 0 || froms == 0 || tos == 0 || (start.request && maxForwards == 0)) {
            return GateRejection.REQUIRED_HEADER_MISSING;
        }
        if (callIds > 1 || cseqs > 1 || froms > 1 || tos > 1 || maxForwards > 1) {
            return GateRejection.REQUIRED_HEADER_REPEATED;
        }
        if (contentLengths == 0) {
            // RFC 3261 §18.3: mandatory on streams; over UDP the datagram ends the body.
            if (stream) {
                return GateRejection.CONTENT_LENGTH_INVALID;
            }
        } else if (contentLength != bodyLength) {
            return GateRejection.CONTENT_LENGTH_MISMATCH;
        }
        if (start.request && !start.method.equals(cseqMethod)) {
            return GateRejection.HEADER_MALFORMED;
        }
        return null;
    }

    /** The lines a 400 must echo (RFC 3261 §8.2.6.2), or null when they are not all present, single and short. */
    String replyHeaders(byte[] m) {
        if (viaLines == 0 || viaLines > viaStarts.length || !topViaSane || callIds != 1 || cseqs != 1 || froms != 1 || tos != 1
                || callIdEnd == 0 || cseqEnd == 0) {
            return null;
        }
        StringBuilder out = new StringBuilder(512);
        for (int i = 0; i < viaLines; i++) {
            line(out, m, viaStarts[i], viaEnds[i]);
        }
        line(out, m, fromStart, fromEnd);
        line(out, m, toStart, toEnd);
        line(out, m, callIdStart, callIdEnd);
        line(out, m, cseqStart, cseqEnd);
        return out.toString();
    }

    private static void line(StringBuilder out, byte[] m, int from, int end) {
        out.append(new String(m, from, end - from, StandardCharsets.UTF_8)).append("\r\n");
    }

    /** Parses up to {@code maxDigits} ASCII digits filling [from, to) exactly; -1 when not a plain number. */
    private static long digits(byte[] m, int from, int to, int maxDigits) {
        if (to <= from || to - from > maxDigits) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            if (m[i] < '0' || m[i] > '9') {
                return -1;
            }
            value = value * 10 + (m[i] - '0');
        }
        return value;
    }

    private enum Name { VIA, CALL_ID, CSEQ, FROM, TO, MAX_FORWARDS, CONTENT_LENGTH, OTHER }

    /** Full and compact forms (RFC 3261 §7.3.3), case-insensitively. */
    private static Name name(byte[] m, int from, int end) {
        int length = end - from;
        if (length == 1) {
            return switch (m[from] | 0x20) {
                case 'v' -> Name.VIA;
                case 'i' -> Name.CALL_ID;
                case 'f' -> Name.FROM;
                case 't' -> Name.TO;
                case 'l' -> Name.CONTENT_LENGTH;
                default -> Name.OTHER;
            };
        }
        if (equalsIgnoreCase(m, from, end, "via")) {
            return Name.VIA;
        }
        if (equalsIgnoreCase(m, from, end, "call-id")) {
            return Name.CALL_ID;
        }
        if (equalsIgnoreCase(m, from, end, "cseq")) {
            return Name.CSEQ;
        }
        if (equalsIgnoreCase(m, from, end, "from")) {
            return Name.FROM;
        }
        if (equalsIgnoreCase(m, from, end, "to")) {
            return Name.TO;
        }
        if (equalsIgnoreCase(m, from, end, "max-forwards")) {
            return Name.MAX_FORWARDS;
        }
        if (equalsIgnoreCase(m, from, end, "content-length")) {
            return Name.CONTENT_LENGTH;
        }
        return Name.OTHER;
    }

    private static boolean equalsIgnoreCase(byte[] m, int from, int end, String lower) {
        if (end - from != lower.length()) {
            return false;
        }
        for (int i = 0; i < lower.length(); i++) {
            if ((m[from + i] | 0x20) != lower.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
