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
import java.util.function.LongSupplier;
import org.edgesbc.policy.Deadline;

/**
 * Banned source addresses with reasons, counters and expiry. Bounded ({@code maxEntries}; when full, the ban closest
 * to expiry gives way and an overflow is counted), with escalation: a source banned again within the memory window
 * gets the base duration times {@code multiplier} per earlier offence, up to {@code maxDuration}. The offence
 * history is bounded too (twice {@code maxEntries}; the oldest offence is forgotten first).
 *
 * <p>A ban ends on the monotonic clock ({@link Deadline}): a step of the wall clock neither lifts it early nor
 * stretches it. Its {@link Ban#created()} and {@link Ban#expires()} are wall instants for people and the state file;
 * {@link #list()} gives the expiry as of the moment it is listed.
 *
 * <p>Why a shared concurrent table: {@link #isBanned(InetAddress)} runs on every datagram before parsing,
 * on every I/O thread, while bans are added from relay threads and the admin API. Giving each thread its own copy
 * would let a banned source through on the threads that have not heard yet. Keys are {@link InetAddress}, whose
 * equality is the address bytes; a lookup is one hash probe and allocates nothing.
 */
public final class BanTable {
    private final ConcurrentHashMap<InetAddress, Entry> bans = new ConcurrentHashMap<>();
    /** A wall expiry this far from a ban's end counts as a step of the wall clock, not as the time listing takes. */
    private static final Duration STEP = Duration.ofSeconds(1);
    private final ConcurrentHashMap<InetAddress, Ban> history = new ConcurrentHashMap<>();
    private final int maxEntries;
    private final Duration memory;
    /** Replaced whole by {@link #replaceEscalation}; read once per ban. */
    private volatile Escalation escalation;
    private final Duration baseDuration;
    private final InstantSource clock;
    private final LongSupplier monotonic;
    private final AtomicLong overflows = new AtomicLong();

    /** A ban and when it ends on the monotonic clock. */
    private record Entry(Ban ban, Deadline end) { }

    /**
     * @param clock wall clock: the instants bans show and the state file keeps
     * @param monotonic nanoseconds that never step ({@link System#nanoTime} in the daemon): when bans end
     */
    public BanTable(BanSettings settings, InstantSource clock, LongSupplier monotonic) {
        this.maxEntries = settings.maxEntries();
        this.memory = settings.memory();
        this.escalation = new Escalation(settings.multiplier(), settings.maxDuration());
        this.baseDuration = settings.baseDuration();
        this.clock = clock;
        this.monotonic = monotonic;
    }

    /**
     * @param memory how long a source's last ban is remembered for escalation
     * @param multiplier how much longer each repeat ban is
     * @param maxDuration the longest automatic ban
     */
    public BanTable(int maxEntries, Duration memory, double multiplier, Duration maxDuration, InstantSource clock,
            LongSupplier monotonic) {
        this(new BanSettings(maxEntries, BanSettings.DEFAULTS.baseDuration().compareTo(maxDuration) <= 0
                ? BanSettings.DEFAULTS.baseDuration() : maxDuration, multiplier, maxDuration, memory), clock,
                monotonic);
    }

    /** Whether {@code source} is banned now. An expired ban found here is removed. */
    public boolean isBanned(InetAddress source) {
        Entry entry = bans.get(source);
        if (entry == null) {
            return false;
        }
        if (entry.end().passedAt(monotonic.getAsLong())) {
            bans.remove(source, entry);
            return false;
        }
        return true;
    }

    /** The ban in force for {@code source}, or null. */
    public Ban get(InetAddress source) {
        Entry entry = bans.get(source);
        return entry != null && !entry.end().passedAt(monotonic.getAsLong()) ? entry.ban() : null;
    }

    /**
     * Bans {@code source} for {@code base}, escalated if it offended within the memory window. Returns the ban.
     */
    public Ban ban(InetAddress source, BanReason reason, String detail, Duration base) {
        return ban(source, reason, detail, Map.of(), base);
    }

    /** Bans {@code source} for the configured base duration, escalated; {@code counters} say what tripped it. */
    public Ban ban(InetAddress source, BanReason reason, String detail, Map<String, Long> counters) {
        return ban(source, reason, detail, counters, baseDuration);
    }

    /** Bans {@code source} for {@code base}, escalated; {@code counters} say what tripped it. */
    public Ban ban(InetAddress source, BanReason reason, String detail, Map<String, Long> counters, Duration base) {
        Instant now = clock.instant();
        Ban previous = history.get(source);
        int offences = previous != null && previous.created().plus(memory).isAfter(now) ? previous.offences() + 1 : 1;
        Duration duration = escalated(base, offences);
        Ban ban = new Ban(source, reason, detail, counters, now, now.plus(duration), offences);
        put(new Entry(ban, Deadline.in(duration, monotonic)));
        return ban;
    }

