package org.edgesbc.policy.limit;

import java.time.Duration;

/**
 * Settings of {@link PacketAdmission}, the before-parsing budgets.
 *
 * @param packetsPerSecond per access-zone source (default 50)
 * @param packetBurst per access-zone source after a quiet period (default 200)
 * @param peerPacketsPerSecond per known-peer source: trunk, PBX, office (default 20,000, burst the same)
 * @param globalPacketsPerSecond all access-zone sources together (default 100,000, burst the same); known peers
 *     are not counted against it, so a flood from the access zone cannot starve the trunk
 * @param maxSources bound of the per-source table (default 100,000)
 * @param idleExpiry a source's bucket is forgotten after this long without packets (default 1 minute)
 */
public record PacketBudgets(double packetsPerSecond, double packetBurst, double peerPacketsPerSecond,
        double globalPacketsPerSecond, int maxSources, Duration idleExpiry) {
    public static final PacketBudgets DEFAULTS = new PacketBudgets(50, 200, 20_000, 100_000, 100_000,
            Duration.ofMinutes(1));

    public PacketBudgets {
        if (!(packetsPerSecond > 0) || !(packetBurst >= 1) || !(peerPacketsPerSecond >= 1)
                || !(globalPacketsPerSecond >= 1)) {
            throw new IllegalArgumentException("packet rates must be positive and bursts at least 1");
        }
        if (maxSources < 1 || idleExpiry.isNegative() || idleExpiry.isZero()) {
            throw new IllegalArgumentException("max-sources must be at least 1 and idle expiry positive");
        }
    }
}
