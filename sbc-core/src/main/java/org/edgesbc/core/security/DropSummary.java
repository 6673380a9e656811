package org.edgesbc.core.security;

import io.netty.util.concurrent.DefaultEventExecutor;
import java.net.InetAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Silent drops summarised: every drop by a ban, a budget or a scanner fingerprint is counted here per source and
 * rule, and once a minute each source that had any gets one security event of rule {@value #RULE} with its
 * counts, so that a source the SBC never answers still leaves a trace without one event per packet. Drops of the
 * budget of all access sources together, which blame no source, are summarised in one event without a source.
 *
 * <p>Shared by the I/O threads (admission) and the relay threads (request budgets, scanners), hence a concurrent
 * table; counting is a hash probe and an atomic add, never a lock or the disk. Bounded: beyond {@code maxSources}
 * sources in a minute, drops are counted in one event of their own. A drop racing the end of the minute may be
 * counted in the next minute's event or, rarely, not at all. The minute is kept by the thread's scheduler, on the
 * monotonic clock; the wall clock only stamps the events.
 */
public final class DropSummary implements AutoCloseable {
    /** How often the counts are written out and restarted. */
    public static final Duration INTERVAL = Duration.ofMinutes(1);
    private static final int DEFAULT_MAX_SOURCES = 10_000;
    private static final SecurityRule[] RULES = SecurityRule.values();
    /** The rule of summary events: not a decision of its own, so not one of {@link SecurityRule}'s. */
    public static final String RULE = "DROPS";

    /** Drops of one source in the current minute, by rule ordinal. */
    private record Counts(String zone, AtomicLongArray byRule) { }

    private final ConcurrentHashMap<InetAddress, Counts> sources = new ConcurrentHashMap<>();
    private final AtomicLongArray unattributed = new AtomicLongArray(RULES.length);
    private final AtomicLong beyondBound = new AtomicLong();
    private final int maxSources;
    private final SecurityEventLog events;
    private final InstantSource clock;
    private final DefaultEventExecutor thread;

    /** A summary written by {@link #flush} calls of the caller's own (tests), not on a schedule. */
    DropSummary(SecurityEventLog events, InstantSource clock, int maxSources) {
        this(events, clock, maxSources, null);
    }

    private DropSummary(SecurityEventLog events, InstantSource clock, int maxSources, DefaultEventExecutor thread) {
        this.events = events;
        this.clock = clock;
        this.maxSources = maxSources;
        this.thread = thread;
    }

    /** A summary that writes its events once a minute on a thread of its own. */
    public static DropSummary start(SecurityEventLog events, InstantSource clock) {
        DropSummary summary = new DropSummary(events, clock, DEFAULT_MAX_SOURCES,
                ServiceThread.start("sbc-drop-summary", 16));
        long period = INTERVAL.toMillis();
        summary.thread.scheduleAtFixedRate(summary::flush, period, period, TimeUnit.MILLISECONDS);
        return summary;
    }

    /**
     * One packet or request dropped without an answer. Any thread.
     *
     * @param source the source blamed, or null for a drop that blames none
     */
    public void dropped(InetAddress source, String zone, SecurityRule rule) {
        if (source == null) {
            unattributed.incrementAndGet(rule.ordinal());
            return;
        }
        Counts counts = sources.get(source);
        if (counts == null) {
            if (sources.size() >= maxSources) {
                beyondBound.incrementAndGet();
                return;
            }
            counts = sources.computeIfAbsent(source, s -> new Counts(zone, new AtomicLongArray(RULES.length)));
        }
        counts.byRule().incrementAndGet(rule.ordinal());
    }

    /** Writes one event per source with drops since the last flush, and restarts the counts. */
    void flush() {
        for (InetAddress source : sources.keySet()) {
            Counts counts = sources.remove(source);
            if (counts != null) {
                emit(source.getHostAddress(), counts.zone(), counters(counts.byRule()));
            }
        }
        Map<String, Object> shared = counters(unattributed);
        long beyond = beyondBound.getAndSet(0);
        if (beyond > 0) {
            shared.put("drops_of_sources_beyond_bound", beyond);
            shared.put("bound", maxSources);
        }
        if (!shared.isEmpty()) {
            emit(null, null, shared);
        }
    }

    private void emit(String source, String zone, Map<String, Object> counters) {
        events.emit(new SecurityEvent(clock.instant(), source, zone, null, RULE,
                "dropped without an answer in the last " + INTERVAL.toSeconds() + " s", counters, "drop", null));
    }

    /** The non-zero counts, by rule in lower case, reset to zero. */
    private static Map<String, Object> counters(AtomicLongArray byRule) {
        Map<String, Object> counters = new LinkedHashMap<>();
        for (SecurityRule rule : RULES) {
            long count = byRule.getAndSet(rule.ordinal(), 0);
            if (count > 0) {
                counters.put(rule.name().toLowerCase(Locale.ROOT), count);
            }
        }
        return counters;
    }

    /** Writes what was counted and stops the thread. */
    @Override
    public void close() {
        if (thread != null) {
            thread.execute(this::flush);
            ServiceThread.stop(thread);
        }
    }
}
