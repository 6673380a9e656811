package org.edgesbc.core.relay;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOff;
import org.edgesbc.core.RateLimitedLog;

/**
 * The thread of one relay shard, as the shard's layers use it: timers, and work handed in from other threads (the
 * registrar's answers, the media relay's timeouts, the toll-fraud service's verdicts and cuts), which arrives
 * through the daemon's {@link GuardedHandOff}. Everything run here goes through one guard: a failure is counted and
 * logged, never lost in the executor, and the shard's gauges are brought up to date afterwards.
 */
final class ShardLoop {
    private final int index;
    private final EventExecutor executor;
    private final RelayMetrics metrics;
    private final RateLimitedLog log;
    private final GuardedHandOff handOffs;
    private Runnable afterEachTask = () -> { };

    ShardLoop(int index, EventExecutor executor, RelayMetrics metrics, RateLimitedLog log, GuardedHandOff handOffs) {
        this.index = index;
        this.executor = executor;
        this.metrics = metrics;
        this.log = log;
        this.handOffs = handOffs;
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

    ScheduledFuture<?> schedule(String what, Runnable task, long delayMillis) {
        return executor.schedule(guarded(what, task), delayMillis, TimeUnit.MILLISECONDS);
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
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                metrics.dropped(RelayDropReason.INTERNAL_ERROR);
                log.error("internal-error", "shard {} {} failed", index, what, e);
            } finally {
                afterEachTask.run();
            }
        };
    }

    static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }
}
