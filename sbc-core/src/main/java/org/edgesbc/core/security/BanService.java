package org.edgesbc.core.security;

import io.netty.util.concurrent.DefaultEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.policy.ban.Ban;
import org.edgesbc.policy.ban.BanReason;
import org.edgesbc.policy.ban.BanStateFile;
import org.edgesbc.policy.ban.BanTable;
import org.edgesbc.policy.cluster.SharedState;
import org.edgesbc.core.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the bans: every ban and release is written on this service's own thread ("sbc-bans", queue bounded at
 * {@value #MAX_QUEUED}), which alone writes the ban file. Bans come from admission (a flooding source, I/O
 * threads), from the relay (failed authentications, scanners) and from operators (admin API); callers hand them over
 * and return at once, so no I/O thread or relay thread ever waits on the disk. A burst of bans is written to the file
 * once, after the last of it.
 *
 * <p>{@link #isBanned} and {@link #list} read the shared {@link BanTable} from any thread without a lock: every I/O
 * thread asks before parsing. A ban takes effect once the ban thread has taken it, microseconds later; a source
 * already banned is not banned again by requests still on the way, so a scanner's next few packets do not escalate
 * its ban.
 *
 * <p>In a cluster every ban and operator's release made here is handed to the {@link SharedState}, and bans and
 * releases of the other nodes arrive through it ({@link SharedState.Listener}) and are applied on the ban thread
 * like local ones, without being sent back.
 */
public final class BanService implements SharedState.Listener, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BanService.class);
    private static final RateLimitedLog WRITE_LOG = new RateLimitedLog(BanService.class.getName());
    /** How often a ban file that could not be written is tried again (the disk may be back). */
    static final Duration RETRY = Duration.ofSeconds(5);
    static final int MAX_QUEUED = 10_000;
    /** How long a source's offences count toward a longer next ban. */
    private static final Duration OFFENCE_MEMORY = Duration.ofDays(7);

    /** Where the bans are kept between runs; the ban file in the daemon. */
    @FunctionalInterface
    public interface BanWriter {
        void write(List<Ban> bans) throws IOException;
    }

    private final BanTable bans;
    /** Owned by the ban thread. */
    private Duration banDuration;
    private final BanWriter writer;
    private final SecurityEventLog events;
    private final SecurityMetrics metrics;
    private final GuardedHandOff handOff;
    private final Clock clock;
    private final DefaultEventExecutor thread;
    private final SharedState shared;
    /** The table changed since the ban file was last written; owned by the ban thread. */
    private boolean unwritten;

    BanService(SecurityConfig config, BanWriter writer, SecurityEventLog events, SecurityMetrics metrics,
            GuardedHandOff handOff, Clock clock, SharedState shared) {
        this.shared = shared;
        this.bans = new BanTable(config.maxBans(), OFFENCE_MEMORY, config.banEscalation(), config.maxBanDuration(),
                clock);
        this.banDuration = config.banDuration();
        this.writer = writer;
        this.events = events;
        this.metrics = metrics;
        this.handOff = handOff;
        this.clock = clock;
        this.thread = ServiceThread.start("sbc-bans", MAX_QUEUED);
        thread.scheduleWithFixedDelay(() -> {
            if (unwritten) {
                persist();
            }
        }, RETRY.toMillis(), RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Restores the bans of the ban file (read here, on the caller's thread, before any ban can be written; corrupt
     * lines are logged and skipped) and starts the ban thread.
     */
    public static BanService start(SecurityConfig config, SecurityEventLog events, SecurityMetrics metrics,
            GuardedHandOff handOff, Clock clock, SharedState shared) throws IOException {
        BanStateFile file = new BanStateFile(config.banStateFile());
        BanStateFile.Loaded loaded = file.read(clock.instant());
        loaded.problems().forEach(p -> LOG.warn("ignored a ban state line: {}", p));
        BanService service = new BanService(config, file::write, events, metrics, handOff, clock, shared);
        loaded.bans().forEach(service.bans::put);
        if (!loaded.bans().isEmpty()) {
            LOG.info("restored {} active bans from {}", loaded.bans().size(), config.banStateFile());
        }
        return service;
    }

    /** Whether {@code source} is banned now. Any thread; one hash probe, no lock. */
    public boolean isBanned(InetAddress source) {
        return bans.isBanned(source);
    }

    /** Active bans, soonest expiry first. Any thread. */
    public List<Ban> list() {
        return bans.list();
    }

    public int activeBans() {
        return bans.size();
    }

    /**
     * Bans {@code source} for the configured duration, escalated for repeat offenders, on the ban thread: the ban, its
     * security event and the ban file. Any thread; returns at once (a full queue is counted by the hand-off and the
     * source is banned at its next offence).
     *
     * @param counters the counters and thresholds that tripped the ban, for the event
     */
    public void ban(InetAddress source, String zone, SecurityRule rule, BanReason reason, Map<String, Object> counters) {
        handOff.execute(HandOff.BAN, thread, () -> {
            if (bans.isBanned(source)) {
                return;
            }
            Ban ban = bans.ban(source, reason, counters.toString(), banDuration);
            metrics.decision(rule, "ban");
            Map<String, Object> all = new LinkedHashMap<>(counters);
            all.put("offences", ban.offences());
            events.emit(new SecurityEvent(ban.created(), source.getHostAddress(), zone, null, rule.name(),
                    reason.name().toLowerCase(Locale.ROOT), all, "ban", ban.expires()));
            LOG.warn("banned {} until {}: {} {}", source.getHostAddress(), ban.expires(), rule, counters);
            shared.banMade(ban);
            changed();
        });
    }

    /**
     * New ban duration and escalation for bans made from now on (a configuration reload), applied on the ban thread
     * behind the bans already queued; bans in force keep their expiry. The table's bound and the ban file stay those
     * of the start.
     */
    public void reconfigure(SecurityConfig config) {
        handOff.execute(HandOff.BAN, thread, () -> {
            banDuration = config.banDuration();
            bans.replaceEscalation(config.banEscalation(), config.maxBanDuration());
        });
    }

    /** An operator's ban, done on the ban thread; the future completes once it is in force. */
    public CompletableFuture<Ban> banByOperator(InetAddress source, Duration duration, String note) {
        return handOff.submit(HandOff.BAN, thread, () -> {
            Instant now = clock.instant();
            Ban ban = new Ban(source, BanReason.MANUAL, note, now, now.plus(duration), 1);
            bans.put(ban);
            metrics.decision(SecurityRule.MANUAL, "ban");
            events.emit(new SecurityEvent(now, source.getHostAddress(), null, null, SecurityRule.MANUAL.name(), note,
                    Map.of(), "ban", ban.expires()));
            shared.banMade(ban);
            changed();
            return ban;
        });
    }

    /** An operator lifts a ban, on the ban thread; the future tells whether there was one. */
    public CompletableFuture<Boolean> releaseByOperator(InetAddress source) {
        return handOff.submit(HandOff.BAN, thread, () -> {
            boolean removed = bans.remove(source);
            if (removed) {
                events.emit(new SecurityEvent(clock.instant(), source.getHostAddress(), null, null,
                        SecurityRule.MANUAL.name(), "released by operator", Map.of(), "unban", null));
                changed();
            }
            // Told to the other nodes even when this one had no ban: the source may be banned there.
            shared.banLifted(source);
            return removed;
        });
    }

    /**
     * One failure of {@code source} toward a threshold counted across the nodes of a cluster (nothing on a single
     * node): when all nodes together reach {@code threshold} within {@code window}, the source is banned here like
     * by a local count, and the ban reaches the other nodes. Any thread; returns at once.
     */
    public void failureAcrossNodes(SharedState.FailureKind kind, InetAddress source, String zone, Duration window,
            int threshold, SecurityRule rule, BanReason reason) {
        if (!shared.sharesState()) {
            return;
        }
        shared.failure(kind, source, window, threshold, () -> ban(source, zone, rule, reason, Map.of(
                "failures_across_nodes", threshold, "threshold", threshold, "window_seconds", window.toSeconds())));
    }

    // ------------------------------------------------------------- from the other nodes (SharedState.Listener)

    /** Another node's ban: in force here too unless a ban of the source already lasts as long. */
    @Override
    public void banArrived(Ban ban) {
        handOff.execute(HandOff.BAN, thread, () -> {
            Ban current = bans.get(ban.source());
            if (ban.activeAt(clock.instant()) && (current == null || current.expires().isBefore(ban.expires()))) {
                bans.put(ban);
                LOG.info("banned {} until {}: {} on another node", ban.source().getHostAddress(), ban.expires(),
                        ban.reason());
                changed();
            }
        });
    }

    /** An operator lifted a ban on another node: a ban of the source made before that ends here too. */
    @Override
    public void banLifted(InetAddress source, Instant liftedAt) {
        handOff.execute(HandOff.BAN, thread, () -> {
            Ban current = bans.get(source);
            if (current != null && !current.created().isAfter(liftedAt) && bans.remove(source)) {
                LOG.info("ban of {} lifted on another node", source.getHostAddress());
                changed();
            }
        });
    }

    @Override
    public List<Ban> localBans() {
        return bans.list();
    }

    /** On the ban thread: the table changed; the file follows once no further change is queued behind this one. */
    private void changed() {
        if (thread.pendingTasks() == 0) {
            persist();
        }
    }

    /** Writes the ban file; when that fails, counts it, logs it once per interval and tries again later. */
    private void persist() {
        try {
            writer.write(bans.list());
            if (unwritten) {
                LOG.info("the ban file is written again");
            }
            unwritten = false;
        } catch (IOException e) {
            unwritten = true;
            metrics.stateWriteFailed(StateFile.BANS);
            WRITE_LOG.error("ban-file", "cannot write the ban file: {}; the bans stay in force in memory and the "
                    + "file is tried again every {} s", e.toString(), RETRY.toSeconds());
        }
    }

    /** Takes no further bans, applies the queued ones and writes the ban file a last time, on the ban thread. */
    @Override
    public void close() {
        handOff.execute(HandOff.BAN, thread, this::persist);
        ServiceThread.stop(thread);
    }
}
