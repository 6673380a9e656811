package org.edgesbc.core.security;

import java.time.Instant;
import java.util.Map;

/**
 * One blocking decision, explained: when, who (source, zone, user if known), which rule and why, the counters and
 * thresholds that tripped it, what was done, and until when.
 */
public record SecurityEvent(Instant time, String source, String zone, String user, String rule, String reason,
        Map<String, Object> counters, String action, Instant expires) {

    /** One JSON object, no line breaks. */
    public String toJson() {
        StringBuilder out = new StringBuilder(256).append('{');
        field(out, "time", time.toString()).append(',');
        field(out, "source", source).append(',');
        field(out, "zone", zone).append(',');
        field(out, "user", user).append(',');
        field(out, "rule", rule).append(',');
        field(out, "reason", reason).append(',');
        out.append("\"counters\":{");
        boolean first = true;
        for (Map.Entry<String, Object> counter : counters.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            if (counter.getValue() instanceof Number number) {
                string(out, counter.getKey()).append(':').append(number);
            } else {
                field(out, counter.getKey(), String.valueOf(counter.getValue()));
            }
        }
        out.append("},");
        field(out, "action", action).append(',');
        field(out, "expires", expires == null ? null : expires.toString());
        return out.append('}').toString();
    }

    private static StringBuilder field(StringBuilder out, String name, String value) {
        string(out, name).append(':');
        return value == null ? out.append("null") : string(out, value);
    }

    /** A JSON string (RFC 8259 §7): quotes, backslashes and control characters escaped. */
    static StringBuilder string(StringBuilder out, String value) {
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
}
