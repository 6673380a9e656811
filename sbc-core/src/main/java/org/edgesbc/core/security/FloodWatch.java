package org.edgesbc.core.security;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.function.LongSupplier;
import org.edgesbc.policy.ban.BanReason;
import org.edgesbc.policy.ban.FailureCounter;
import org.edgesbc.policy.cluster.SharedState;

/**
 * Counts what each source sends over its budgets and reports a source of an untrusted zone that keeps at it to the
 * {@link BanService}, which bans it for flooding on its own thread. Packets over budget are counted on I/O threads
 * (before parsing) and requests over budget on relay threads (after), and both count toward one threshold per
 * source, hence one shared concurrent counter; counting never blocks and never touches the disk.
 */
public final class FloodWatch {
    private static final Duration WINDOW = Duration.ofMinutes(1);
    private static final int MAX_SOURCES = 1_000_000;

    /** Replaced whole at reload; read once per report. */
    private volatile Settings settings;
    private final FailureCounter<InetAddress> drops;
    private final BanService bans;

    /**
     * @param banAfter drops within a minute that get a source banned
     * @param packetsPerSecond the per-source packet budget, reported in the ban's counters
     * @param monotonic nanoseconds ({@link System#nanoTime} in the daemon), the clock of the one-minute windows
     */
    public FloodWatch(SecurityZones zones, int banAfter, double packetsPerSecond, BanService bans,
            LongSupplier monotonic) {
        this.settings = new Settings(zones, banAfter, packetsPerSecond);
        this.drops = new FailureCounter<>(WINDOW, MAX_SOURCES, monotonic);
        this.bans = bans;
    }

    /** What flooding is, from one configuration generation. */
    private record Settings(SecurityZones zones, int banAfter, double packetsPerSecond) { }

    /** New zones and thresholds from the next report on (a reload); drops counted so far still count. Any thread. */
    public void reconfigure(SecurityZones zones, int banAfter, double packetsPerSecond) {
        settings = new Settings(zones, banAfter, packetsPerSecond);
    }

    /** One packet or request of {@code source} dropped over its budget. Any thread. */
    public void overBudget(InetAddress source, String zone) {
        Settings current = settings;
        int banAfter = current.banAfter();
        if (current.zones().trusted(zone)) {
            return;
        }
        bans.failureAcrossNodes(SharedState.FailureKind.FLOOD, source, zone, WINDOW, banAfter, SecurityRule.FLOOD,
                BanReason.FLOOD);
        int dropped = drops.record(source);
        if (dropped >= banAfter) {
            drops.reset(source);
            bans.ban(source, zone, SecurityRule.FLOOD, BanReason.FLOOD, Map.of("dropped", dropped,
                    "threshold", banAfter, "window_seconds", WINDOW.toSeconds(), "packets_per_second",
                    current.packetsPerSecond()));
        }
    }
}
