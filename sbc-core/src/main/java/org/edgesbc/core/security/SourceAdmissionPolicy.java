package org.edgesbc.core.security;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.function.LongSupplier;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.policy.limit.RateLimitTable;
import org.edgesbc.policy.limit.SharedRateLimiter;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.SourceAdmission;

/**
 * Admission before parsing, on the I/O threads: a banned source is dropped, a source outside every zone's allowlist
 * is dropped, then the per-source packet budget (trunk, PBX and office sources have a larger one) and, for access
 * sources, one budget of all of them together. Every drop is silent (no answer helps a scanner) and counted; a
 * source of an access zone that keeps flooding is reported to {@link FloodWatch}, whose ban is written by the
 * {@link BanService}'s thread, never here.
 *
 * <p>Thread-safe and cheap: no I/O and no shared lock. Bans are one hash probe, the global budget is one compare
 * and set ({@link SharedRateLimiter}), and each source's bucket has its own monitor, contended only when one
 * source's packets reach two I/O threads at the same instant.
 */
public final class SourceAdmissionPolicy implements SourceAdmission {
    private static final int MAX_SOURCES = 1_000_000;
    private static final Duration IDLE = Duration.ofMinutes(1);

    private final SourceAdmission allowlist;
    private final SecurityZones zones;
    private final SecurityConfig config;
    private final BanService bans;
    private final FloodWatch flood;
    private final SecurityMetrics metrics;
    private final LongSupplier nanos;
    private final RateLimitTable<InetAddress> packets;
    private final SharedRateLimiter allAccessSources;

    /** @param allowlist the zones' networks: a source's zone, or null outside all of them */
    public SourceAdmissionPolicy(SourceAdmission allowlist, SecurityZones zones, SecurityConfig config,
            BanService bans, FloodWatch flood, SecurityMetrics metrics, InstantSource clock) {
        this.allowlist = allowlist;
        this.zones = zones;
        this.config = config;
        this.bans = bans;
        this.flood = flood;
        this.metrics = metrics;
        this.nanos = ClockNanos.of(clock);
        this.packets = new RateLimitTable<>(MAX_SOURCES, IDLE.toNanos(), nanos);
        this.allAccessSources = new SharedRateLimiter(config.globalPacketsPerSecond(), config.globalPacketsPerSecond(),
                nanos.getAsLong());
    }

    @Override
    public String admit(SipTransport transport, InetSocketAddress source) {
        InetAddress address = source.getAddress();
        if (bans.isBanned(address)) {
            metrics.decision(SecurityRule.BANNED, "drop");
            return null;
        }
        String zone = allowlist.admit(transport, source);
        if (zone == null) {
            return null;
        }
        boolean peer = zones.trusted(zone);
        double rate = peer ? config.peerPacketsPerSecond() : config.packetsPerSecond();
        double burst = peer ? config.peerPacketsPerSecond() : config.packetBurst();
        if (!packets.tryTake(address, rate, burst)) {
            metrics.decision(SecurityRule.PACKET_BUDGET, "drop");
            flood.overBudget(address, zone);
            return null;
        }
        if (!peer && !allAccessSources.tryTake(nanos.getAsLong())) {
            // Many sources together: drop without blaming any one of them (RFC 7339 style load shedding).
            metrics.decision(SecurityRule.PACKET_BUDGET, "drop");
            return null;
        }
        return zone;
    }
}
