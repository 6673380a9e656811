package org.edgesbc.core.relay;

import io.netty.util.concurrent.RejectedExecutionHandlers;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;

/**
 * A relay shard's own thread, whose work another thread may do in its place while it is idle. Every task the thread
 * runs, timers included, holds the shard's turn; an I/O thread that finds the turn free takes it and relays the
 * messages it just read itself ({@link #runHere}). A parked thread woken for every message costs more than the
 * message (a futex wake, two context switches, an eventfd write back for the sends: docs/performance.md), so at the
 * rates where shards are mostly idle the messages never leave their I/O thread; under load the shard's thread is
 * busy, the turn taken, and the messages queue for it as before.
 *
 * <p>The shard's state needs no other guard: one thread at a time holds the turn, and taking it orders what the last
 * holder wrote before what the next one reads.
 */
final class ShardExecutor extends SingleThreadEventExecutor {
    private final ReentrantLock turn = new ReentrantLock();

    ShardExecutor(ThreadFactory threads, int maxPendingTasks) {
        super(null, threads, true, maxPendingTasks, RejectedExecutionHandlers.reject());
    }

    @Override
    protected void run() {
        for (;;) {
            Runnable task = takeTask();
            if (task != null) {
                turn.lock();
                try {
                    runTask(task);
                } finally {
                    turn.unlock();
                }
                updateLastExecutionTime();
            }
            if (confirmShutdown()) {
                break;
            }
        }
    }

    /** The tasks left at shutdown run holding the turn too, as an I/O thread may still hold it when it begins. */
    @Override
    protected boolean confirmShutdown() {
        if (!isShuttingDown()) {
            return false;
        }
        turn.lock();
        try {
            return super.confirmShutdown();
        } finally {
            turn.unlock();
        }
    }

    /**
     * Runs {@code task} on the calling thread now if the shard's turn is free and {@code idle} holds once it is
     * taken; false, and nothing run, otherwise.
     */
    boolean runHere(BooleanSupplier idle, Runnable task) {
        if (isShuttingDown() || !turn.tryLock()) {
            return false;
        }
        try {
            if (!idle.getAsBoolean()) {
                return false;
            }
            task.run();
            return true;
        } finally {
            turn.unlock();
        }
    }

    /** Whether the calling thread holds the shard's turn: its own thread running a task, or a thread in its place. */
    boolean holdsTurn() {
        return turn.isHeldByCurrentThread();
    }
}
