package org.edgesbc.core.relay;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.RateLimitedLog;

/**
 * The thread of one relay shard, as the shard's layers use it: timers (a {@link TimerWheel} the thread turns when a
 * timer is due), and work handed in from other threads (the registrar's answers, the media relay's timeouts, the
 * toll-fraud service's verdicts and cuts), which arrives through the daemon's {@link GuardedHandOff}. Everything run
 * here goes through one guard: a failure is counted and logged, never lost in the executor, and the shard's gauges are
 * brought up to date afterwards.
 */
final class ShardLoop {
    /** The longest an idle shard's thread sleeps before it looks at its wheel again: one second of ticks. */
    private static final int WAKE_HORIZON_TICKS = 100;
    private final int index;
    private final EventExecutor executor;
    /** The shard's own thread, which lends its turn; null when the shard runs on an I/O loop. */
    private final ShardExecutor ownThread;
    private final RelayMetrics metrics;
    private final RateLimitedLog log;
    private final GuardedHandOff handOffs;
    private final TimerWheel timers;
    /**
     * The tick the thread is woken at next to turn the wheel, {@link Long#MAX_VALUE} while no wake is set. A wake set
     * for a later tick before an earlier timer came stays scheduled and does nothing when its tick is not this one.
     */
    private long wakeTick = Long.MAX_VALUE;
    private Runnable afterEachTask = () -> { };

    ShardLoop(int index, EventExecutor executor, RelayMetrics metrics, RateLimitedLog log, GuardedHandOff handOffs) {
        this.index = index;
        this.executor = executor;
        this.ownThread = executor instanceof ShardExecutor own ? own : null;
        this.metrics = metrics;
        this.log = log;
        this.handOffs = handOffs;
        this.timers = new TimerWheel(System.nanoTime(), this::runGuarded);
    }

    int index() {
        return index;
    }

    EventExecutor executor() {
        return executor;
    }

    /** Set once, before the first task: what the shard refreshes after each task (its gauges). */
    void afterEachTask(Runnable refresh) {
        this.afterEachTask = refresh;
    }

    /** Runs {@code task} on this shard once {@code delayMillis} passed (up to a tick later). Any thread. */
    ShardTimer schedule(String what, Runnable task, long delayMillis) {
        ShardTimer timer = timers.timer(what, task, System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(delayMillis));
        if (onShard()) {
            wakeAt(timers.add(timer));
        } else {
            executor.execute(() -> wakeAt(timers.add(timer)));
        }
        return timer;
    }

    /**
     * Sets the thread's next wake at {@code tick} unless one is set no later. Waking the thread only when a timer is
     * due, rather than every tick, spares an idle shard a hundred wake-ups a second, each of which took the core from
     * whatever else ran on it (the media thread, in docs/performance.md's "A shard wakes when a timer is due").
     */
    private void wakeAt(long tick) {
        if (tick >= wakeTick) {
            return;
        }
        wakeTick = tick;
        executor.schedule(() -> turn(tick), tick * TimerWheel.TICK_NANOS - System.nanoTime(), TimeUnit.NANOSECONDS);
    }

    /** A wake set for {@code tick}: turns the wheel and sets the next, unless an earlier wake took its place. */
    private void turn(long tick) {
        if (tick != wakeTick) {
            return;
        }
        wakeTick = Long.MAX_VALUE;
        timers.advance(System.nanoTime());
        wakeAt(timers.nextDueTick(WAKE_HORIZON_TICKS));
    }

    /** Whether the calling thread does this shard's work now: its own thread, or a thread in its place. */
    boolean onShard() {
        return ownThread != null ? ownThread.holdsTurn() : executor.inEventLoop();
    }

    /**
     * Runs {@code task}, work of this shard, on the calling thread now if it may: it is the I/O loop the shard runs
     * on, or the shard's own thread is idle and {@code idle} holds once its turn is taken. False, and nothing run,
     * otherwise: the task is to be handed over.
     */
    boolean runHere(BooleanSupplier idle, Runnable task) {
        if (ownThread != null) {
            return ownThread.runHere(idle, task);
        }
        if (!executor.inEventLoop()) {
            return false;
        }
        task.run();
        return true;
    }

    /**
     * Runs {@code task} on this shard, from any thread. A full queue refuses it (counted and logged by the hand-off)
     * and returns false: every caller has a fallback (a timer that answers anyway, a retransmission, a retry).
     */
    boolean handOff(HandOff what, Runnable task) {
        return handOffs.execute(what, executor, guarded(what.name(), task));
    }

    /** {@code task} as work of this shard's thread: failures counted and logged, gauges refreshed afterwards. */
    Runnable guarded(String what, Runnable task) {
        return () -> runGuarded(what, task);
    }

    /** Runs {@code task} now, on this shard's thread, as {@link #guarded} would. */
    void runGuarded(String what, Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            metrics.dropped(RelayDropReason.INTERNAL_ERROR);
            log.error("internal-error", "shard {} {} failed", index, what, e);
        } finally {
            afterEachTask.run();
        }
    }

    /** Cancels {@code timer} if there is one; on the shard's thread. */
    static void cancel(ShardTimer timer) {
        if (timer != null) {
            timer.cancel();
        }
    }
}
