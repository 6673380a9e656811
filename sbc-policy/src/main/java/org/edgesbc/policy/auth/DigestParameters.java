package org.edgesbc.policy.auth;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Parses the parameters of a {@code Digest} credentials header value (RFC 7616 §3.4, RFC 3261 §25.1 auth-param):
 * comma-separated {@code name=token} or {@code name="quoted string"} with backslash escapes. Strict: a repeated
 * parameter, an unterminated quote or more than {@link #MAX_PARAMETERS} parameters make the whole header invalid.
 */
public final class DigestParameters {
    public static final int MAX_LENGTH = 2_048;
    public static final int MAX_PARAMETERS = 20;

    private DigestParameters() { }

    /** Parameter names lower-cased; null when the value is not well-formed Digest credentials. */
    public static Map<String, String> parse(String headerValue) {
        if (headerValue == null || headerValue.length() > MAX_LENGTH) {
            return null;
        }
        String value = headerValue.trim();
        if (value.length() < 7 || !value.regionMatches(true, 0, "Digest", 0, 6)
                || !Character.isWhitespace(value.charAt(6))) {
            return null;
        }
        Map<String, String> parameters = new HashMap<>();
        int i = 7;
        int n = value.length();
        while (i < n) {
            while (i < n && (Character.isWhitespace(value.charAt(i)) || value.charAt(i) == ',')) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int nameStart = i;
            while (i < n && value.charAt(i) != '=' && !Character.isWhitespace(value.charAt(i))) {
                i++;
            }
            String name = value.substring(nameStart, i).toLowerCase(Locale.ROOT);
            while (i < n && Character.isWhitespace(value.charAt(i))) {
                i++;
            }
            if (name.isEmpty() || i >= n || value.charAt(i) != '=') {
                return null;
            }
            i++;
            while (i < n && Character.isWhitespace(value.charAt(i))) {
                i++;
            }
            StringBuilder parameter = new StringBuilder();
            if (i < n && value.charAt(i) == '"') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = value.charAt(i++);
                    if (c == '\\' && i < n) {
                        parameter.append(value.charAt(i++));
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        parameter.append(c);
                    }
                }
                if (!closed) {
                    return null;
                }
            } else {
                while (i < n && value.charAt(i) != ',' && !Character.isWhitespace(value.charAt(i))) {
                    parameter.append(value.charAt(i++));
                }
            }
            if (parameters.put(name, parameter.toString()) != null || parameters.size() > MAX_PARAMETERS) {
                return null;
            }
        }
        return parameters;
    }
}
