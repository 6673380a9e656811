package org.edgesbc.transport.message;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** RFC 3261 §25.1 character classes and the few lexical rules every SIP reader here shares. */
public final class SipGrammar {
    private static final boolean[] TOKEN = new boolean[128];
    /** The methods SIP peers send (RFC 3261 and its extensions), by length; a method name is case-sensitive (§7.1). */
    private static final String[][] KNOWN_METHODS = new String[10][];

    static {
        String[] known = {"ACK", "BYE", "INFO", "PRACK", "REFER", "CANCEL", "INVITE", "NOTIFY", "UPDATE", "MESSAGE",
            "OPTIONS", "PUBLISH", "REGISTER", "SUBSCRIBE"};
        for (int length = 0; length < KNOWN_METHODS.length; length++) {
            int l = length;
            KNOWN_METHODS[length] = Arrays.stream(known).filter(m -> m.length() == l).toArray(String[]::new);
        }
    }

    static {
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'A'; c <= 'Z'; c++) {
            TOKEN[c] = true;
        }
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c : "-.!%*_+`'~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private SipGrammar() { }

    /** {@code token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")}. */
    public static boolean isTokenChar(byte b) {
        return b >= 0 && TOKEN[b];
    }

    /**
     * The method name in [from, end) (a token), as the one shared string for the methods peers send: a message's
     * method is kept by its transaction for as long as it absorbs retransmissions, and a string per message is as
     * many objects to copy and collect.
     */
    public static String method(byte[] m, int from, int end) {
        int length = end - from;
        if (length < KNOWN_METHODS.length) {
            for (String known : KNOWN_METHODS[length]) {
                if (sameAscii(m, from, known)) {
                    return known;
                }
            }
        }
        return new String(m, from, length, StandardCharsets.US_ASCII);
    }

    private static boolean sameAscii(byte[] m, int from, String known) {
        for (int i = 0; i < known.length(); i++) {
            if (m[from + i] != known.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** Whether [from, end) is a non-empty token. */
    public static boolean isToken(byte[] m, int from, int end) {
        if (end <= from) {
            return false;
        }
        for (int i = from; i < end; i++) {
            if (!isTokenChar(m[i])) {
                return false;
            }
        }
        return true;
    }

    /** Whether [from, end) is {@code lower} in any case: header names and URI schemes (RFC 3261 §7.3.1, §19.1.4). */
    public static boolean equalsIgnoreCase(byte[] m, int from, int end, String lower) {
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

    public static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    /** An ASCII hexadecimal digit, either case (RFC 3261 §25.1 HEXDIG, and the hex of IPv6 references). */
    static boolean isHexDigit(byte b) {
        return isDigit(b) || ((b | 0x20) >= 'a' && (b | 0x20) <= 'f');
    }

    public static boolean isAlpha(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
    }

    /** SP or HTAB: the blanks of LWS once folded lines are joined. */
    public static boolean isBlank(byte b) {
        return b == ' ' || b == '\t';
    }

    /** Whether [from, end) is non-empty and has no blank or control octet (a Call-ID's words, RFC 3261 §25.1). */
    public static boolean isVisible(byte[] m, int from, int end) {
        if (end <= from) {
            return false;
        }
        for (int i = from; i < end; i++) {
            if ((m[i] & 0xff) <= ' ' || m[i] == 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** A delta-seconds value (RFC 3261 §25.1) with blanks around it, or -1 when absent or not one. */
    public static long seconds(String value) {
        if (value == null) {
            return -1;
        }
        byte[] digits = value.trim().getBytes(StandardCharsets.US_ASCII);
        return number(digits, 0, digits.length);
    }

    /** The decimal number filling [from, end) exactly, at most ten digits after leading zeros; -1 otherwise. */
    public static long number(byte[] m, int from, int end) {
        if (end <= from) {
            return -1;
        }
        int significant = from;
        while (significant < end - 1 && m[significant] == '0') {
            significant++;
        }
        if (end - significant > 10) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < end; i++) {
            if (!isDigit(m[i])) {
                return -1;
            }
            value = value * 10 + (m[i] - '0');
        }
        return value;
    }

    /** The index of the quote closing the quoted string opening at {@code open}, or -1 (quoted-pairs skipped). */
    public static int closingQuote(byte[] m, int open, int end) {
        for (int i = open + 1; i < end; i++) {
            if (m[i] == '\\') {
                i++;
            } else if (m[i] == '"') {
                return i;
            }
        }
        return -1;
    }

    /**
     * The end of the list element starting at {@code from}: the next comma outside quoted strings (and, with
     * {@code brackets}, outside angle brackets, where a URI may hold commas), or {@code end}.
     */
    public static int elementEnd(byte[] m, int from, int end, boolean brackets) {
        boolean bracketed = false;
        for (int i = from; i < end; i++) {
            byte b = m[i];
            if (b == '"') {
                int close = closingQuote(m, i, end);
                if (close < 0) {
                    return end;
                }
                i = close;
            } else if (brackets && b == '<') {
                bracketed = true;
            } else if (b == '>') {
                bracketed = false;
            } else if (b == ',' && !bracketed) {
                return i;
            }
        }
        return end;
    }

    public static int trimStart(byte[] m, int from, int end) {
        while (from < end && isBlank(m[from])) {
            from++;
        }
        return from;
    }

    public static int trimEnd(byte[] m, int from, int end) {
        while (end > from && isBlank(m[end - 1])) {
            end--;
        }
        return end;
    }
}
