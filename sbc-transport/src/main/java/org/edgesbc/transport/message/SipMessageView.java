package org.edgesbc.transport.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.edgesbc.transport.SipParseException;

/**
 * A gated SIP message read in place: one pass indexes the start line, every header line and the body; values are
 * decoded only when asked for, and only the ones asked for. It reads the bytes the strict gate hands on (folded lines
 * already joined, exactly one Content-Length, the body exactly that long), so it has no repair logic of its own: what
 * does not fit the grammar of a header the relay routes by (start line, Via, From, To, Call-ID, CSeq, Max-Forwards,
 * Content-Length) fails {@link #parse} as a whole, and nothing else is looked at until someone reads it.
 *
 * <p>The bytes are shared, never copied: the view must not outlive a change to them (the transport hands each
 * message's array over once). Not thread-safe: owned by the thread that reads the message.
 */
public final class SipMessageView {
    private static final byte[] VERSION = "SIP/2.0".getBytes(StandardCharsets.US_ASCII);
    /** The headers {@link #checkRoutingHeaders} reads, by their slot in its pass. */
    private static final SipHeaderName[] ROUTING = {SipHeaderName.VIA, SipHeaderName.CALL_ID, SipHeaderName.CSEQ,
        SipHeaderName.FROM, SipHeaderName.TO, SipHeaderName.CONTENT_LENGTH, SipHeaderName.MAX_FORWARDS};
    private static final int VIA_AT = 0;
    private static final int CALL_ID_AT = 1;
    private static final int CSEQ_AT = 2;
    private static final int FROM_AT = 3;
    private static final int TO_AT = 4;
    private static final int CONTENT_LENGTH_AT = 5;
    private static final int MAX_FORWARDS_AT = 6;
    /** A header that must be single found more than once, in {@link #checkRoutingHeaders}' pass. */
    private static final int REPEATED = -2;

    private final byte[] m;
    private final int startLineStart;
    private final int startLineEnd;
    private final boolean request;
    private final String method;
    private final int status;
    private final int uriStart;
    private final int uriEnd;
    private final int reasonStart;
    private final int reasonEnd;
    private final int headerCount;
    /** Per header i: name start, name end, value start, value end (blanks around the value trimmed). */
    private final int[] index;
    private final int bodyStart;

    private String callId;
    private long cseqNumber = -1;
    private String cseqMethod;
    private ViaHop topVia;
    private NameAddress from;
    private NameAddress to;
    /** Whether the fields above were decoded: at once for a message received, when first read for one written. */
    private boolean routingDecoded;

    private SipMessageView(byte[] m, int startLineStart, int startLineEnd, boolean request, String method, int status,
            int uriStart, int uriEnd, int reasonStart, int reasonEnd, int headerCount, int[] index, int bodyStart) {
        this.m = m;
        this.startLineStart = startLineStart;
        this.startLineEnd = startLineEnd;
        this.request = request;
        this.method = method;
        this.status = status;
        this.uriStart = uriStart;
        this.uriEnd = uriEnd;
        this.reasonStart = reasonStart;
        this.reasonEnd = reasonEnd;
        this.headerCount = headerCount;
        this.index = index;
        this.bodyStart = bodyStart;
    }

    /**
     * Indexes a message and checks the headers the relay routes by; everything else is decoded on demand.
     *
     * @throws SipParseException when the start line or one of those headers does not follow RFC 3261's grammar
     */
    public static SipMessageView parse(byte[] m) throws SipParseException {
        return parse(m, null);
    }

    /**
     * As {@link #parse(byte[])}, with the header lines where {@code headers} says they are: the gate's index of
     * {@code m}, which found every line, checked each name and trimmed each value as this reader would; null to
     * find them here.
     */
    public static SipMessageView parse(byte[] m, HeaderIndex headers) throws SipParseException {
        SipMessageView view = indexed(m, headers);
        view.checkRoutingHeaders();
        return view;
    }

