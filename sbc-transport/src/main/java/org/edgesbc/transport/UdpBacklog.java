package org.edgesbc.transport;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Whether the I/O thread keeps up with its UDP socket, judged on the thread itself. Java sees neither the depth nor
 * the age of the kernel's receive queue, but it sees how each read burst ends: a burst that stops at its datagram
 * limit left datagrams in the socket, one that stops short found it empty. A socket left undrained burst after burst
 * for {@link #UNDRAINED_LIMIT_NANOS} means the thread has been behind that long and every datagram in the queue
 * waits longer: new dialogs are shed from then until a burst drains the socket, before the buffer overflows and
 * the callers' retransmissions multiply the load (the relay's own queue-age signal comes only after that wait).
 * Only a burst mostly of admitted datagrams counts: a flood that admission drops keeps the socket busy without
 * queueing work, and shedding calls then would hand the flooder the denial of service it is after.
 *
 * <p>First in a UDP listener's pipeline, one per channel; touched only on the channel's I/O thread.
 */
final class UdpBacklog extends ChannelInboundHandlerAdapter {
    /**
     * How long a socket may stay undrained before new dialogs are shed: T1/5, the wait the relay also accepts for a
     * new INVITE. Short enough that a queue growing from the arrival of overload is refused within a fraction of
     * Timer A; long enough that the backlog a collector pause leaves behind is read without refusing anyone.
     */
    static final long UNDRAINED_LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long DRAINED = Long.MIN_VALUE;

    private final int datagramsPerBurst;
    private final LongSupplier nanoClock;
    private int burst;
    private int admitted;
    private long undrainedSince = DRAINED;
    private long lastBurstEnded;
    /** When the burst being read started: its first datagram may have waited behind the last one's streak. */
    private long burstStarted;

    /**
     * @param datagramsPerBurst the read limit of one wake-up (the allocator's messages per read): a burst that
     *        reached it was stopped by it
     */
    UdpBacklog(int datagramsPerBurst, LongSupplier nanoClock) {
        this.datagramsPerBurst = datagramsPerBurst;
        this.nanoClock = nanoClock;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object datagram) {
        if (burst++ == 0) {
            burstStarted = nanoClock.getAsLong();
        }
        ctx.fireChannelRead(datagram);
    }

    /** The burst ends once every handler after this one is done with it (the sink gets its messages then). */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.fireChannelReadComplete();
        burstEnded(nanoClock.getAsLong());
    }

    /** A datagram of the current burst passed admission (its source is in a zone, not banned, within budget). */
    void admitted() {
        admitted++;
    }

    void burstEnded(long now) {
        if (burstDrained() || 2 * admitted < burst) {
            undrainedSince = DRAINED;
        } else if (undrainedSince == DRAINED) {
            undrainedSince = now;
        }
        burst = 0;
        admitted = 0;
        lastBurstEnded = now;
    }

    /** Whether the burst being read, once done, emptied the socket: it stopped short of its datagram limit. */
    boolean burstDrained() {
        return burst < datagramsPerBurst;
    }

    /** Whether the socket has stayed undrained past the limit as of {@code now} (see {@link #undrainedFor}). */
    boolean behind(long now) {
        return undrainedFor(now) >= UNDRAINED_LIMIT_NANOS;
    }

    /**
     * How long the socket has stayed undrained as of {@code now}, read burst after burst; 0 when the last burst
     * drained it, or when the burst being read started so long after the last one (as long as the limit) that it
     * did not continue the streak: a full burst may also have emptied the socket exactly.
     */
    long undrainedFor(long now) {
        if (undrainedSince == DRAINED || burstStarted - lastBurstEnded >= UNDRAINED_LIMIT_NANOS) {
            return 0;
        }
        return now - undrainedSince;
    }
}
