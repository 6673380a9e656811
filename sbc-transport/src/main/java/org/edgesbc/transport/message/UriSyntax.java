package org.edgesbc.transport.message;

/**
 * The shape of the URIs the relay routes by and writes back: SIP and SIPS URIs per RFC 3261 §25.1 (user part,
 * host, port, parameters, headers), any other absolute URI (tel, urn, ...) as an opaque run of visible characters.
 * No allocation: it checks offsets.
 */
public final class UriSyntax {
    private static final boolean[] USER = chars("-_.!~*'()&=+$,;?/:");
    private static final boolean[] PARAM = chars("-_.!~*'()[]/:&+$");
    private static final boolean[] HEADER = chars("-_.!~*'()[]/?:+$");

    private UriSyntax() { }

    /**
     * Whether [from, end) is an absolute URI the relay can carry; a SIP URI also needs a valid host.
     *
     * @param headers whether a SIP URI may carry a {@code ?headers} component (inside angle brackets only, RFC 3261
     *     §20.10; never in a Request-URI, §19.1.1)
     */
    public static boolean valid(byte[] m, int from, int end, boolean headers) {
        int colon = scheme(m, from, end);
        if (colon < 0 || colon + 1 >= end) {
            return false;
        }
        if (SipGrammar.equalsIgnoreCase(m, from, colon, "tel")) {
            return telValid(m, colon + 1, end);
        }
        if (!SipGrammar.equalsIgnoreCase(m, from, colon, "sip") && !SipGrammar.equalsIgnoreCase(m, from, colon, "sips")) {
            for (int i = colon + 1; i < end; i++) {
                byte b = m[i];
                if ((b & 0xff) <= ' ' || b == '<' || b == '>' || b == '"' || b == 0x7f) {
                    return false;
                }
            }
            return true;
        }
        int p = colon + 1;
        int at = -1;
        for (int i = p; i < end; i++) {
            if (m[i] == '@') {
                at = i;
                break;
            }
        }
        if (at >= 0) {
            // UTF-8 in the user part is not RFC 3261 (it wants it escaped) but phones send it and the gate has
            // checked that it is valid UTF-8: it is carried as written.
            // user = 1*( ... ): a userinfo may not start with the password's colon.
            if (at == p || m[p] == ':' || !userInfo(m, p, at)) {
                return false;
            }
            p = at + 1;
        }
        int hostEnd = ViaHop.host(m, p, end);
        if (hostEnd < 0) {
            return false;
        }
        p = hostEnd;
        if (p < end && m[p] == ':') {
            int portStart = ++p;
            while (p < end && SipGrammar.isDigit(m[p])) {
                p++;
            }
            long port = SipGrammar.number(m, portStart, p);
            if (port < 0 || port > 65535) {
                return false;
            }
        }
        p = parameters(m, p, end);
        if (p < 0) {
            return false;
        }
        if (p < end && m[p] == '?' && headers) {
            // headers = "?" header *( "&" header ), header = hname "=" hvalue
            do {
                int nameStart = ++p;
                p = run(m, p, end, HEADER);
                if (p <= nameStart || p == end || m[p] != '=') {
                    return false;
                }
                p = run(m, p + 1, end, HEADER);
                if (p < 0) {
                    return false;
                }
            } while (p < end && m[p] == '&');
        }
        return p == end;
    }

    /**
     * RFC 3966 §3: {@code telephone-subscriber = global-number / local-number}, digits and visual separators (hex
     * digits, * and # for local numbers), then parameters.
     */
    private static boolean telValid(byte[] m, int from, int end) {
        int p = from < end && m[from] == '+' ? from + 1 : from;
        int digits = 0;
        while (p < end && (SipGrammar.isHexDigit(m[p]) || m[p] == '*' || m[p] == '#' || m[p] == '-' || m[p] == '.' || m[p] == '('
                || m[p] == ')')) {
            digits += SipGrammar.isHexDigit(m[p]) || m[p] == '*' || m[p] == '#' ? 1 : 0;
            p++;
        }
        return digits > 0 && parameters(m, p, end) == end;
    }

    /** Past {@code *( ";" pname [ "=" pvalue ] )} at {@code p}, or -1 when a parameter is malformed. */
    private static int parameters(byte[] m, int p, int end) {
        while (p < end && m[p] == ';') {
            int nameStart = p + 1;
            p = run(m, nameStart, end, PARAM);
            if (p <= nameStart) {
                return -1;
            }
            if (p < end && m[p] == '=') {
                int valueStart = p + 1;
                p = run(m, valueStart, end, PARAM);
                if (p <= valueStart) {
                    return -1;
                }
            }
        }
        return p;
    }

    /**
     * Past the characters of a class at {@code p} (alphanumerics, the class's marks, escapes {@code "%" HEX HEX});
     * -1 at a malformed escape.
     */
    private static int run(byte[] m, int p, int end, boolean[] marks) {
        while (p < end) {
            if (m[p] == '%') {
                if (p + 2 >= end || !SipGrammar.isHexDigit(m[p + 1]) || !SipGrammar.isHexDigit(m[p + 2])) {
                    return -1;
                }
                p += 3;
            } else if (allowed(m[p], marks)) {
                p++;
            } else {
                break;
            }
        }
        return p;
    }

    /** The colon ending a scheme at {@code from} ({@code ALPHA *(ALPHA / DIGIT / "+" / "-" / ".")}), or -1. */
    public static int scheme(byte[] m, int from, int end) {
        if (from >= end || !SipGrammar.isAlpha(m[from])) {
            return -1;
        }
        int p = from + 1;
        while (p < end && (SipGrammar.isAlpha(m[p]) || SipGrammar.isDigit(m[p]) || m[p] == '+' || m[p] == '-'
                || m[p] == '.')) {
            p++;
        }
        return p < end && m[p] == ':' ? p : -1;
    }

    private static boolean userInfo(byte[] m, int from, int end) {
        int p = from;
        while (p < end) {
            if (m[p] < 0) {
                p++;
            } else {
                int next = run(m, p, end, USER);
                if (next <= p) {
                    return false;
                }
                p = next;
            }
        }
        return true;
    }

    private static boolean allowed(byte b, boolean[] extra) {
        return SipGrammar.isAlpha(b) || SipGrammar.isDigit(b) || (b > 0 && extra[b]);
    }

    private static boolean[] chars(String extra) {
        boolean[] table = new boolean[128];
        for (char c : extra.toCharArray()) {
            table[c] = true;
        }
        return table;
    }
}
