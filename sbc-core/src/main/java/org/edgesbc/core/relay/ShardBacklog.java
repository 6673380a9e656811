package org.edgesbc.core.relay;

/**
 * What the time a message waited in a relay shard's queue says about the shard (RFC 7339's reasoning: refuse new
 * work early so that the work accepted keeps its share of the CPU):
 *
 * <ul>
 *   <li>longer than T1: its sender has retransmitted by now, the copy behind it will be served, so it is dropped;
 *       </li>
 *   <li>longer than T1/5: the shard is falling behind, and the new INVITE it reads is refused with 503;</li>
 *   <li>longer than 2×T1/5: the shard is falling well behind, and new INVITEs for it are refused on the I/O thread
 *       for T1/5, before they take a queue slot. Twice the relay's own threshold, so that a single pause of the JVM
 *       (a young collection) does not trigger it.</li>
 * </ul>
 * Except while the shard warms up: during its first {@link #WARM_UP_MESSAGES} messages the JIT is still compiling
 * the message path, and a freshly started daemon's first burst waits long in the queue though the shard is about to
 * run several times faster. Refusing then loses the calls of a caller that does not retransmit, and protects no
 * call in progress (there are none yet); the I/O thread's own shedding (a socket it leaves undrained) and the stale
 * drop stay in force. The wait is read on the shard's thread; {@link #shedding} by the I/O threads.
 */
final class ShardBacklog {
    /** Messages a shard reads before its queue's age counts: the JIT compiles a method after about 10,000 calls. */
    static final int WARM_UP_MESSAGES = 20_000;

    /** What to do with the message read. */
    enum Verdict { SERVE, SERVE_BUT_REFUSE_NEW_CALLS, DROP_STALE }

    private final long staleNanos;
    private final long shedNanos;
    private long messages;
    private volatile long shedUntilNanos;

    ShardBacklog(long t1Nanos, long nowNanos) {
        this.staleNanos = t1Nanos;
        this.shedNanos = t1Nanos / 5;
        this.shedUntilNanos = nowNanos;
    }

    /** A message that waited {@code waitedNanos} in the queue is read at {@code nowNanos} (the shard's thread). */
    Verdict read(long waitedNanos, long nowNanos) {
        boolean warm = messages >= WARM_UP_MESSAGES;
        if (!warm) {
            messages++;
        }
        if (warm && waitedNanos > 2 * shedNanos) {
            shedUntilNanos = nowNanos + shedNanos;
        }
        if (waitedNanos > staleNanos) {
            return Verdict.DROP_STALE;
        }
        return warm && waitedNanos > shedNanos ? Verdict.SERVE_BUT_REFUSE_NEW_CALLS : Verdict.SERVE;
    }

    /** Whether new dialogs for the shard are refused before they reach it (any thread). */
    boolean shedding(long nowNanos) {
        return nowNanos - shedUntilNanos < 0;
    }
}
