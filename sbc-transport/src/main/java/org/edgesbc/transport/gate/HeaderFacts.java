package org.edgesbc.transport.gate;

import org.edgesbc.transport.message.ByteScan;
import org.edgesbc.transport.message.HeaderIndex;
import org.edgesbc.transport.message.NameAddress;
import org.edgesbc.transport.message.SipGrammar;
import org.edgesbc.transport.message.ViaHop;
import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.GateRejection;

/**
 * The header lines the gate cares about, gathered in one pass: counts of the headers that must be present and single,
 * the Via value count, Content-Length, Call-ID and CSeq, and where the lines needed for a 400 are.
 */
final class HeaderFacts {
    private static final long CRS = ByteScan.repeated('\r');
    private static final long LFS = ByteScan.repeated('\n');
    private static final long COLONS = ByteScan.repeated(':');
    private static final long QUOTES = ByteScan.repeated('"');
    private static final long BACKSLASHES = ByteScan.repeated('\\');
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
    /** Option tags of every Proxy-Require line, comma-joined as an Unsupported header lists them; null when none. */
    private String proxyRequire;
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
    /** Every header line accepted so far. */
    private final HeaderIndex lines = new HeaderIndex();

    /**
     * Takes one header [from, end) without its final CRLF; folded continuation lines were already joined into it
     * by the gate. Returns a rejection or null.
     */
    GateRejection accept(byte[] m, int from, int end, int maxVias) {
        int colon = -1;
        boolean quoted = false;
        for (int i = from; i < end; i++) {
            if (i + Long.BYTES <= end) {
                // Eight bytes at a time to the next byte the checks below act on.
                long x = ByteScan.word(m, i);
                long marks = ByteScan.zeroBytes(x ^ CRS) | ByteScan.zeroBytes(x ^ LFS) | ByteScan.zeroBytes(x)
                        | ByteScan.zeroBytes(x ^ (colon < 0 ? COLONS : QUOTES))
                        | (quoted ? ByteScan.zeroBytes(x ^ BACKSLASHES) : 0);
                if (marks == 0) {
                    i += Long.BYTES - 1;
                    continue;
                }
                i += ByteScan.firstMarked(marks);
            }
            byte b = m[i];
            if (b == '\r' || b == '\n') {
                return GateRejection.HEADER_MALFORMED;
            }
            if (colon < 0) {
                if (b == 0) {
                    return GateRejection.NUL_BYTE;
                }
                colon = b == ':' ? i : -1;
            } else if (quoted && b == '\\' && i + 1 < end) {
                // A quoted-pair may escape any octet but CR and LF, NUL included (RFC 3261 §25.1; RFC 4475
                // §3.1.1.2): it is a character of the quoted string, not the end of the header.
                i++;
                if (m[i] == '\r' || m[i] == '\n') {
                    return GateRejection.HEADER_MALFORMED;
                }
            } else if (b == '"') {
                quoted = !quoted;
            } else if (b == 0) {
                return GateRejection.NUL_BYTE;
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
            if (!SipGrammar.isTokenChar(m[i])) {
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
        lines.add(from, nameEnd, valueStart, valueEnd);
        return switch (name(m, from, nameEnd)) {
            case VIA -> via(m, from, end, valueStart, valueEnd, maxVias);
            case CALL_ID -> callId(m, from, end, valueStart, valueEnd);
            case CSEQ -> cseq(m, from, end, valueStart, valueEnd);
            case FROM -> {
                froms++;
                fromStart = from;
                fromEnd = end;
                yield address(m, valueStart, valueEnd, false);
            }
            case TO -> {
                tos++;
                toStart = from;
                toEnd = end;
                yield address(m, valueStart, valueEnd, false);
            }
            case CONTACT -> address(m, valueStart, valueEnd, true);
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
            case PROXY_REQUIRE -> proxyRequire(m, valueStart, valueEnd);
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
        if (!ViaHop.wellFormed(m, valueStart, valueEnd)) {
            // Counted, and the top one judged for an answer, before: a 400 still goes back along a sane top Via.
            recordViaLine(from, end);
            return GateRejection.HEADER_MALFORMED;
        }
        recordViaLine(from, end);
        return null;
    }

    private void recordViaLine(int from, int end) {
        if (viaLines < viaStarts.length) {
            viaStarts[viaLines] = from;
            viaEnds[viaLines] = end;
        }
        viaLines++;
    }

    /**
     * Whether a Via value starts like {@code SIP/version/transport SP host} (RFC 3261 §20.42; any version token, so
     * that a SIP/7.0 sender gets its 505), enough for an answer to be routed back by it; the response itself goes
     * to the packet's source (RFC 3581), but a Via the sender cannot match is not worth echoing.
     */
    private static boolean sentByLooksSane(byte[] m, int valueStart, int valueEnd) {
        String prefix = "sip/";
        if (valueEnd - valueStart <= prefix.length()) {
            return false;
        }
        for (int i = 0; i < prefix.length(); i++) {
            if ((m[valueStart + i] | 0x20) != (prefix.charAt(i) | 0x20)) {
                return false;
            }
        }
        int p = valueStart + prefix.length();
        int versionStart = p;
        while (p < valueEnd && SipGrammar.isTokenChar(m[p])) {
            p++;
        }
        if (p == versionStart || p == valueEnd || m[p] != '/') {
            return false;
        }
        int transportStart = ++p;
        while (p < valueEnd && SipGrammar.isTokenChar(m[p])) {
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
            if (!SipGrammar.isTokenChar(m[i])) {
                return GateRejection.HEADER_MALFORMED;
            }
        }
        cseqStart = from;
        cseqEnd = end;
        cseqMethod = SipGrammar.method(m, methodStart, valueEnd);
        return null;
    }

    private static GateRejection address(byte[] m, int valueStart, int valueEnd, boolean list) {
        return valueEnd > valueStart && NameAddress.wellFormed(m, valueStart, valueEnd, list) ? null
                : GateRejection.HEADER_MALFORMED;
    }

    /** {@code Proxy-Require: option-tag *(COMMA option-tag)}, option-tag = token (RFC 3261 §20.29). */
    private GateRejection proxyRequire(byte[] m, int valueStart, int valueEnd) {
        StringBuilder tags = new StringBuilder(proxyRequire == null ? "" : proxyRequire);
        int p = valueStart;
        while (p < valueEnd) {
            int tagStart = p;
            while (p < valueEnd && SipGrammar.isTokenChar(m[p])) {
                p++;
            }
            if (p == tagStart) {
                return GateRejection.HEADER_MALFORMED;
            }
            tags.append(tags.length() == 0 ? "" : ", ").append(new String(m, tagStart, p - tagStart,
                    StandardCharsets.US_ASCII));
            while (p < valueEnd && (m[p] == ' ' || m[p] == '\t')) {
                p++;
            }
            if (p < valueEnd && m[p++] != ',') {
                return GateRejection.HEADER_MALFORMED;
            }
            while (p < valueEnd && (m[p] == ' ' || m[p] == '\t')) {
                p++;
            }
        }
        proxyRequire = tags.length() == 0 ? null : tags.toString();
        return proxyRequire == null ? GateRejection.HEADER_MALFORMED : null;
    }

    /**
     * Whole-message rules, once all headers are seen.
     *
     * @param bodyLength the bytes after the blank line: the whole body on a stream, the rest of the datagram on UDP
     */
    GateRejection validate(StartLine start, int bodyLength, boolean stream) {
        // RFC 2543 had no Max-Forwards, and a proxy adds one where it is missing (RFC 3261 §16.6 step 3; RFC 4475
        // §3.4.1): only its repetition is an error.
        if (vias == 0 || callIds == 0 || cseqs == 0 || froms == 0 || tos == 0) {
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
        } else if (stream ? contentLength != bodyLength : contentLength > bodyLength) {
            // RFC 3261 §18.3: octets of a datagram past the body its Content-Length states are discarded (RFC 4475
            // §3.1.1.8); a body shorter than stated is an error (§3.1.2.2).
            return GateRejection.CONTENT_LENGTH_MISMATCH;
        }
        if (start.rejection != null) {
            return start.rejection;
        }
        if (start.request && !start.method.equals(cseqMethod)) {
            return GateRejection.HEADER_MALFORMED;
        }
        if (start.request && proxyRequire != null && !start.method.equals("ACK") && !start.method.equals("CANCEL")) {
            // RFC 3261 §16.3 step 5: this element supports no extension a proxy must understand. ACK and CANCEL
            // are exempt: there the header is ignored (RFC 3261 §8.2.2.3).
            return GateRejection.EXTENSION_UNSUPPORTED;
        }
        return null;
    }

    /** Where the header lines accepted so far lie. */
    HeaderIndex lines() {
        return lines;
    }

    /** The option tags a 420 lists in its Unsupported header, or null. */
    String unsupported() {
        return proxyRequire;
    }

    boolean hasMaxForwards() {
        return maxForwards > 0;
    }

    boolean hasContentLength() {
        return contentLengths > 0;
    }

    /** The Content-Length value; meaningful only when {@link #hasContentLength()}. */
    long contentLength() {
        return contentLength;
    }

    /**
     * Whether the To header carries a tag parameter (RFC 3261 §8.2.6.2: a request in a dialog does). Parameters
     * follow the name-addr's closing angle bracket, or the bare URI, whose own parameters the RFC assigns to the
     * header when there are no brackets; quoted display names are skipped.
     */
    boolean toHasTag(byte[] m) {
        return toTagStart(m) >= 0;
    }

    /** The To header's tag, or null when it has none (or an empty one). */
    String toTag(byte[] m) {
        int start = toTagStart(m);
        if (start < 0) {
            return null;
        }
        int end = start;
        while (end < toEnd && m[end] != ';' && !SipGrammar.isBlank(m[end])) {
            end++;
        }
        return end == start ? null : new String(m, start, end - start, StandardCharsets.US_ASCII);
    }

    /** Where the To header's tag value starts (after "tag" and its "=", blanks skipped), or -1 when it has none. */
    private int toTagStart(byte[] m) {
        return tagStart(m, toStart, toEnd);
    }

    /**
     * Where the tag value of the To line [toStart, toEnd) starts (after "tag" and its "=", blanks skipped), or -1
     * when it has none.
     */
    static int tagStart(byte[] m, int toStart, int toEnd) {
        int colon = toStart;
        while (colon < toEnd && m[colon] != ':') {
            colon++;
        }
        int from = colon + 1;
        boolean quoted = false;
        for (int i = from; i < toEnd; i++) {
            if (m[i] == '"') {
                quoted = !quoted;
            } else if (!quoted && m[i] == '>') {
                from = i + 1;
                break;
            }
        }
        for (int i = from; i + 4 < toEnd; i++) {
            if (m[i] == ';' && (m[i + 1] | 0x20) == 't' && (m[i + 2] | 0x20) == 'a' && (m[i + 3] | 0x20) == 'g'
                    && (m[i + 4] == '=' || m[i + 4] == ' ')) {
                int value = i + 4;
                while (value < toEnd && (m[value] == '=' || SipGrammar.isBlank(m[value]))) {
                    value++;
                }
                return value;
            }
        }
        return -1;
    }

    /** The lines a 400 must echo (RFC 3261 §8.2.6.2), or null when they are not all present, single and short. */
    ReplyLines replyLines(byte[] m) {
        if (viaLines == 0 || viaLines > viaStarts.length || !topViaSane || callIds != 1 || cseqs != 1 || froms != 1 || tos != 1
                || callIdEnd == 0 || cseqEnd == 0) {
            return null;
        }
        int[] bounds = new int[2 * (viaLines + 4)];
        for (int i = 0; i < viaLines; i++) {
            bounds[2 * i] = viaStarts[i];
            bounds[2 * i + 1] = viaEnds[i];
        }
        int next = 2 * viaLines;
        bounds[next] = fromStart;
        bounds[next + 1] = fromEnd;
        bounds[next + 2] = toStart;
        bounds[next + 3] = toEnd;
        bounds[next + 4] = callIdStart;
        bounds[next + 5] = callIdEnd;
        bounds[next + 6] = cseqStart;
        bounds[next + 7] = cseqEnd;
        return new ReplyLines(m, bounds);
    }

    /**
     * Parses the ASCII digits filling [from, to) exactly, at most {@code maxDigits} of them after leading zeros
     * (1*DIGIT allows them: RFC 4475 §3.1.1.1 sends {@code Max-Forwards: 0068}); -1 when not a plain number.
     */
    private static long digits(byte[] m, int from, int to, int maxDigits) {
        int significant = from;
        while (significant < to - 1 && m[significant] == '0') {
            significant++;
        }
        if (to <= from || to - significant > maxDigits) {
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

    private enum Name { VIA, CALL_ID, CSEQ, FROM, TO, CONTACT, MAX_FORWARDS, CONTENT_LENGTH, PROXY_REQUIRE, OTHER }

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
                case 'm' -> Name.CONTACT;
                default -> Name.OTHER;
            };
        }
        if (SipGrammar.equalsIgnoreCase(m, from, end, "via")) {
            return Name.VIA;
        }
        if (SipGrammar.equalsIgnoreCase(m, from, end, "call-id")) {
            return Name.CALL_ID;
        }
        if (SipGrammar.equalsIgnoreCase(m, from, end, "cseq")) {
            return Name.CSEQ;
        }
        if (SipGrammar.equalsIgnoreCase(m, from, end, "from")) {
            return Name.FROM;
        }
        if (SipGrammar.equalsIgnoreCase(m, from, end, "to")) {
            return Name.TO;
        }
        if (SipGrammar.equalsIgnoreCase(m, from, end, "contact")) {
            return Name.CONTACT;
        }
        if (SipGrammar.equalsIgnoreCase(m, from, end, "proxy-require")) {
            return Name.PROXY_REQUIRE;
        }
        if (SipGrammar.equalsIgnoreCase(m, from, end, "max-forwards")) {
            return Name.MAX_FORWARDS;
        }
        if (SipGrammar.equalsIgnoreCase(m, from, end, "content-length")) {
            return Name.CONTENT_LENGTH;
        }
        return Name.OTHER;
    }
}