    /** {@code base} times {@code multiplier} per earlier offence, capped at the maximum (and never overflowing). */
    Duration escalated(Duration base, int offences) {
        Escalation current = escalation;
        double millis = base.toMillis() * Math.pow(current.multiplier(), offences - 1);
        return Duration.ofMillis((long) Math.min(millis,
                (double) Math.max(current.maxDuration().toMillis(), base.toMillis())));
    }

    /** How repeat bans grow: {@link BanSettings#multiplier()} per earlier offence, up to a longest ban. */
    private record Escalation(double multiplier, Duration maxDuration) { }

    /**
     * Changes how bans made from now on escalate (a configuration reload); bans in force keep their expiry and
     * offences already counted still count. Any thread.
     *
     * @throws IllegalArgumentException for a multiplier below 1 or a non-positive longest ban
     */
    public void replaceEscalation(double multiplier, Duration maxDuration) {
        if (!(multiplier >= 1) || maxDuration.isNegative() || maxDuration.isZero()) {
            throw new IllegalArgumentException("escalation needs a multiplier of at least 1 and a positive longest "
                    + "ban, got " + multiplier + " and " + maxDuration);
        }
        this.escalation = new Escalation(multiplier, maxDuration);
    }

    /**
     * Restores or adds a ban as given (from {@link BanStateFile#read}, or an operator's); it also counts as an offence
     * for escalation.
     */
    public void put(Ban ban) {
        put(new Entry(ban, Deadline.at(ban.expires(), clock, monotonic)));
    }

    private void put(Entry entry) {
        Ban ban = entry.ban();
        if (!bans.containsKey(ban.source()) && bans.size() >= maxEntries) {
            long now = monotonic.getAsLong();
            expire(now);
            if (bans.size() >= maxEntries) {
                // A linear scan, only when the table is full: the common path stays a single hash probe.
                bans.values().stream().min(Comparator.comparingLong(e -> e.end().nanos() - now))
                        .ifPresent(victim -> bans.remove(victim.ban().source(), victim));
                overflows.incrementAndGet();
            }
        }
        bans.put(ban.source(), entry);
        remember(ban);
    }

    private void remember(Ban ban) {
        history.merge(ban.source(), ban, (old, fresh) -> fresh.created().isBefore(old.created()) ? old : fresh);
        if (history.size() > 2 * maxEntries) {
            Instant cutoff = clock.instant().minus(memory);
            history.values().removeIf(b -> b.created().isBefore(cutoff));
            while (history.size() > 2 * maxEntries) {
                history.values().stream().min(Comparator.comparing(Ban::created))
                        .ifPresent(oldest -> history.remove(oldest.source(), oldest));
            }
        }
    }

    /** Lifts a ban (admin API); the offence stays remembered for escalation. */
    public boolean remove(InetAddress source) {
        return bans.remove(source) != null;
    }

    /**
     * Active bans, soonest expiry first, after dropping expired ones. A ban whose wall expiry no longer matches its
     * end (the wall clock stepped since it was made) is listed with the wall instant it now ends at.
     */
    public List<Ban> list() {
        long now = monotonic.getAsLong();
        Instant wallNow = clock.instant();
        expire(now);
        List<Ban> active = new ArrayList<>();
        for (Entry entry : bans.values()) {
            Ban ban = entry.ban();
            Instant expires = entry.end().wallExpiry(wallNow, now);
            active.add(Duration.between(ban.expires(), expires).abs().compareTo(STEP) < 0 ? ban
                    : new Ban(ban.source(), ban.reason(), ban.detail(), ban.counters(), ban.created(), expires,
                            ban.offences()));
        }
        active.sort(Comparator.comparing(Ban::expires));
        return active;
    }

    /**
     * Bans in force, after dropping expired ones: an expired ban otherwise leaves the table only when its source
     * sends again or the table is listed, and the gauge of active bans would never come back to 0.
     */
    public int size() {
        expire(monotonic.getAsLong());
        return bans.size();
    }

    /** Bans pushed out early because the table was full. */
    public long overflows() {
        return overflows.get();
    }

    private void expire(long now) {
        for (Map.Entry<InetAddress, Entry> entry : bans.entrySet()) {
            if (entry.getValue().end().passedAt(now)) {
                bans.remove(entry.getKey(), entry.getValue());
            }
        }
    }
}
