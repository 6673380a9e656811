package org.edgesbc.transport.message;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One Via value (RFC 3261 §20.42): {@code SIP/version/transport sent-by *(;via-params)}, read strictly: a relay that
 * matched responses by a Via it had repaired would match the wrong transaction.
 *
 * @param transport the transport token, upper case (UDP, TCP, TLS, SCTP, WS, ...)
 * @param host the sent-by host as written (an IPv6 reference with its brackets)
 * @param port the sent-by port, or -1 when absent
 * @param branch the branch parameter, or null
 * @param received the received parameter, or null
 * @param rport the rport parameter: null when absent, empty when present without a value (RFC 3581)
 */
public record ViaHop(String transport, String host, int port, String branch, String received, String rport) {

    /** {@code host[:port]} as a key for matching (RFC 3261 §17.2.3). */
    public String sentBy() {
        return port < 0 ? host : host + ':' + port;
    }

    /** What {@link #parse} returns for a well-formed hop when asked only whether it is one. */
    private static final ViaHop WELL_FORMED = new ViaHop("", "", -1, null, null, null);

    /**
     * Whether a Via header value's hops all follow RFC 3261 §20.42. Builds nothing: the gate asks this of every
     * message on the I/O thread, and the relay's view reads the hops again on its own thread.
     */
    public static boolean wellFormed(byte[] m, int from, int end) {
        return eachHop(m, from, end, null);
    }

    /** Parses a Via header value holding one or more comma-separated hops; null when any is malformed. */
    static List<ViaHop> parseAll(byte[] m, int from, int end) {
        List<ViaHop> hops = new ArrayList<>(1);
        return eachHop(m, from, end, hops) ? hops : null;
    }

    /** Checks each comma-separated hop, adding its model to {@code out} unless that is null; false at a bad one. */
    private static boolean eachHop(byte[] m, int from, int end, List<ViaHop> out) {
        for (int start = from; start <= end; ) {
            int elementEnd = SipGrammar.elementEnd(m, start, end, false);
            ViaHop hop = parse(m, SipGrammar.trimStart(m, start, elementEnd), SipGrammar.trimEnd(m, start, elementEnd),
                    out != null);
            if (hop == null) {
                return false;
            }
            if (out != null) {
                out.add(hop);
            }
            start = elementEnd + 1;
        }
        return true;
    }

    /** One hop; with {@code build} false only checked, its text never copied into strings. */
    private static ViaHop parse(byte[] m, int from, int end, boolean build) {
        // sent-protocol = protocol-name SLASH protocol-version SLASH transport, LWS allowed around each SLASH.
        int p = token(m, from, end);
        if (p == from || !SipGrammar.equalsIgnoreCase(m, from, p, "sip")) {
            return null;
        }
        p = slash(m, p, end);
        if (p < 0) {
            return null;
        }
        // Any version: a request from a SIP/7.0 element must still be answerable with 505 (RFC 4475 §3.1.2.18).
        int versionStart = p;
        p = token(m, p, end);
        if (p == versionStart) {
            return null;
        }
        p = slash(m, p, end);
        if (p < 0) {
            return null;
        }
        int transportStart = p;
        p = token(m, p, end);
        if (p == transportStart) {
            return null;
        }
        String transport = build ? new String(m, transportStart, p - transportStart, StandardCharsets.US_ASCII)
                .toUpperCase(Locale.ROOT) : null;
        int hostStart = SipGrammar.trimStart(m, p, end);
        if (hostStart == p || hostStart == end) {
            return null;
        }
        int hostEnd = host(m, hostStart, end);
        if (hostEnd < 0) {
            return null;
        }
        String host = build ? new String(m, hostStart, hostEnd - hostStart, StandardCharsets.US_ASCII) : null;
        p = SipGrammar.trimStart(m, hostEnd, end);
        int port = -1;
        if (p < end && m[p] == ':') {
            int portStart = SipGrammar.trimStart(m, p + 1, end);
            int portEnd = portStart;
            while (portEnd < end && SipGrammar.isDigit(m[portEnd])) {
                portEnd++;
            }
            long value = SipGrammar.number(m, portStart, portEnd);
            if (value < 0 || value > 65535) {
                return null;
            }
            port = (int) value;
            p = SipGrammar.trimStart(m, portEnd, end);
        }
        String branch = null;
        String received = null;
        String rport = null;
        while (p < end) {
            if (m[p] != ';') {
                return null;
            }
            int nameStart = SipGrammar.trimStart(m, p + 1, end);
            int nameEnd = token(m, nameStart, end);
            if (nameEnd == nameStart) {
                return null;
            }
            p = SipGrammar.trimStart(m, nameEnd, end);
            int valueStart = p;
            int valueEnd = p;
            if (p < end && m[p] == '=') {
                valueStart = SipGrammar.trimStart(m, p + 1, end);
                valueEnd = genericValue(m, valueStart, end);
                if (valueEnd < 0) {
                    return null;
                }
                p = SipGrammar.trimStart(m, valueEnd, end);
            }
            if (!build) {
                continue;
            }
            String value = new String(m, valueStart, valueEnd - valueStart, StandardCharsets.UTF_8);
            if (SipGrammar.equalsIgnoreCase(m, nameStart, nameEnd, "branch")) {
                branch = value;
            } else if (SipGrammar.equalsIgnoreCase(m, nameStart, nameEnd, "received")) {
                received = value;
            } else if (SipGrammar.equalsIgnoreCase(m, nameStart, nameEnd, "rport")) {
                rport = value;
            }
        }
        return build ? new ViaHop(transport, host, port, branch, received, rport) : WELL_FORMED;
    }

    /** The end of {@code gen-value = token / host / quoted-string} at {@code from}, or -1 (RFC 3261 §25.1). */
    static int genericValue(byte[] m, int from, int end) {
        if (from >= end) {
            return -1;
        }
        if (m[from] == '"') {
            int close = SipGrammar.closingQuote(m, from, end);
            return close < 0 ? -1 : close + 1;
        }
        int valueEnd = m[from] == '[' ? host(m, from, end) : token(m, from, end);
        return valueEnd <= from ? -1 : valueEnd;
    }

    private static int token(byte[] m, int from, int end) {
        while (from < end && SipGrammar.isTokenChar(m[from])) {
            from++;
        }
        return from;
    }

    /** Past {@code LWS "/" LWS} at {@code from}, or -1. */
    private static int slash(byte[] m, int from, int end) {
        int p = SipGrammar.trimStart(m, from, end);
        if (p == end || m[p] != '/') {
            return -1;
        }
        return SipGrammar.trimStart(m, p + 1, end);
    }

    /**
     * The end of a host at {@code from} (RFC 3261 §25.1: hostname, IPv4address or an IPv6 reference in brackets),
     * or -1 when there is none.
     */
    static int host(byte[] m, int from, int end) {
        if (from < end && m[from] == '[') {
            int p = from + 1;
            while (p < end && (SipGrammar.isHexDigit(m[p]) || m[p] == ':' || m[p] == '.')) {
                p++;
            }
            return p < end && m[p] == ']' && p > from + 1 ? p + 1 : -1;
        }
        int p = from;
        while (p < end && (SipGrammar.isAlpha(m[p]) || SipGrammar.isDigit(m[p]) || m[p] == '-' || m[p] == '.')) {
            p++;
        }
        if (p == from || m[from] == '-' || m[from] == '.' || m[p - 1] == '-') {
            return -1;
        }
        return p;
    }
}
