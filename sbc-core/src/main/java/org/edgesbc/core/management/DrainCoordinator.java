package org.edgesbc.core.management;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Graceful drain of the SBC before it stops. Phases, in order and never back:
 * <ol>
 *   <li>{@link Phase#SERVING}: calls are taken;</li>
 *   <li>{@link Phase#DRAINING} from {@link #start}: {@code /ready} answers 503, new calls are refused (emergency
 *       calls excepted) and phones get short registrations; calls in progress go on;</li>
 *   <li>{@link Phase#ENDING_CALLS} once the drain timeout passed with calls left: answered ones are ended with BYE
 *       on both sides, ringing ones cancelled, and those requests get up to {@code grace} to finish;</li>
 *   <li>{@link Phase#DRAINED} as soon as no dialog is left, or the grace passed: {@link #drained()} completes and the
 *       owner stops the SBC.</li>
 * </ol>
 * The coordinator reads only the relay's dialog gauge and hands every order to the relay, which takes it to the
 * shards' threads. Its checks run on the {@code ticks} the owner schedules; {@link #tick} is the whole state machine
 * and runs on that one thread. {@link #start}, {@link #draining} and {@link #status} may be called from any thread.
 */
public final class DrainCoordinator {
    private static final Logger LOG = LoggerFactory.getLogger(DrainCoordinator.class);

    /** Where the drain stands. */
    public enum Phase { SERVING, DRAINING, ENDING_CALLS, DRAINED }

    /** What the drain acts on: the relay and the registrar, as the daemon wires them. */
    public interface Target {
        /** Refuses new calls (emergency calls excepted) and shortens the registrations granted from now on. */
        void refuseNewCalls();

        /** Dialogs in progress now (a gauge that may lag a message or two). */
        int activeCalls();

        /** Ends every call (BYE both ways, or CANCEL while ringing), naming {@code reason}; completes with how many. */
        CompletableFuture<Integer> endAllCalls(String reason);
    }

    /** A snapshot for the admin API: the phase, the trigger, and the calls left. */
    public record Status(Phase phase, String trigger, long secondsToTimeout, int activeCalls) { }

    private final Target target;
    private final long timeoutNanos;
    private final long graceNanos;
    private final LongSupplier nanoClock;
    private final Consumer<Runnable> ticks;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile Phase phase = Phase.SERVING;
    private volatile String trigger;
    private volatile long timeoutAtNanos;
    private long graceEndsAtNanos;

    /**
     * @param timeout how long calls in progress may go on once the drain starts
     * @param grace how long the BYEs sent at the timeout may take before the drain completes anyway
     * @param nanoClock monotonic nanoseconds; a manual clock in tests
     * @param ticks schedules {@link #tick} to run periodically on one thread, once, when the drain starts
     */
    public DrainCoordinator(Target target, Duration timeout, Duration grace, LongSupplier nanoClock,
            Consumer<Runnable> ticks) {
        this.target = target;
        this.timeoutNanos = timeout.toNanos();
        this.graceNanos = grace.toNanos();
        this.nanoClock = nanoClock;
        this.ticks = ticks;
    }

    /**
     * Starts draining; a second call changes nothing and answers the same future.
     *
     * @param why what asked for it, for the log ("SIGTERM", "admin API")
     * @return completes when the drain is over: no call left, or the timeout and its grace passed
     */
    public CompletableFuture<Void> start(String why) {
        synchronized (this) {
            if (phase != Phase.SERVING) {
                return drained;
            }
            trigger = why;
            timeoutAtNanos = nanoClock.getAsLong() + timeoutNanos;
            phase = Phase.DRAINING;
        }
        target.refuseNewCalls();
        LOG.info("SBC draining ({}): new calls are refused with 503, phones get short registrations; {} call(s) in "
                + "progress may go on for up to {} s", why, target.activeCalls(), timeoutNanos / 1_000_000_000L);
        ticks.accept(this::tick);
        return drained;
    }

    /** Whether a drain has started: {@code /ready} answers 503 and {@code sbc_draining} is 1 from then on. */
    public boolean draining() {
        return phase != Phase.SERVING;
    }

    /** Completes when a drain, however started, is over. */
    public CompletableFuture<Void> drained() {
        return drained;
    }

    public Status status() {
        Phase now = phase;
        long left = now == Phase.SERVING ? 0
                : Math.max(0, (timeoutAtNanos - nanoClock.getAsLong()) / 1_000_000_000L);
        return new Status(now, trigger, left, target.activeCalls());
    }

    /** One check of the drain: on the ticking thread only. */
    void tick() {
        Phase current = phase;
        if (current == Phase.SERVING || current == Phase.DRAINED) {
            return;
        }
        long now = nanoClock.getAsLong();
        int active = target.activeCalls();
        if (active == 0) {
            finish("no call left");
        } else if (current == Phase.DRAINING && now - timeoutAtNanos >= 0) {
            phase = Phase.ENDING_CALLS;
            graceEndsAtNanos = now + graceNanos;
            LOG.warn("drain timeout passed with {} call(s) in progress: ending them (BYE on both sides, CANCEL while "
                    + "ringing)", active);
            target.endAllCalls("drain-timeout").whenComplete((ended, failure) -> {
                if (failure != null) {
                    LOG.error("drain: not every relay shard took the order to end its calls: {}",
                            failure.toString());
                }
            });
        } else if (current == Phase.ENDING_CALLS && now - graceEndsAtNanos >= 0) {
            finish(active + " dialog(s) still open after the BYEs' grace; they end with the process");
        }
    }

    private void finish(String how) {
        phase = Phase.DRAINED;
        LOG.info("SBC drained: {}", how);
        drained.complete(null);
    }
}
