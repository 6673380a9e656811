package org.edgesbc.policy.ban;

import java.time.Duration;

/**
 * Settings of the {@link BanTable}.
 *
 * @param maxEntries bound of the table (default 100,000); when full, the ban closest to expiry gives way
 * @param baseDuration the first ban of a source (default 1 hour)
 * @param multiplier how much longer each repeat within {@code memory} lasts (default 4: 1 h, 4 h, 16 h, ...)
 * @param maxDuration the longest automatic ban (default 7 days)
 * @param memory how long a source's offences are remembered for escalation (default 7 days)
 */
public record BanSettings(int maxEntries, Duration baseDuration, double multiplier, Duration maxDuration,
        Duration memory) {
    public static final BanSettings DEFAULTS = new BanSettings(100_000, Duration.ofHours(1), 4, Duration.ofDays(7),
            Duration.ofDays(7));

    public BanSettings {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("max-entries must be at least 1, got " + maxEntries);
        }
        if (baseDuration.isNegative() || baseDuration.isZero() || maxDuration.compareTo(baseDuration) < 0) {
            throw new IllegalArgumentException("ban durations must be positive with max >= base, got "
                    + baseDuration + " and " + maxDuration);
        }
        if (!(multiplier >= 1)) {
            throw new IllegalArgumentException("escalation multiplier must be at least 1, got " + multiplier);
        }
        if (memory.isNegative()) {
            throw new IllegalArgumentException("offence memory must not be negative, got " + memory);
        }
    }
}
