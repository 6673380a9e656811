package org.edgesbc.transport.gate;

/** RFC 3261 §25.1 character classes. */
final class Tokens {
    private static final boolean[] TOKEN = new boolean[128];

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

    private Tokens() { }

    /** {@code token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")}. */
    static boolean isTokenChar(byte b) {
        return b >= 0 && TOKEN[b];
    }

    /** Whether [from, end) is {@code lower} in any case: header names and URI schemes (RFC 3261 §7.3.1, §19.1.4). */
    static boolean equalsIgnoreCase(byte[] m, int from, int end, String lower) {
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
