package org.edgesbc.policy.ban;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Banned source addresses with reasons and expiry. Bounded ({@code maxEntries}; when full, the ban closest to expiry
 * gives way and an overflow is counted), with escalation: a source banned again within the memory window gets the
 * previous duration times {@code multiplier}, up to {@code maxDuration}.
 *
 * <p>{@link #isBanned} runs on every datagram before parsing, on every I/O thread: hence a concurrent map keyed by
 * the address, and a lookup that allocates nothing but the key.
 */
public final class BanTable {
    private final ConcurrentHashMap<InetAddress, Ban> bans = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, Ban> history = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Duration memory;
    private final double multiplier;
    private final Duration maxDuration;
    private final InstantSource clock;
    private final AtomicLong overflows = new AtomicLong();

    /**
     * @param memory how long a source's last ban is remembered for escalation
     * @param multiplier how much longer each repeat ban is
     * @param maxDuration the longest automatic ban
     */
    public BanTable(int maxEntries, Duration memory, double multiplier, Duration maxDuration, InstantSource clock) {
        this.maxEntries = maxEntries;
        this.memory = memory;
        this.multiplier = multiplier;
        this.maxDuration = maxDuration;
        this.clock = clock;
    }

    public boolean isBanned(InetAddress source) {
        Ban ban = bans.get(source);
        if (ban == null) {
            return false;
        }
        if (!clock.instant().isBefore(ban.expires())) {
            bans.remove(source, ban);
            return false;
        }
        return true;
    }

    /**
     * Bans {@code source} for {@code base}, escalated if it offended within the memory window. Returns the ban.
     */
    public Ban ban(InetAddress source, BanReason reason, String detail, Duration base) {
        Instant now = clock.instant();
        Ban previous = history.get(source);
        int offences = 1;
        Duration duration = base;
        if (previous != null && previous.created().plus(memory).isAfter(now)) {
            offences = previous.offences() + 1;
            long escalated = (long) (base.toMillis() * Math.pow(multiplier, offences - 1));
            duration = Duration.ofMillis(Math.min(escalated, maxDuration.toMillis()));
        }
        Ban ban = new Ban(source, reason, detail, now, now.plus(duration), offences);
        put(ban);
        return ban;
    }

    /** Restores or adds a ban as given (state file, admin API). */
    public void put(Ban ban) {
        if (!bans.containsKey(ban.source()) && bans.size() >= maxEntries) {
            expire();
            if (bans.size() >= maxEntries) {
                bans.values().stream().min(Comparator.comparing(Ban::expires))
                        .ifPresent(victim -> bans.remove(victim.source(), victim));
                overflows.incrementAndGet();
            }
        }
        bans.put(ban.source(), ban);
        history.put(ban.source(), ban);
        if (history.size() > 2 * maxEntries) {
            Instant cutoff = clock.instant().minus(memory);
            history.values().removeIf(b -> b.created().isBefore(cutoff));
        }
    }

    public boolean remove(InetAddress source) {
        return bans.remove(source) != null;
    }

    /** Active bans, soonest expiry first, after dropping expired ones. */
    public List<Ban> list() {
        expire();
        List<Ban> active = new ArrayList<>(bans.values());
        active.sort(Comparator.comparing(Ban::expires));
        return active;
    }

    public int size() {
        return bans.size();
    }

    public long overflows() {
        return overflows.get();
    }

    private void expire() {
        Instant now = clock.instant();
        for (Map.Entry<InetAddress, Ban> entry : bans.entrySet()) {
            if (!now.isBefore(entry.getValue().expires())) {
                bans.remove(entry.getKey(), entry.getValue());
            }
        }
    }
}
