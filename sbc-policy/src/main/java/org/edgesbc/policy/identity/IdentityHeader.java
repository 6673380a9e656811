package org.edgesbc.policy.identity;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One Identity header field value split into its signed token and its parameters (RFC 8224 §4):
 * {@code token *(SEMI ident-info-param)}, with {@code info=<URI>} in angle brackets and other parameter values as
 * tokens or quoted strings. {@code ppt=shaken} and {@code ppt="shaken"} both occur in the field; both mean shaken.
 *
 * @param token the JWS compact serialisation as received
 * @param parameters parameter names in lower case (RFC 3261 §7.3.1: names are case-insensitive), values without
 *     their angle brackets or quotes; a parameter without a value maps to the empty string
 */
record IdentityHeader(String token, Map<String, String> parameters) {
    static final String SHAKEN = "shaken";
    static final String PASSPORT_TYPE = "passport";
    /** Two bounded JSON texts in base64url, a signature and the parameters fit well within this. */
    static final int MAX_VALUE_LENGTH = 3 * CanonicalJson.MAX_LENGTH;

    /** The value split, or null when it is not of the form above. */
    static IdentityHeader parse(String value) {
        if (value == null || value.length() > MAX_VALUE_LENGTH) {
            return null;
        }
        int end = value.indexOf(';');
        String token = (end < 0 ? value : value.substring(0, end)).strip();
        if (token.isEmpty() || !isTokenText(token)) {
            return null;
        }
        Map<String, String> parameters = new HashMap<>();
        int i = end < 0 ? value.length() : end;
        while (i < value.length()) {
            // Here value[i] is ';'.
            i = skipSpace(value, i + 1);
            int nameStart = i;
            while (i < value.length() && isNameChar(value.charAt(i))) {
                i++;
            }
            if (i == nameStart) {
                return null;
            }
            String name = value.substring(nameStart, i).toLowerCase(Locale.ROOT);
            i = skipSpace(value, i);
            String parameterValue = "";
            if (i < value.length() && value.charAt(i) == '=') {
                i = skipSpace(value, i + 1);
                int valueEnd = valueEnd(value, i);
                if (valueEnd < 0) {
                    return null;
                }
                parameterValue = unwrap(value.substring(i, valueEnd));
                i = skipSpace(value, valueEnd);
            }
            if (parameterValue == null || parameters.putIfAbsent(name, parameterValue) != null) {
                return null;
            }
            if (i < value.length() && value.charAt(i) != ';') {
                return null;
            }
        }
        return new IdentityHeader(token, Map.copyOf(parameters));
    }

    /** Where a parameter value starting at {@code start} ends: after '>' or the closing quote, or at ';'/space. */
    private static int valueEnd(String value, int start) {
        if (start >= value.length()) {
            return -1;
        }
        char first = value.charAt(start);
        if (first == '<') {
            int close = value.indexOf('>', start);
            return close < 0 ? -1 : close + 1;
        }
        if (first == '"') {
            for (int i = start + 1; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    return i + 1;
                }
            }
            return -1;
        }
        int i = start;
        while (i < value.length() && isNameChar(value.charAt(i))) {
            i++;
        }
        return i == start ? -1 : i;
    }

    /** {@code <uri>} to uri, {@code "text"} to text with quoted-pairs undone, a token as is; null if empty. */
    private static String unwrap(String raw) {
        String inner;
        if (raw.startsWith("<")) {
            inner = raw.substring(1, raw.length() - 1);
        } else if (raw.startsWith("\"")) {
            StringBuilder text = new StringBuilder();
            for (int i = 1; i < raw.length() - 1; i++) {
                char c = raw.charAt(i);
                text.append(c == '\\' ? raw.charAt(++i) : c);
            }
            inner = text.toString();
        } else {
            inner = raw;
        }
        return inner.isEmpty() ? null : inner;
    }

    private static int skipSpace(String value, int i) {
        while (i < value.length() && (value.charAt(i) == ' ' || value.charAt(i) == '\t')) {
            i++;
        }
        return i;
    }

    /** RFC 3261 §25.1 token characters, which cover parameter names and unquoted values. */
    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || "-.!%*_+`'~".indexOf(c) >= 0;
    }

    /** A JWS compact serialisation is base64url text and dots (RFC 7515 §7.1). */
    private static boolean isTokenText(String token) {
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '_' || c == '.')) {
                return false;
            }
        }
        return true;
    }

    /** An x5u a verifier can fetch ({@link X5uRule}). */
    static boolean isUsableX5u(String x5u) {
        return X5uRule.problem(x5u) == null;
    }
}
