package org.edgesbc.core.relay;

import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A relay shard's timers, as a hashed wheel of {@link #TICK_NANOS} slots turned by the shard's own thread. A call
 * sets a dozen timers and cancels most of them (a retransmission answered, a guard passed), and each finished
 * transaction keeps one for 64×T1 to absorb retransmissions: at a few thousand calls per second hundreds of
 * thousands are set at once. A binary heap of scheduled tasks (the executor's own) costs O(log n) per set and per
 * cancel and about a hundred bytes per timer with its wrapper; here both are O(1), a timer is one small node, and a
 * cancelled one lets go of its task at once.
 *
 * <p>A timer never fires early and at most one tick late once its shard's thread is free. A slot holds the timers
 * whose deadline falls on it in any turn; one whose deadline is a later turn stays in it until then (a 64×T1 timer
 * is looked at a few times).
 */
final class TimerWheel {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** 1,024 slots of 10 ms: a turn is about 10 s. */
    private static final int SLOTS = 1 << 10;

    private final ShardTimer[] slots = new ShardTimer[SLOTS];
    private final BiConsumer<String, Runnable> run;
    /** The last tick whose slot was looked at; a timer set now is due after it. */
    private long lastTick;

    /** @param run runs a due timer's task, named by what the timer is for */
    TimerWheel(long nowNanos, BiConsumer<String, Runnable> run) {
        this.run = run;
        this.lastTick = Math.floorDiv(nowNanos, TICK_NANOS);
    }

    /** A timer for {@code task} due {@code delayNanos} after {@code nowNanos}, not yet in the wheel. */
    ShardTimer timer(String what, Runnable task, long nowNanos, long delayNanos) {
        long due = -Math.floorDiv(-(nowNanos + Math.max(0, delayNanos)), TICK_NANOS);
        return new ShardTimer(what, task, due);
    }

    /** Puts {@code timer} in its slot; one due at a tick already looked at is due at the next one. */
    void add(ShardTimer timer) {
        if (timer.task == null) {
            return;
        }
        int slot = (int) (Math.max(timer.deadlineTick, lastTick + 1) & (SLOTS - 1));
        timer.next = slots[slot];
        slots[slot] = timer;
    }

    /** Fires every timer due by {@code nowNanos}, slot by slot in order of their ticks. */
    void advance(long nowNanos) {
        long now = Math.floorDiv(nowNanos, TICK_NANOS);
        long first = Math.max(lastTick + 1, now - SLOTS + 1);
        for (long tick = first; tick <= now; tick++) {
            // Timers set by the tasks fired below are due after this tick, never in the list being walked.
            lastTick = tick;
            int slot = (int) (tick & (SLOTS - 1));
            ShardTimer timer = slots[slot];
            slots[slot] = null;
            while (timer != null) {
                ShardTimer next = timer.next;
                Runnable task = timer.task;
                if (task != null) {
                    if (timer.deadlineTick <= tick) {
                        timer.task = null;
                        timer.next = null;
                        run.accept(timer.what, task);
                    } else {
                        timer.next = slots[slot];
                        slots[slot] = timer;
                    }
                } else {
                    timer.next = null;
                }
                timer = next;
            }
        }
        lastTick = Math.max(lastTick, now);
    }
}
