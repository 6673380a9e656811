package org.edgesbc.core;

/** Minimal JSON output for the SBC's own records (security events, CDRs, admin answers): strings escaped per RFC 8259 §7. */
public final class JsonText {
    private JsonText() { }

    /** Appends {@code value} as a JSON string: quotes, backslashes and control characters escaped. */
    public static StringBuilder string(StringBuilder out, String value) {
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
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }

    /** Appends {@code "name":value} with a string value, or {@code null}. */
    public static StringBuilder field(StringBuilder out, String name, String value) {
        string(out, name).append(':');
        return value == null ? out.append("null") : string(out, value);
    }
}
