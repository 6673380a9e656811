package org.edgesbc.transport.gate;

import org.edgesbc.transport.GateRejection;

/**
 * The Request-URI checks a request gets before anything routes by it: an absolute URI (RFC 3261 §25.1), of a scheme
 * this element serves (RFC 3261 §8.2.2.1 and §16.3 step 2: 416 otherwise), and for SIP URIs without the headers
 * component RFC 3261 §19.1.1 (Table 1) does not allow in a Request-URI.
 */
final class RequestUri {
    private RequestUri() { }

    /** The rejection for the Request-URI [from, end), or null when it is one the SBC can route by. */
    static GateRejection check(byte[] m, int from, int end) {
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ): "<sip:...>" is refused here (RFC 4475 §3.1.2.7).
        int p = from;
        if (!isAlpha(m[p])) {
            return GateRejection.START_LINE_INVALID;
        }
        while (p < end && (isAlpha(m[p]) || (m[p] >= '0' && m[p] <= '9') || m[p] == '+' || m[p] == '-'
                || m[p] == '.')) {
            p++;
        }
        if (p == end || m[p] != ':') {
            return GateRejection.START_LINE_INVALID;
        }
        // Schemes compare case-insensitively (RFC 3261 §19.1.4).
        if (Tokens.equalsIgnoreCase(m, from, p, "sip") || Tokens.equalsIgnoreCase(m, from, p, "sips")) {
            return hasHeaders(m, p + 1, end) ? GateRejection.START_LINE_INVALID : null;
        }
        // RFC 3966 telephone numbers are routed by their number; any other scheme (RFC 4475 §3.3.2, §3.3.3) gets 416.
        return Tokens.equalsIgnoreCase(m, from, p, "tel") ? null : GateRejection.URI_SCHEME_UNSUPPORTED;
    }

    /**
     * Whether a SIP URI after its colon carries {@code ?headers} (RFC 4475 §3.1.2.11). A "?" is legal unescaped in
     * the user part (user-unreserved, RFC 4475 §3.1.1.2), which an "@" ends; no "@" can follow the host, since
     * neither parameters nor headers allow one unescaped.
     */
    private static boolean hasHeaders(byte[] m, int from, int end) {
        int hostStart = from;
        for (int i = from; i < end; i++) {
            if (m[i] == '@') {
                hostStart = i + 1;
            }
        }
        for (int i = hostStart; i < end; i++) {
            if (m[i] == '?') {
                return true;
            }
        }
        return false;
    }

    private static boolean isAlpha(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }
}
