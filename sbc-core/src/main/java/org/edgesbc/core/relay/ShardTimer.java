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
    /** The next timer in the same slot of the wheel. */
    ShardTimer next;

    ShardTimer(String what, Runnable task, long deadlineTick) {
        this.what = what;
        this.task = task;
        this.deadlineTick = deadlineTick;
    }

    /** The timer will not fire; it leaves the wheel when its slot is next looked at. */
    void cancel() {
        task = null;
    }
}
