package org.edgesbc.core.relay;

/**
 * One timer of a relay shard, set through {@link ShardLoop#schedule}: a node of the shard's {@link TimerWheel}.
 * Touched only on the shard's thread once set.
 */
final class ShardTimer {
    final String what;
    final long deadlineTick;
    /** What runs when the timer fires; null once it fired or was cancelled, so that nothing it holds stays alive. */
    Runnable task;
    /** The wheel whose slot holds the timer; null while it is in none (not yet added, fired or cancelled). */
    TimerWheel wheel;
    /** The slot of {@link #wheel} that holds it. */
    int slot;
    /** The neighbours in the same slot of the wheel. */
    ShardTimer prev;
    ShardTimer next;

    ShardTimer(String what, Runnable task, long deadlineTick) {
        this.what = what;
        this.task = task;
        this.deadlineTick = deadlineTick;
    }

    /**
     * The timer will not fire, and leaves its slot now: most timers are cancelled within milliseconds of being set
     * (a retransmission answered), and one that stayed in the wheel until its deadline (32 s for Timer B) would
     * outlive young collections and be promoted for nothing.
     */
    void cancel() {
        task = null;
        if (wheel != null) {
            wheel.unlink(this);
        }
    }
}
