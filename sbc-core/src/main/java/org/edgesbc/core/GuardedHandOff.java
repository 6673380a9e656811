package org.edgesbc.core;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Supplier;

/**
 * The one way work crosses from one thread to another: a task for another thread's executor (a relay shard, the
 * ban thread, the toll-fraud thread) is handed over here, and whatever goes wrong on the way is counted in
 * {@link HandOffMetrics} under the hand-off's name and logged through a rate limiter: a queue that is full (or shut
 * down) rejecting the task, or the task throwing on the other side. Nothing is lost silently and nothing a peer can
 * provoke fills the log. Thread-safe; one instance serves the whole daemon.
 */
public final class GuardedHandOff {
    private final HandOffMetrics metrics;
    private final RateLimitedLog log = new RateLimitedLog("org.edgesbc.handoff");

    public GuardedHandOff(HandOffMetrics metrics) {
        this.metrics = metrics;
    }

    /**
     * Hands {@code task} to {@code executor}.
     *
     * @return false when the executor refused the task (counted and logged); the caller decides what the refusal
     *     means (answer 503, fall back, or try again later)
     */
    public boolean execute(HandOff handOff, Executor executor, Runnable task) {
        try {
            executor.execute(guard(handOff, task));
            return true;
        } catch (RejectedExecutionException e) {
            metrics.failed(handOff, HandOffMetrics.Failure.REJECTED);
            log.warn(handOff.name(), "hand-off {} refused: the receiving queue is full or shut down", handOff);
            return false;
        }
    }

    /**
     * Hands {@code task} to {@code executor} for a result the caller waits for (with a timeout of its own choosing).
     * The future fails when the executor refuses the task or the task throws; both are counted and logged.
     */
    public <T> CompletableFuture<T> submit(HandOff handOff, Executor executor, Supplier<T> task) {
        CompletableFuture<T> result = new CompletableFuture<>();
        boolean accepted = execute(handOff, executor, () -> {
            try {
                result.complete(task.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
                throw e;
            }
        });
        if (!accepted) {
            result.completeExceptionally(new RejectedExecutionException("hand-off " + handOff + " refused"));
        }
        return result;
    }

    /**
     * {@code task} as it should run on the receiving thread: a failure is counted and logged instead of vanishing
     * into the executor (or ending a periodic schedule). For tasks a thread schedules on itself.
     */
    public Runnable guard(HandOff handOff, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                metrics.failed(handOff, HandOffMetrics.Failure.THREW);
                log.error(handOff.name(), "task of hand-off {} failed", handOff, e);
            }
        };
    }
}
