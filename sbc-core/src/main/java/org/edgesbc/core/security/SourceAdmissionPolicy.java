package org.edgesbc.core.security;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.policy.limit.RateLimitTable;
import org.edgesbc.policy.limit.SharedRateLimiter;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.SourceAdmission;

/**
 * Admission before parsing, on the I/O threads: a banned source is dropped, a source outside every zone's allowlist
 * is dropped, then the per-source packet budget (trunk, PBX and office sources have a larger one) and, for access
 * sources, one budget of all of them together. Every drop is silent (no answer helps a scanner), counted and
 * summarised per source and minute in the security events ({@link DropSummary}), except the drops of sources
 * outside every zone, which only the transport counts (anyone can send those from anywhere); a
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

    /** Replaced whole at reload; read once per packet. */
    private volatile Settings settings;
    private final BanService bans;
    private final FloodWatch flood;
    private final DropSummary drops;
    private final SecurityMetrics metrics;
    private final LongSupplier nanos;
    private final RateLimitTable<InetAddress> packets;
    /** Trunk, PBX and office packets dropped over their budget: signalling of calls in progress among them. */
    private final LongAdder peerPacketsDropped = new LongAdder();

    /**
     * What admission decides by, from one configuration generation. The per-source buckets are not part of it: they
     * carry over a reload and take the new rates from their next packet on.
     *
     * @param allowlist the zones' networks: a source's zone, or null outside all of them
     * @param allAccessSources the one budget of all access-zone sources together
     */
    private record Settings(SourceAdmission allowlist, SecurityZones zones, SecurityConfig config,
            SharedRateLimiter allAccessSources) { }

    /** @param allowlist the zones' networks: a source's zone, or null outside all of them */
    public SourceAdmissionPolicy(SourceAdmission allowlist, SecurityZones zones, SecurityConfig config,
            BanService bans, FloodWatch flood, DropSummary drops, SecurityMetrics metrics,
            LongSupplier monotonic) {
        this.bans = bans;
        this.flood = flood;
        this.drops = drops;
        this.metrics = metrics;
        this.nanos = monotonic;
        this.packets = new RateLimitTable<>(MAX_SOURCES, IDLE.toNanos(), nanos);
        this.settings = new Settings(allowlist, zones, config, globalBudget(config));
    }

    private SharedRateLimiter globalBudget(SecurityConfig config) {
        return new SharedRateLimiter(config.globalPacketsPerSecond(), config.globalPacketsPerSecond(),
                nanos.getAsLong());
    }

    /**
     * Admits by new zones, networks and budgets from the next packet on (a configuration reload). The global budget
     * of access sources starts full when its rate changed and carries on otherwise. Any thread.
     */
    public void reconfigure(SourceAdmission allowlist, SecurityZones zones, SecurityConfig config) {
        Settings old = settings;
        SharedRateLimiter global = old.config().globalPacketsPerSecond() == config.globalPacketsPerSecond()
                ? old.allAccessSources() : globalBudget(config);
        settings = new Settings(allowlist, zones, config, global);
    }

    /**
     * The packets of trunk, PBX and office sources dropped so far over their budget. Unlike an access source's, a
     * peer's packets are mostly the signalling of calls in progress (ACKs, BYEs, answers), so a drop among them is
     * a loss the calls may not survive ({@code SignallingLossWatch}).
     */
    public long peerPacketsDropped() {
        return peerPacketsDropped.sum();
    }

    @Override
    public String admit(SipTransport transport, InetSocketAddress source) {
        InetAddress address = source.getAddress();
        if (bans.isBanned(address)) {
            metrics.decision(SecurityRule.BANNED, "drop");
            drops.dropped(address, null, SecurityRule.BANNED);
            return null;
        }
        Settings current = settings;
        SecurityConfig config = current.config();
        String zone = current.allowlist().admit(transport, source);
        if (zone == null) {
            return null;
        }
        boolean peer = current.zones().trusted(zone);
        double rate = peer ? config.peerPacketsPerSecond() : config.packetsPerSecond();
        double burst = peer ? config.peerPacketsPerSecond() : config.packetBurst();
        if (!packets.tryTake(address, rate, burst)) {
            if (peer) {
                peerPacketsDropped.increment();
            }
            metrics.decision(SecurityRule.PACKET_BUDGET, "drop");
            drops.dropped(address, zone, SecurityRule.PACKET_BUDGET);
            flood.overBudget(address, zone);
            return null;
        }
        if (!peer && !current.allAccessSources().tryTake(nanos.getAsLong())) {
            // Many sources together: drop without blaming any one of them (RFC 7339 style load shedding).
            metrics.decision(SecurityRule.PACKET_BUDGET, "drop");
            drops.dropped(null, null, SecurityRule.PACKET_BUDGET);
            return null;
        }
        return zone;
    }
}
