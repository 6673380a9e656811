package org.edgesbc.transport.gate;

import org.edgesbc.transport.message.SipGrammar;
import org.edgesbc.transport.GateRejection;

/** The request line or status line of a message (RFC 3261 §7.1, §7.2), checked byte by byte. */
final class StartLine {
    final GateRejection rejection;
    final boolean request;
    final String method;
    final int status;

    private StartLine(GateRejection rejection, boolean request, String method, int status) {
        this.rejection = rejection;
        this.request = request;
        this.method = method;
        this.status = status;
    }

    private static StartLine reject(GateRejection reason, boolean request) {
        return new StartLine(reason, request, null, 0);
    }

    static StartLine parse(byte[] m, int from, int end) {
        for (int i = from; i < end; i++) {
            if (m[i] == 0) {
                // A NUL in what is not even shaped like SIP (a TLS hello on the UDP port, random bytes) is garbage.
                return reject(looksLikeSip(m, from, end) ? GateRejection.NUL_BYTE : GateRejection.GARBAGE, false);
            }
        }
        if (startsWith(m, from, end, "SIP/")) {
            return parseStatusLine(m, from, end);
        }
        return parseRequestLine(m, from, end);
    }

    /** {@code SIP/2.0 SP 3DIGIT SP Reason-Phrase}. */
    private static StartLine parseStatusLine(byte[] m, int from, int end) {
        if (!startsWith(m, from, end, "SIP/2.0 ")) {
            return reject(startsWith(m, from, end, "SIP/2.0") ? GateRejection.START_LINE_INVALID
                    : GateRejection.VERSION_UNSUPPORTED, false);
        }
        int p = from + 8;
        if (end - p < 4 || !digit(m[p]) || !digit(m[p + 1]) || !digit(m[p + 2]) || m[p + 3] != ' ') {
            return reject(GateRejection.START_LINE_INVALID, false);
        }
        int status = (m[p] - '0') * 100 + (m[p + 1] - '0') * 10 + (m[p + 2] - '0');
        if (status < 100 || status > 699) {
            return reject(GateRejection.START_LINE_INVALID, false);
        }
        for (int i = p + 4; i < end; i++) {
            if (m[i] == '\r' || m[i] == '\n') {
                return reject(GateRejection.START_LINE_INVALID, false);
            }
        }
        return new StartLine(null, false, null, status);
    }

    /**
     * {@code Method SP Request-URI SP SIP/2.0}, exactly one space between parts (RFC 3261 §7.1; RFC 4475 §3.1.2.9
     * and §3.1.2.10 let an element refuse extra spaces). A request line shaped like one but wrong in its URI or
     * version is still a request whose headers may be echoed in the answer ({@link #answerable}).
     */
    private static StartLine parseRequestLine(byte[] m, int from, int end) {
        int p = from;
        while (p < end && SipGrammar.isTokenChar(m[p])) {
            p++;
        }
        if (p == from || p >= end || m[p] != ' ') {
            boolean sip = SipMessageGate.indexOf(m, from, end, "SIP/") >= 0;
            return reject(sip ? GateRejection.START_LINE_INVALID : GateRejection.GARBAGE, true);
        }
        String method = SipGrammar.method(m, from, p);
        int uriStart = ++p;
        while (p < end && m[p] > ' ' && m[p] != 0x7f) {
            p++;
        }
        if (p == uriStart || p >= end || m[p] != ' ') {
            return answerable(GateRejection.START_LINE_INVALID, method);
        }
        int uriEnd = p;
        int versionStart = p + 1;
        if (end - versionStart != 7 || !startsWith(m, versionStart, end, "SIP/2.0")) {
            return answerable(isOtherVersion(m, versionStart, end) ? GateRejection.VERSION_UNSUPPORTED
                    : GateRejection.START_LINE_INVALID, method);
        }
        GateRejection uri = RequestUri.check(m, uriStart, uriEnd);
        return uri == null ? new StartLine(null, true, method, 0) : answerable(uri, method);
    }

    private static StartLine answerable(GateRejection reason, String method) {
        return new StartLine(reason, true, method, 0);
    }

    /**
     * Whether a rejected request line still names its method and ends in a version, so that the headers decide
     * whether the answer can be sent: a bad Request-URI or version gets 400, 416 or 505 like any other request.
     */
    boolean answerable() {
        return rejection != null && request && method != null;
    }

    /** {@code SIP/} 1*DIGIT "." 1*DIGIT other than 2.0: a version this element does not speak (505). */
    private static boolean isOtherVersion(byte[] m, int from, int end) {
        if (!startsWith(m, from, end, "SIP/")) {
            return false;
        }
        int p = from + 4;
        int major = p;
        while (p < end && digit(m[p])) {
            p++;
        }
        if (p == major || p >= end || m[p] != '.') {
            return false;
        }
        int minor = ++p;
        while (p < end && digit(m[p])) {
            p++;
        }
        return p > minor && p == end;
    }

    /** Starts with {@code SIP/} or with a method token followed by a space. */
    private static boolean looksLikeSip(byte[] m, int from, int end) {
        if (startsWith(m, from, end, "SIP/")) {
            return true;
        }
        int p = from;
        while (p < end && SipGrammar.isTokenChar(m[p])) {
            p++;
        }
        return p > from && p < end && m[p] == ' ';
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    static boolean startsWith(byte[] m, int from, int end, String ascii) {
        if (end - from < ascii.length()) {
            return false;
        }
        for (int i = 0; i < ascii.length(); i++) {
            if (m[from + i] != ascii.charAt(i)) {
                return false;
            }
        }
        return true;
    }
}
