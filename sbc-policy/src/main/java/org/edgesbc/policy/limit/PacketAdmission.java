package org.edgesbc.policy.limit;

import java.net.InetAddress;
import java.util.function.LongSupplier;

/**
 * The before-parsing packet budgets, one call per datagram: a per-source token bucket (peer budgets for known
 * peers) and, for access-zone sources only, one global budget. Cheap under a flood: one hash probe and a few
 * arithmetic operations under the source bucket's own monitor (locks are striped per source), then one compare and
 * set on the global budget.
 *
 * <p>Shared by all I/O threads (each runs admission for its own channels), hence the concurrent per-source table.
 */
public final class PacketAdmission {
    /** What admission decided for one datagram; everything but {@code ADMITTED} is dropped and counted. */
    public enum Status { ADMITTED, SOURCE_OVER_BUDGET, GLOBAL_OVER_BUDGET }

    private final PacketBudgets budgets;
    private final RateLimitTable<InetAddress> sources;
    private final SharedRateLimiter global;

    public PacketAdmission(PacketBudgets budgets, LongSupplier nanoClock) {
        this.budgets = budgets;
        this.sources = new RateLimitTable<>(budgets.maxSources(), budgets.idleExpiry().toNanos(), nanoClock);
        this.global = new SharedRateLimiter(budgets.globalPacketsPerSecond(), budgets.globalPacketsPerSecond(),
                nanoClock.getAsLong());
    }

    /**
     * Charges one datagram from {@code source} at {@code nowNanos}.
     *
     * @param knownPeer whether the source belongs to a trunk, PBX or office zone (peer budget, no global budget)
     */
    public Status admit(InetAddress source, boolean knownPeer, long nowNanos) {
        double rate = knownPeer ? budgets.peerPacketsPerSecond() : budgets.packetsPerSecond();
        double burst = knownPeer ? budgets.peerPacketsPerSecond() : budgets.packetBurst();
        if (!sources.tryTake(source, rate, burst, nowNanos)) {
            return Status.SOURCE_OVER_BUDGET;
        }
        if (!knownPeer && !global.tryTake(nowNanos)) {
            // Many sources together: shed without blaming any one of them (RFC 7339 style load shedding).
            return Status.GLOBAL_OVER_BUDGET;
        }
        return Status.ADMITTED;
    }

    /** Sources tracked now, for the admin API and a gauge. */
    public int trackedSources() {
        return sources.size();
    }

    /** Sources that pushed out another source's bucket because the table was full. */
    public long overflows() {
        return sources.overflows();
    }
}
