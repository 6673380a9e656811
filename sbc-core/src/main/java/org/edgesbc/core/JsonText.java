package org.edgesbc.core;

import org.edgesbc.policy.JsonString;

/** Minimal JSON output for the SBC's own records (security events, CDRs, admin answers): strings escaped per RFC 8259 §7. */
public final class JsonText {
    private JsonText() { }

    /** Appends {@code value} as a JSON string, U+2028/2029 escaped too (see {@link JsonString#append}). */
    public static StringBuilder string(StringBuilder out, String value) {
        return JsonString.append(out, value);
    }

    /** Appends {@code "name":value} with a string value, or {@code null}. */
    public static StringBuilder field(StringBuilder out, String name, String value) {
        string(out, name).append(':');
        return value == null ? out.append("null") : string(out, value);
    }
}
