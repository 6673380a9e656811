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
 * times out, and either ends the dialog; one that never reached the relay is retransmitted by its sender for 64*T1
 * (RFC 3261 §17.1.2.2, Timer F) and then given up, and the SBC would keep the call (its toll-fraud slot, its record)
 * until the maximum call duration. Two places lose such a BYE unseen: the kernel, at the SIP socket's full receive
 * queue, and admission, over a trunk's, PBX's or office's packet budget (an access source's budget drops a phone's
 * own flood). So the count of both is read every few seconds, and once it has stood still for 64*T1 after growing
 * (every retransmission that got through has arrived by then), the calls answered before the last growth was seen
 * are asked once whether their dialogs still exist ({@code zones[].keepalive}, default {@code after-loss}). An
 * overload that loses signalling leaves no stuck call behind, and a quiet SBC sends nothing.
 */
public final class SignallingLossWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SignallingLossWatch.class);
    /** How often the count is read at most: the check that follows a loss waits 64*T1 anyway, four reads at least. */
    static final Duration READ_INTERVAL = Duration.ofSeconds(5);

    private final LongSupplier lost;
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
     * @param lost the SIP datagrams lost so far (see the class comment)
     * @param atStart what {@code lost} read at the start: losses before it are not this run's
     * @param settle 64*T1: how long the count stands still before the calls are asked
     * @param checkCallsAnsweredBefore asks the calls answered before the instant given; completes with how many
     */
    SignallingLossWatch(LongSupplier lost, long atStart, Clock clock, LongSupplier nanos, Duration settle,
            Function<Instant, CompletableFuture<Integer>> checkCallsAnsweredBefore,
            ScheduledExecutorService reader) {
        this.lost = lost;
        this.clock = clock;
        this.nanos = nanos;
        this.settleNanos = settle.toNanos();
        this.checkCallsAnsweredBefore = checkCallsAnsweredBefore;
        this.reader = reader;
        this.seen = atStart;
    }

    /** Reads the count on a thread of its own. */
    public static SignallingLossWatch start(LongSupplier lost, Clock clock, Duration settle,
            Function<Instant, CompletableFuture<Integer>> checkCallsAnsweredBefore) {
        ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "sbc-loss-watch");
            thread.setDaemon(true);
            return thread;
        });
        SignallingLossWatch watch = new SignallingLossWatch(lost, lost.getAsLong(), clock, System::nanoTime, settle,
                checkCallsAnsweredBefore, reader);
        long every = Math.max(1, Math.min(READ_INTERVAL.toMillis(), settle.toMillis() / 4));
        reader.scheduleWithFixedDelay(watch::readGuarded, every, every, TimeUnit.MILLISECONDS);
        return watch;
    }

    private void readGuarded() {
        try {
            read();
        } catch (RuntimeException e) {
            // A failed read must not end the schedule: the next one may succeed.
            LOG.warn("reading the count of lost SIP datagrams failed", e);
        }
    }

    /** One read of the count: notes a loss, or asks the calls once a loss has settled. */
    void read() {
        long now = lost.getAsLong();
        if (now > seen) {
            if (lossSeenAt == null) {
                LOG.warn("{} SIP datagram(s) lost (dropped at the SIP sockets' full receive queues or over a peer's "
                        + "packet budget); calls answered until the losses stop are asked whether they still exist "
                        + "{} s after", now - seen, settleNanos / 1_000_000_000L);
            }
            lossSeenAt = clock.instant();
            lossSeenNanos = nanos.getAsLong();
        } else if (lossSeenAt != null && nanos.getAsLong() - lossSeenNanos >= settleNanos) {
            Instant cutoff = lossSeenAt;
            lossSeenAt = null;
            checkCallsAnsweredBefore.apply(cutoff).whenComplete((asked, failure) -> {
                if (failure == null) {
                    LOG.info("asking {} call(s) answered before {} whether they still exist, after SIP datagrams "
                            + "were lost", asked, cutoff);
                } else {
                    LOG.warn("asking the calls answered before {} whether they still exist failed", cutoff, failure);
                }
            });
        }
        seen = now;
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }
}
