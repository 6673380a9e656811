package org.edgesbc.core;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the calls whose BYE the SBC may have lost. A BYE the SBC relays is retransmitted until it is answered or
 * times out, and either ends the dialog; one that the kernel dropped at the SIP socket's full receive queue is
 * retransmitted by its sender for 64*T1 (RFC 3261 §17.1.2.2, Timer F) and then given up, and the SBC would keep
 * the call (its toll-fraud slot, its record) until the maximum call duration. So the socket's drop count is read
 * every few seconds, and once it has stood still for 64*T1 after growing (every retransmission that got through
 * has arrived by then), the calls answered before the last growth was seen are asked once whether their dialogs
 * still exist ({@code zones[].keepalive}, default {@code after-loss}). An overload that drops datagrams leaves no
 * stuck call behind, and a quiet SBC sends nothing.
 */
public final class SignallingLossWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SignallingLossWatch.class);
    /** How often the count is read at most: the check that follows a loss waits 64*T1 anyway, four reads at least. */
    static final Duration READ_INTERVAL = Duration.ofSeconds(5);

    private final LongSupplier drops;
    private final Clock clock;
    private final LongSupplier nanos;
    private final long settleNanos;
    private final Function<Instant, CompletableFuture<Integer>> checkCallsAnsweredBefore;
    private final ScheduledExecutorService reader;
    private long seen;
    /** When the count was last seen to grow, while a check is due; null otherwise. */
    private Instant lossSeenAt;
    private long lossSeenNanos;

    /**
     * @param drops the datagrams dropped so far at the SIP sockets, or -1 where that cannot be read
     * @param atStart what {@code drops} read at the start: drops before it are no loss
     * @param settle 64*T1: how long the count stands still before the calls are asked
     * @param checkCallsAnsweredBefore asks the calls answered before the instant given; completes with how many
     */
    SignallingLossWatch(LongSupplier drops, long atStart, Clock clock, LongSupplier nanos, Duration settle,
            Function<Instant, CompletableFuture<Integer>> checkCallsAnsweredBefore,
            ScheduledExecutorService reader) {
        this.drops = drops;
        this.clock = clock;
        this.nanos = nanos;
        this.settleNanos = settle.toNanos();
        this.checkCallsAnsweredBefore = checkCallsAnsweredBefore;
        this.reader = reader;
        this.seen = Math.max(0, atStart);
    }

    /** Reads the count on a thread of its own; nothing to watch where it reads -1. */
    public static SignallingLossWatch start(LongSupplier drops, Clock clock, Duration settle,
            Function<Instant, CompletableFuture<Integer>> checkCallsAnsweredBefore) {
        long atStart = drops.getAsLong();
        if (atStart < 0) {
            LOG.info("the SIP sockets' drop count cannot be read here (not Linux's native transport): calls are "
                    + "asked whether they still exist only where a zone sets a keepalive interval");
            return new SignallingLossWatch(drops, atStart, clock, System::nanoTime, settle, checkCallsAnsweredBefore,
                    null);
        }
        ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "sbc-loss-watch");
            thread.setDaemon(true);
            return thread;
        });
        SignallingLossWatch watch = new SignallingLossWatch(drops, atStart, clock, System::nanoTime, settle,
                checkCallsAnsweredBefore, reader);
        long every = Math.max(1, Math.min(READ_INTERVAL.toMillis(), settle.toMillis() / 4));
        reader.scheduleWithFixedDelay(watch::readGuarded, every, every, TimeUnit.MILLISECONDS);
        return watch;
    }

    /** Whether the count can be read here, and so is watched. */
    public boolean watching() {
        return reader != null;
    }

    private void readGuarded() {
        try {
            read();
        } catch (RuntimeException e) {
            // A failed read must not end the schedule: the next one may succeed.
            LOG.warn("reading the SIP sockets' drop count failed", e);
        }
    }

    /** One read of the count: notes a loss, or asks the calls once a loss has settled. */
    void read() {
        long now = drops.getAsLong();
        if (now < 0) {
            return;
        }
        if (now > seen) {
            if (lossSeenAt == null) {
                LOG.warn("the SIP sockets dropped {} datagram(s) at full receive queues; calls answered until the "
                        + "drops stop are asked whether they still exist {} s after", now - seen,
                        settleNanos / 1_000_000_000L);
            }
            lossSeenAt = clock.instant();
            lossSeenNanos = nanos.getAsLong();
        } else if (lossSeenAt != null && nanos.getAsLong() - lossSeenNanos >= settleNanos) {
            Instant cutoff = lossSeenAt;
            lossSeenAt = null;
            checkCallsAnsweredBefore.apply(cutoff).whenComplete((asked, failure) -> {
                if (failure == null) {
                    LOG.info("asking {} call(s) answered before {} whether they still exist, after datagrams were "
                            + "dropped at the SIP sockets", asked, cutoff);
                } else {
                    LOG.warn("asking the calls answered before {} whether they still exist failed", cutoff, failure);
                }
            });
        }
        seen = now;
    }

    @Override
    public void close() {
        if (reader != null) {
            reader.shutdownNow();
        }
    }
}
