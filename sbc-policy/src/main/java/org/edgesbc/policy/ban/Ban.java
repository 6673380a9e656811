package org.edgesbc.policy.ban;

import java.net.InetAddress;
import java.time.Instant;
import java.util.Map;

/**
 * One banned source: why, a readable account of what tripped it ({@code detail}), the counters and thresholds
 * involved ({@code counters}, e.g. {@code failures=10, threshold=10, window_seconds=600}), when it started and ends,
 * and how many times this source has offended within the memory window (for escalation). A plain value: the
 * admin API lists it and {@link BanStateFile} writes it.
 */
public record Ban(InetAddress source, BanReason reason, String detail, Map<String, Long> counters, Instant created,
        Instant expires, int offences) {
    public Ban {
        counters = Map.copyOf(counters);
    }

    /** A ban without counters (operator bans, older state files). */
    public Ban(InetAddress source, BanReason reason, String detail, Instant created, Instant expires, int offences) {
        this(source, reason, detail, Map.of(), created, expires, offences);
    }

    /** Whether the ban is still in force at {@code now} (the expiry instant itself is already free). */
    public boolean activeAt(Instant now) {
        return now.isBefore(expires);
    }
}
