package org.edgesbc.policy.event;

import java.util.Locale;

/**
 * Appends a Java string as a JSON string (RFC 8259 §7): quote, backslash and every control character escaped, the
 * rest as is. Shared by every JSON line the SBC writes by hand.
 */
public final class JsonString {
    private JsonString() { }

    public static StringBuilder append(StringBuilder out, String value) {
        out.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    // U+2028/2029 are valid JSON but end a line for JavaScript readers of the log: escaped too.
                    if (c < 0x20 || c == '\u2028' || c == '\u2029') {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
