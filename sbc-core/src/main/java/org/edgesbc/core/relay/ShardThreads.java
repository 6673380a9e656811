package org.edgesbc.core.relay;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.List;

/**
 * The threads the relay shards run on: threads of their own, one per shard, or the SIP transport's I/O event loops.
 *
 * <p>On their own threads, a message that finds its shard busy crosses from the I/O thread that read it to the
 * shard's thread and every answer back: a queue, a wake-up of a parked thread, an eventfd write to wake the I/O
 * thread. A message that finds its shard idle is relayed by the I/O thread in the shard's place
 * ({@link ShardExecutor}), with no thread woken. On the I/O loops, a message read by the loop that owns its shard is
 * always relayed in the same turn of that loop and its sends leave in the loop's next flush, at the price of one core
 * per I/O thread doing both jobs (docs/performance.md).
 */
public final class ShardThreads {
    private final List<EventExecutor> executors;
    private final boolean borrowed;

    private ShardThreads(List<EventExecutor> executors, boolean borrowed) {
        this.executors = executors;
        this.borrowed = borrowed;
    }

    /** {@code count} shards, each on a thread of its own, its queue bounded as {@link RelayShard} bounds it. */
    public static ShardThreads own(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("a relay needs at least one shard, was " + count);
        }
        DefaultThreadFactory threads = new DefaultThreadFactory("sbc-relay", false);
        List<EventExecutor> executors = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            executors.add(new ShardExecutor(threads, RelayShard.MAX_QUEUED_MESSAGES));
        }
        return new ShardThreads(List.copyOf(executors), false);
    }

    /**
     * One shard on each of {@code loops}, which stay their owner's to shut down. Their task queues are the
     * transport's (unbounded): messages are still bounded per shard ({@link RelayShard#admit}); the other hand-offs
     * to a shard are bounded by what causes them (calls the shard admitted, requests to the management API).
     */
    public static ShardThreads onLoops(List<EventExecutor> loops) {
        if (loops.isEmpty()) {
            throw new IllegalArgumentException("no event loops to run the relay on");
        }
        return new ShardThreads(List.copyOf(loops), true);
    }

    int count() {
        return executors.size();
    }

    EventExecutor executor(int shard) {
        return executors.get(shard);
    }

    /** Whether the threads are the relay's to shut down. */
    boolean owned() {
        return !borrowed;
    }
}
