package org.edgesbc.media;

import io.netty.channel.SelectStrategy;
import io.netty.util.IntSupplier;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * How a media loop waits for packets: at most one wait for readiness per {@code interval} while packets keep coming.
 *
 * <p>A relayed RTP stream sends a packet every 20 ms, so a loop relaying a thousand streams sees a packet every
 * 10 µs on average, each on another socket. Waiting for readiness as soon as a packet has been relayed would put
 * the loop to sleep and wake it once per packet, and in a virtual machine the sleep and the wake-up cost more CPU
 * than relaying the packet. So when the loop comes back for more within the interval of its last wait, it first
 * rests for what is left of the interval and then collects every socket that became readable meanwhile in one
 * wait. A loop that is busy for the whole interval never rests; a loop that waited longer than the interval (light
 * traffic) waits again at once. Packets are delayed by at most the interval, far below what a jitter buffer absorbs.
 * Tasks handed to the loop (new calls, SDP changes, timers) are never held back by a rest.
 */
final class PollPacing implements SelectStrategy {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    /** When the loop last went to wait for readiness; loop thread only. */
    private long lastWait;

    PollPacing(long intervalNanos, LongSupplier nanoClock) {
        this.intervalNanos = intervalNanos;
        this.nanoClock = nanoClock;
        this.lastWait = nanoClock.getAsLong() - intervalNanos;
    }

    @Override
    public int calculateStrategy(IntSupplier selectNow, boolean hasTasks) throws Exception {
        if (hasTasks) {
            return selectNow.get();
        }
        long sinceWait = nanoClock.getAsLong() - lastWait;
        if (sinceWait < intervalNanos) {
            LockSupport.parkNanos(intervalNanos - sinceWait);
        }
        lastWait = nanoClock.getAsLong();
        return SelectStrategy.SELECT;
    }
}