    /**
     * A message this SBC wrote, to be read as any other: the headers the relay routes by are decoded when first
     * read, not up front. Most of what the SBC sends is kept for retransmission only (the relayed INVITE, ACK and
     * BYE of every call), and their decoding up front was 2 % of the SBC's CPU at 3,000 calls/s
     * (docs/performance.md). A message the SBC cannot read back is a bug: reading its routing headers then throws
     * {@link IllegalStateException}.
     *
     * @throws SipParseException when the start line or a header line does not follow RFC 3261's grammar
     */
    public static SipMessageView parseWritten(byte[] m) throws SipParseException {
        return indexed(m, null);
    }

    /** The message with its start line read and its header lines indexed, nothing decoded. */
    private static SipMessageView indexed(byte[] m, HeaderIndex headers) throws SipParseException {
        // RFC 3261 §7.5: CRLFs before the start line are ignored.
        int lineStart = 0;
        while (lineStart < m.length && (m[lineStart] == '\r' || m[lineStart] == '\n')) {
            lineStart++;
        }
        int lineEnd = ByteScan.crlf(m, lineStart, m.length);
        if (lineEnd < 0) {
            throw new SipParseException("no start line", null);
        }
        boolean request = !startsWith(m, lineStart, lineEnd, VERSION);
        String method = null;
        int status = 0;
        int uriStart = 0;
        int uriEnd = 0;
        int reasonStart = 0;
        int reasonEnd = 0;
        if (request) {
            int space = indexOf(m, lineStart, lineEnd, (byte) ' ');
            int lastSpace = lastIndexOf(m, lineStart, lineEnd, (byte) ' ');
            if (space <= lineStart || lastSpace <= space + 1 || !SipGrammar.isToken(m, lineStart, space)
                    || !equalsBytes(m, lastSpace + 1, lineEnd, VERSION)) {
                throw new SipParseException("bad request line", null);
            }
            method = SipGrammar.method(m, lineStart, space);
            uriStart = space + 1;
            uriEnd = lastSpace;
            if (!UriSyntax.valid(m, uriStart, uriEnd, false)) {
                throw new SipParseException("bad Request-URI", null);
            }
        } else {
            int p = lineStart + VERSION.length;
            if (lineEnd < p + 4 || m[p] != ' ' || !SipGrammar.isDigit(m[p + 1]) || !SipGrammar.isDigit(m[p + 2])
                    || !SipGrammar.isDigit(m[p + 3]) || (lineEnd > p + 4 && m[p + 4] != ' ')) {
                throw new SipParseException("bad status line", null);
            }
            status = (m[p + 1] - '0') * 100 + (m[p + 2] - '0') * 10 + (m[p + 3] - '0');
            if (status < 100) {
                throw new SipParseException("bad status code", null);
            }
            reasonStart = Math.min(p + 5, lineEnd);
            reasonEnd = lineEnd;
        }
        HeaderIndex lines = headers != null ? headers : indexHeaders(m, lineEnd + 2);
        return new SipMessageView(m, lineStart, lineEnd, request, method, status, uriStart, uriEnd, reasonStart,
                reasonEnd, lines.count(), lines.bounds(), lines.bodyStart());
    }

