package org.edgesbc.transport.gate;

/**
 * The shape of From, To and Contact values (RFC 3261 §20.10, §20.20, §20.39): {@code name-addr / addr-spec} followed
 * by parameters. Checked here because jain-sip-ri repairs the errors RFC 4475 §3.1.2 lists as invalid and the relay
 * would forward what the far side reads differently: an unterminated quoted string (§3.1.2.6), spaces inside the
 * angle brackets (§3.1.2.14), an unquoted display name with non-token characters (§3.1.2.15), and an addr-spec
 * with a headers component that only angle brackets would make unambiguous (§3.1.2.13).
 *
 * <p>Quoted strings may hold any quoted-pair, NUL included (RFC 3261 §25.1; RFC 4475 §3.1.1.2).
 */
final class AddressSyntax {
    private AddressSyntax() { }

    /**
     * Whether [from, end), a header value without surrounding blanks, is well-formed.
     *
     * @param list true for Contact, whose values are comma-separated (a lone {@code *} included)
     */
    static boolean wellFormed(byte[] m, int from, int end, boolean list) {
        if (list && end - from == 1 && m[from] == '*') {
            return true;
        }
        int valueStart = from;
        while (true) {
            int valueEnd = valueEnd(m, valueStart, end, list);
            if (valueEnd < 0 || !valueWellFormed(m, trimStart(m, valueStart, valueEnd), trimEnd(m, valueStart,
                    valueEnd))) {
                return false;
            }
            if (valueEnd == end) {
                return true;
            }
            valueStart = valueEnd + 1;
        }
    }

    /** End of the value starting at {@code from}: the next comma outside quotes and brackets, or {@code end}. */
    private static int valueEnd(byte[] m, int from, int end, boolean list) {
        boolean quoted = false;
        boolean bracketed = false;
        for (int i = from; i < end; i++) {
            byte b = m[i];
            if (quoted) {
                if (b == '\\') {
                    i++;
                } else if (b == '"') {
                    quoted = false;
                }
            } else if (b == '"') {
                quoted = true;
            } else if (b == '<') {
                bracketed = true;
            } else if (b == '>') {
                bracketed = false;
            } else if (b == ',' && list && !bracketed) {
                return i;
            }
        }
        return quoted ? -1 : end;
    }

    private static boolean valueWellFormed(byte[] m, int from, int end) {
        if (from >= end) {
            return false;
        }
        int open = -1;
        for (int i = from; i < end && open < 0; i++) {
            if (m[i] == '"') {
                i = closingQuote(m, i, end);
                if (i < 0) {
                    return false;
                }
            } else if (m[i] == '<') {
                open = i;
            }
        }
        if (open < 0) {
            // addr-spec form: no "?" outside quoted parameter values.
            for (int i = from; i < end; i++) {
                if (m[i] == '"') {
                    i = closingQuote(m, i, end);
                    if (i < 0) {
                        return false;
                    }
                } else if (m[i] == '?') {
                    return false;
                }
            }
            return true;
        }
        int close = open + 1;
        while (close < end && m[close] != '>') {
            close++;
        }
        // LAQUOT = SWS "<" and RAQUOT = ">" SWS: the blanks go outside the brackets, never inside.
        return close < end && close > open + 1 && !isBlank(m[open + 1]) && !isBlank(m[close - 1])
                && displayNameWellFormed(m, from, trimEnd(m, from, open));
    }

    /**
     * {@code display-name = *(token LWS) / quoted-string}. The LWS after the last token is optional in practice
     * (RFC 4475 §3.1.1.6 calls its absence a grammar bug elements should accept).
     */
    private static boolean displayNameWellFormed(byte[] m, int from, int end) {
        if (from < end && m[from] == '"') {
            return closingQuote(m, from, end) == end - 1;
        }
        for (int i = from; i < end; i++) {
            if (!Tokens.isTokenChar(m[i]) && !isBlank(m[i])) {
                return false;
            }
        }
        return true;
    }

    /** Index of the quote closing the quoted string opening at {@code open}, or -1. */
    private static int closingQuote(byte[] m, int open, int end) {
        for (int i = open + 1; i < end; i++) {
            if (m[i] == '\\') {
                i++;
            } else if (m[i] == '"') {
                return i;
            }
        }
        return -1;
    }

    private static int trimStart(byte[] m, int from, int end) {
        while (from < end && isBlank(m[from])) {
            from++;
        }
        return from;
    }

    private static int trimEnd(byte[] m, int from, int end) {
        while (end > from && isBlank(m[end - 1])) {
            end--;
        }
        return end;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }
}
