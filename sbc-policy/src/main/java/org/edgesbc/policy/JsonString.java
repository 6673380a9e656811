package org.edgesbc.policy;

import java.util.Locale;

/**
 * Appends a Java string as a JSON string (RFC 8259 §7): quote, backslash and every control character escaped, the
 * rest as is. Shared by every JSON text the SBC writes by hand: log lines through {@link #append}, signed JSON
 * (PASSporTs) through {@link #appendMinimal}.
 */
public final class JsonString {
    private JsonString() { }

    /** For log lines: also escapes U+2028/2029, which are valid JSON but end a line for JavaScript readers. */
    public static StringBuilder append(StringBuilder out, String value) {
        return append(out, value, true);
    }

    /**
     * For signed JSON: escapes only what RFC 8259 §7 requires (RFC 7638 §3.3, which RFC 8225 §9 follows), so that
     * the bytes are those another implementation writes for the same value.
     */
    public static StringBuilder appendMinimal(StringBuilder out, String value) {
        return append(out, value, false);
    }

    private static StringBuilder append(StringBuilder out, String value, boolean escapeLineSeparators) {
        out.append('"');
        // Runs that need no escape (most values: identifiers, addresses, timestamps) are copied whole.
        int plainFrom = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\'
                    && !(escapeLineSeparators && (c == '\u2028' || c == '\u2029'))) {
                continue;
            }
            out.append(value, plainFrom, i);
            plainFrom = i + 1;
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
            }
        }
        return out.append(value, plainFrom, value.length()).append('"');
    }
}