    /** Finds the header lines from {@code pos}, the first after the start line, to the blank line. */
    private static HeaderIndex indexHeaders(byte[] m, int pos) throws SipParseException {
        HeaderIndex lines = new HeaderIndex();
        while (true) {
            int end = ByteScan.crlf(m, pos, m.length);
            if (end < 0) {
                throw new SipParseException(pos < m.length ? "truncated header section" : "no end of headers", null);
            }
            if (end == pos) {
                lines.bodyStarts(pos + 2);
                return lines;
            }
            int colon = indexOf(m, pos, end, (byte) ':');
            int nameEnd = colon;
            while (nameEnd > pos && SipGrammar.isBlank(m[nameEnd - 1])) {
                nameEnd--;
            }
            if (colon < 0 || nameEnd == pos || !SipGrammar.isToken(m, pos, nameEnd)) {
                throw new SipParseException("bad header line", null);
            }
            int valueStart = colon + 1;
            while (valueStart < end && SipGrammar.isBlank(m[valueStart])) {
                valueStart++;
            }
            int valueEnd = end;
            while (valueEnd > valueStart && SipGrammar.isBlank(m[valueEnd - 1])) {
                valueEnd--;
            }
            lines.add(pos, nameEnd, valueStart, valueEnd);
            pos = end + 2;
        }
    }

    /** Decodes, once, the headers every message is routed by; a failure fails the message. */
    private void checkRoutingHeaders() throws SipParseException {
        // One pass finds them: a search per name, two for each that must be single, was most of this method's time.
        int[] at = {-1, -1, -1, -1, -1, -1, -1};
        for (int h = 0; h < headerCount; h++) {
            int slot = routingSlot(h);
            if (slot == VIA_AT) {
                at[VIA_AT] = at[VIA_AT] < 0 ? h : at[VIA_AT];
            } else if (slot >= 0) {
                // Every other routing header must be single: a second one marks its slot.
                at[slot] = at[slot] == -1 ? h : REPEATED;
            }
        }
        int callIdAt = at[CALL_ID_AT];
        int cseqAt = at[CSEQ_AT];
        int fromAt = at[FROM_AT];
        int toAt = at[TO_AT];
        int contentLengthAt = at[CONTENT_LENGTH_AT];
        int maxForwardsAt = at[MAX_FORWARDS_AT];
        int firstVia = at[VIA_AT];
        if (callIdAt < 0 || cseqAt < 0 || fromAt < 0 || toAt < 0) {
            throw new SipParseException("a required header is missing or repeated", null);
        }
        callId = value(callIdAt);
        if (callId.isEmpty() || !SipGrammar.isVisible(m, valueStart(callIdAt), valueEnd(callIdAt))) {
            throw new SipParseException("bad Call-ID", null);
        }
        parseCSeq(cseqAt);
        from = NameAddress.parse(m, valueStart(fromAt), valueEnd(fromAt));
        to = NameAddress.parse(m, valueStart(toAt), valueEnd(toAt));
        if (from == null || to == null) {
            throw new SipParseException("bad From or To", null);
        }
        if (firstVia < 0) {
            throw new SipParseException("no Via", null);
        }
        for (int i = firstVia; i >= 0; i = find(SipHeaderName.VIA, i + 1)) {
            List<ViaHop> hops = ViaHop.parseAll(m, valueStart(i), valueEnd(i));
            if (hops == null) {
                throw new SipParseException("bad Via", null);
            }
            if (topVia == null) {
                topVia = hops.get(0);
            }
        }
        if (contentLengthAt >= 0 && SipGrammar.number(m, valueStart(contentLengthAt), valueEnd(contentLengthAt))
                != m.length - bodyStart) {
            throw new SipParseException("Content-Length does not match the body", null);
        }
        if (maxForwardsAt == REPEATED
                || maxForwardsAt >= 0 && SipGrammar.number(m, valueStart(maxForwardsAt), valueEnd(maxForwardsAt)) < 0) {
            throw new SipParseException("bad Max-Forwards", null);
        }
        if (request && !method.equals(cseqMethod)) {
            throw new SipParseException("CSeq method differs from the request's", null);
        }
        routingDecoded = true;
    }

