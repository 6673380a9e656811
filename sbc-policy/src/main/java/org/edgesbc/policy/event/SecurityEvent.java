package org.edgesbc.policy.event;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One blocking (or alerting) decision, explained: when, who (source, zone, user if known), which rule and why, the
 * counters and thresholds involved, what was done and until when. {@link #toJson()} renders it as one JSON line
 * for the security-event log.
 *
 * @param time when the decision was made
 * @param source the source address as text, or null (operator actions on accounts)
 * @param zone the source's zone name, or null (not in a zone, or not known yet)
 * @param user the user if known (authenticated, or named by the credentials of a configured account), or null
 * @param rule the rule that decided
 * @param reason a short, fixed explanation (no attacker-controlled text except a matched fingerprint's name)
 * @param counters counter values and thresholds, in insertion order
 * @param action what was done
 * @param expires when a ban ends, or null
 */
public record SecurityEvent(Instant time, String source, String zone, String user, SecurityRule rule, String reason,
        Map<String, Long> counters, SecurityAction action, Instant expires) {
    public SecurityEvent {
        counters = counters.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(counters));
    }

    /** One JSON object on one line; null fields are omitted; strings escaped per RFC 8259 §7. */
    public String toJson() {
        StringBuilder out = new StringBuilder(256);
        out.append("{\"time\":");
        JsonString.append(out, time.toString());
        optional(out, "source", source);
        optional(out, "zone", zone);
        optional(out, "user", user);
        out.append(",\"rule\":");
        JsonString.append(out, rule.name().toLowerCase(Locale.ROOT));
        optional(out, "reason", reason);
        out.append(",\"counters\":{");
        boolean first = true;
        for (Map.Entry<String, Long> counter : counters.entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            JsonString.append(out, counter.getKey());
            out.append(':').append(counter.getValue().longValue());
        }
        out.append("},\"action\":");
        JsonString.append(out, action.name().toLowerCase(Locale.ROOT));
        optional(out, "expires", expires == null ? null : expires.toString());
        return out.append('}').toString();
    }

    private static void optional(StringBuilder out, String name, String value) {
        if (value != null) {
            out.append(",\"").append(name).append("\":");
            JsonString.append(out, value);
        }
    }
}
