package org.edgesbc.core.relay;

import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * A relay shard's timers, as a hashed wheel of {@link #TICK_NANOS} slots turned by the shard's own thread when a timer
 * is due ({@link #nextDueTick}). A call sets a dozen timers and cancels most of them (a retransmission answered, a
 * guard passed), and each finished transaction keeps one for 64×T1 to absorb retransmissions: at a few thousand calls
 * per second hundreds of thousands are set at once. A binary heap of scheduled tasks (the executor's own) costs
 * O(log n) per set and per cancel and about a hundred bytes per timer with its wrapper; here both are O(1), a timer is
 * one small node of a slot's doubly linked list, and a cancelled one leaves it at once.
 *
 * <p>A timer never fires early and at most one tick late once its shard's thread is free. A slot holds the timers
 * whose deadline falls on it in any turn; one whose deadline is a later turn stays in it until then (a 64×T1 timer
 * is looked at a few times). Timers due at the same tick fire in the order they were set.
 */
final class TimerWheel {
    static final long TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    /** 1,024 slots of 10 ms: a turn is about 10 s. */
    static final int SLOTS = 1 << 10;

    private final ShardTimer[] slots = new ShardTimer[SLOTS];
    private final BiConsumer<String, Runnable> run;
    /** The last tick whose slot was looked at; a timer set now is due after it. */
    private long lastTick;
    private int size;

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

    /**
     * Puts {@code timer} in its slot; one due at a tick already looked at is due at the next one. Returns the tick it
     * is due at, {@link Long#MAX_VALUE} for a timer cancelled before it was added (left out).
     */
    long add(ShardTimer timer) {
        if (timer.task == null) {
            return Long.MAX_VALUE;
        }
        long tick = Math.max(timer.deadlineTick, lastTick + 1);
        link(timer, (int) (tick & (SLOTS - 1)));
        return tick;
    }

    /**
     * The first tick after the last one looked at when a timer in the wheel is due, looking at most {@code horizon}
     * ticks ahead: the horizon's last tick when none is due before it, {@link Long#MAX_VALUE} when the wheel holds
     * none. Walks the slots up to the first due timer, the timers of later turns in them included.
     */
    long nextDueTick(int horizon) {
        if (size == 0) {
            return Long.MAX_VALUE;
        }
        long last = lastTick + horizon;
        for (long tick = lastTick + 1; tick < last; tick++) {
            for (ShardTimer timer = slots[(int) (tick & (SLOTS - 1))]; timer != null; timer = timer.next) {
                if (timer.deadlineTick <= tick) {
                    return tick;
                }
            }
        }
        return last;
    }

    /** Timers in the wheel: set and neither fired nor cancelled. */
    int size() {
        return size;
    }

    private void link(ShardTimer timer, int slot) {
        timer.wheel = this;
        timer.slot = slot;
        timer.prev = null;
        timer.next = slots[slot];
        if (timer.next != null) {
            timer.next.prev = timer;
        }
        slots[slot] = timer;
        size++;
    }

    /** Takes {@code timer} out of its slot (it is in this wheel). */
    void unlink(ShardTimer timer) {
        if (timer.prev != null) {
            timer.prev.next = timer.next;
        } else {
            slots[timer.slot] = timer.next;
        }
        if (timer.next != null) {
            timer.next.prev = timer.prev;
        }
        timer.wheel = null;
        timer.prev = null;
        timer.next = null;
        size--;
    }

    /** Fires every timer due by {@code nowNanos}, slot by slot in order of their ticks. */
    void advance(long nowNanos) {
        long now = Math.floorDiv(nowNanos, TICK_NANOS);
        long first = Math.max(lastTick + 1, now - SLOTS + 1);
        for (long tick = first; tick <= now; tick++) {
            // Timers set by the tasks fired below are due after this tick, never in the list being walked.
            lastTick = tick;
            // Due timers leave the slot before any of them runs: a task may cancel another one due now, or set one.
            ShardTimer due = null;
            ShardTimer timer = slots[(int) (tick & (SLOTS - 1))];
            while (timer != null) {
                ShardTimer next = timer.next;
                if (timer.deadlineTick <= tick) {
                    unlink(timer);
                    timer.next = due;
                    due = timer;
                }
                timer = next;
            }
            while (due != null) {
                ShardTimer next = due.next;
                due.next = null;
                Runnable task = due.task;
                if (task != null) {
                    due.task = null;
                    run.accept(due.what, task);
                }
                due = next;
            }
        }
        lastTick = Math.max(lastTick, now);
    }
}