    /** Which of {@link #ROUTING} header {@code h} is, or -1 for none. */
    private int routingSlot(int h) {
        int start = index[h * 4];
        int end = index[h * 4 + 1];
        if (end - start == 1) {
            // A compact form (rare: most peers write names out): each routing header knows its own letter.
            for (int slot = 0; slot < ROUTING.length; slot++) {
                if (ROUTING[slot].matches(m, start, end)) {
                    return slot;
                }
            }
            return -1;
        }
        int slot = switch (end - start) {
            case 2 -> TO_AT;
            case 3 -> VIA_AT;
            case 4 -> (m[start] | 0x20) == 'f' ? FROM_AT : CSEQ_AT;
            case 7 -> CALL_ID_AT;
            case 12 -> MAX_FORWARDS_AT;
            case 14 -> CONTENT_LENGTH_AT;
            default -> -1;
        };
        return slot >= 0 && ROUTING[slot].matches(m, start, end) ? slot : -1;
    }

    /** Decodes a written message's routing headers when first read; a received message's were, when it was. */
    private void decodeRouting() {
        if (!routingDecoded) {
            try {
                checkRoutingHeaders();
            } catch (SipParseException e) {
                throw new IllegalStateException("a message the SBC wrote does not read back: " + e.getMessage(), e);
            }
        }
    }

    private void parseCSeq(int at) throws SipParseException {
        int p = valueStart(at);
        int end = valueEnd(at);
        int digits = p;
        while (digits < end && SipGrammar.isDigit(m[digits])) {
            digits++;
        }
        long number = SipGrammar.number(m, p, digits);
        int methodStart = digits;
        while (methodStart < end && SipGrammar.isBlank(m[methodStart])) {
            methodStart++;
        }
        if (number < 0 || number >= (1L << 31) || methodStart == digits || methodStart == end
                || !SipGrammar.isToken(m, methodStart, end)) {
            throw new SipParseException("bad CSeq", null);
        }
        cseqNumber = number;
        cseqMethod = SipGrammar.method(m, methodStart, end);
    }

    // --------------------------------------------------------------------------------------------- start line

    public boolean isRequest() {
        return request;
    }

    /** The request method as sent (methods are case-sensitive, RFC 3261 §7.1); for a response, its CSeq method. */
    public String method() {
        return request ? method : cseqMethod();
    }

    /** The status code of a response; 0 for a request. */
    public int statusCode() {
        return status;
    }

    /** The reason phrase of a response, possibly empty; null for a request. */
    public String reasonPhrase() {
        return request ? null : new String(m, reasonStart, reasonEnd - reasonStart, StandardCharsets.UTF_8);
    }

    /** The Request-URI exactly as sent; null for a response. */
    public String requestUri() {
        return request ? new String(m, uriStart, uriEnd - uriStart, StandardCharsets.UTF_8) : null;
    }

    // ------------------------------------------------------------------------------------ routing headers

    public String callId() {
        decodeRouting();
        return callId;
    }

    public long cseqNumber() {
        decodeRouting();
        return cseqNumber;
    }

    public String cseqMethod() {
        decodeRouting();
        return cseqMethod;
    }

    public NameAddress from() {
        decodeRouting();
        return from;
    }

    public NameAddress to() {
        decodeRouting();
        return to;
    }

    /** The topmost Via hop: the one a response is matched by (RFC 3261 §17.1.3) and a request's sender. */
    public ViaHop topVia() {
        decodeRouting();
        return topVia;
    }

    /** The first hop of the first Via value, as written, up to the comma that may follow it. */
    public String topViaHop() {
        int at = find(SipHeaderName.VIA, 0);
        int end = SipGrammar.elementEnd(m, valueStart(at), valueEnd(at), false);
        return new String(m, valueStart(at), end - valueStart(at), StandardCharsets.UTF_8);
    }

    /** Every Via hop, top first. */
    public List<ViaHop> vias() {
        List<ViaHop> hops = new ArrayList<>(2);
        for (int i = find(SipHeaderName.VIA, 0); i >= 0; i = find(SipHeaderName.VIA, i + 1)) {
            hops.addAll(ViaHop.parseAll(m, valueStart(i), valueEnd(i)));
        }
        return hops;
    }

