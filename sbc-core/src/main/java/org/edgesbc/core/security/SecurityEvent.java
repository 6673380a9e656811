package org.edgesbc.core.security;

import java.time.Instant;
import java.util.Map;
import org.edgesbc.core.JsonText;

/**
 * One blocking decision, explained: when, who (source, zone, user if known), which rule and why, the counters and
 * thresholds that tripped it, what was done, and until when.
 */
public record SecurityEvent(Instant time, String source, String zone, String user, String rule, String reason,
        Map<String, Object> counters, String action, Instant expires) {

    /** One JSON object, no line breaks. */
    public String toJson() {
        StringBuilder out = new StringBuilder(256).append('{');
        JsonText.timestamp(out, "time", time).append(',');
        JsonText.field(out, "source", source).append(',');
        JsonText.field(out, "zone", zone).append(',');
        JsonText.field(out, "user", user).append(',');
        JsonText.field(out, "rule", rule).append(',');
        JsonText.field(out, "reason", reason).append(',');
        out.append("\"counters\":{");
        boolean first = true;
        for (Map.Entry<String, Object> counter : counters.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            if (counter.getValue() instanceof Number number) {
                JsonText.string(out, counter.getKey()).append(':').append(number);
            } else {
                JsonText.field(out, counter.getKey(), String.valueOf(counter.getValue()));
            }
        }
        out.append("},");
        JsonText.field(out, "action", action).append(',');
        JsonText.timestamp(out, "expires", expires);
        return out.append('}').toString();
    }
}