    /** Max-Forwards, or -1 when the message has none. */
    public int maxForwards() {
        int at = find(SipHeaderName.MAX_FORWARDS, 0);
        return at < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, SipGrammar.number(m, valueStart(at), valueEnd(at)));
    }

    /**
     * The Contact values of the message, first header first; an empty list when it has none, and one
     * {@link NameAddress#isWildcard() wildcard} for {@code Contact: *}. Null when a Contact is malformed.
     */
    public List<NameAddress> contacts() {
        List<NameAddress> contacts = new ArrayList<>(1);
        for (int i = find(SipHeaderName.CONTACT, 0); i >= 0; i = find(SipHeaderName.CONTACT, i + 1)) {
            if (!NameAddress.parseList(m, valueStart(i), valueEnd(i), contacts)) {
                return null;
            }
        }
        return contacts;
    }

    // -------------------------------------------------------------------------------------- any header, body

    /** The value of the first header with this name (full or compact form, any case), or null. */
    public String header(SipHeaderName name) {
        int at = find(name, 0);
        return at < 0 ? null : value(at);
    }

    /** {@link #header(SipHeaderName)} by a name looked up first (constants spare the hot path that lookup). */
    public String header(String name) {
        return header(SipHeaderName.of(name));
    }

    /** Whether the message has a header with this name. */
    public boolean hasHeader(SipHeaderName name) {
        return find(name, 0) >= 0;
    }

    /** The values of every header with this name, one per header line (comma-separated lists not split). */
    public List<String> headers(SipHeaderName wanted) {
        List<String> values = new ArrayList<>(1);
        for (int i = find(wanted, 0); i >= 0; i = find(wanted, i + 1)) {
            values.add(value(i));
        }
        return values;
    }

    public int headerCount() {
        return headerCount;
    }

    public int bodyLength() {
        return m.length - bodyStart;
    }

    /** A copy of the body (the message is not retained through it). */
    public byte[] body() {
        return Arrays.copyOfRange(m, bodyStart, m.length);
    }

    /** The bytes the view reads; not a copy. */
    public byte[] bytes() {
        return m;
    }

    // ------------------------------------------------------------------------------------------- internals

    String value(int at) {
        return new String(m, valueStart(at), valueEnd(at) - valueStart(at), StandardCharsets.UTF_8);
    }

    private int valueStart(int at) {
        return index[at * 4 + 2];
    }

    private int valueEnd(int at) {
        return index[at * 4 + 3];
    }

    int startLineStart() {
        return startLineStart;
    }

    /** Where the start line's CRLF is. */
    int startLineEnd() {
        return startLineEnd;
    }

    /** Where header {@code h}'s line starts. */
    int lineStart(int h) {
        return index[h * 4];
    }

    /** Where header {@code h}'s CRLF is. */
    int lineEnd(int h) {
        int p = index[h * 4 + 3];
        while (m[p] != '\r') {
            p++;
        }
        return p;
    }

    boolean isHeader(int h, SipHeaderName name) {
        return name.matches(m, index[h * 4], index[h * 4 + 1]);
    }

    /** The first header at or after {@code from} with this name, or -1. */
    int find(SipHeaderName name, int from) {
        for (int i = from; i < headerCount; i++) {
            if (name.matches(m, index[i * 4], index[i * 4 + 1])) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] m, int from, int end, byte b) {
        for (int i = from; i < end; i++) {
            if (m[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int lastIndexOf(byte[] m, int from, int end, byte b) {
        for (int i = end - 1; i >= from; i--) {
            if (m[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static boolean startsWith(byte[] m, int from, int end, byte[] prefix) {
        return end - from >= prefix.length && equalsBytes(m, from, from + prefix.length, prefix);
    }

    private static boolean equalsBytes(byte[] m, int from, int end, byte[] expected) {
        if (end - from != expected.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (m[from + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
