package org.edgesbc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long a datagram waits in the UDP socket's receive queue, judged on the I/O thread itself. Two things bound
 * it. Each read burst tells how it ended: one that stops at its datagram limit left datagrams in the socket, one
 * that stops short emptied it, and nothing read during an unbroken streak of full bursts can have waited longer
 * than the streak. Within a streak a {@link QueueWaitProbe} measures the wait itself: a stamped datagram the thread
 * sends to its own socket is read when its turn comes, and while it is in flight it has waited at least as long as
 * it has been gone. A busy thread that keeps up also reads full bursts for seconds, the queue staying short; the
 * probe tells that from a queue that grows.
 *
 * <p>A wait past {@link #WAIT_LIMIT_NANOS} sheds new dialogs, before the buffer overflows and the callers'
 * retransmissions multiply the load (the relay's own queue-age signal comes only after that wait). Only a burst
 * mostly of admitted datagrams counts: a flood that admission drops keeps the socket busy without queueing work, and
 * shedding calls then would hand the flooder the denial of service it is after.
 *
 * <p>A stall of the thread itself is not overload. A collector pause (or the scheduler giving the core away) leaves
 * its length in the queue at any load, and a thread that keeps up then drains it; at 85 % of its capacity that takes
 * several times the pause, and every datagram read meanwhile has waited nearly the pause. Young collections of
 * 118-227 ms on a loaded 2-core machine shed calls at rates the SBC carried (docs/performance.md, "A collector pause
 * is not an overload"). So the time the thread was kept from its socket under load (a burst that starts at least
 * {@link #STALL_NANOS} after the last one ended, where bursts had come closer together) is taken off the wait, up to
 * {@link #WAIT_LIMIT_NANOS} per streak: a queue that grows still crosses the limit, one pause's worth later at most.
 *
 * <p>A queue cannot grow past its buffer, though: once it is full the kernel drops what arrives, and no datagram
 * read from it, the probe included, has waited longer than the buffer holds. In overloads with collector pauses of
 * 120-360 ms every second the probes that came back had waited 60-140 ms on average, under the limit or the 200 ms
 * that the limit and one pause's allowance add to in a streak that never ends, and the socket went unshed for 17 s
 * or more while it dropped 15,000-160,000 datagrams a second (docs/performance.md, "An overflowing socket the
 * backlog did not see").
 * So the socket's own drop count is read too ({@link UdpReceiveDrops#counter}), once a streak has lasted
 * {@link #OVERFLOW_CHECK_NANOS} and then every {@link #OVERFLOW_CHECK_NANOS} at most. A span between two reads
 * without a stall of the thread in it that dropped datagrams dropped them while the thread read on;
 * {@link #OVERFLOWING_SPANS} such spans, with no span between them that dropped nothing (spans with a stall in them
 * count neither way: the drops may be the stall's), are a queue that stays full for a second while it is read. Rules
 * of one or two spans shed calls at rates the SBC carries, after it was stopped for 200 ms or in its first seconds
 * (docs/performance.md). The socket counts as behind until a span drops nothing or a burst empties it.
 *
 * <p>First in a UDP listener's pipeline, one per channel; touched only on the channel's I/O thread.
 */
final class UdpBacklog extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(UdpBacklog.class);

    /**
     * How long a datagram may wait in the socket before new dialogs are shed: T1/5, the wait the relay also accepts
     * for a new INVITE. Short enough that a queue growing from the arrival of overload is refused within a fraction
     * of Timer A; long enough that the backlog a collector pause leaves behind is read without refusing anyone.
     */
    static final long WAIT_LIMIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * A gap between two bursts at least this long, right after one shorter than it, is a stall of the thread: under
     * load a thread that keeps up is back at its socket within the time its tasks take (a few milliseconds), and a
     * pause of the JVM or a lost scheduler slice is what keeps it away longer. After a longer gap the socket was
     * idle, and a full burst then is a load arriving at once, which the wait judges as it is.
     */
    static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** The shortest time between two probes: a queue that empties within it needs no measuring. */
    static final long PROBE_INTERVAL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** How long a streak lasts before the socket's drop count is read, and the shortest span between two reads. */
    static final long OVERFLOW_CHECK_NANOS = WAIT_LIMIT_NANOS;
    /** Spans that dropped, with none between them that did not, before the socket counts as overflowing. */
    static final int OVERFLOWING_SPANS = 10;
    private static final long NEVER = Long.MIN_VALUE;
    private static final long UNREAD = -1;

    private final int datagramsPerBurst;
    private final LongSupplier nanoClock;
    /** Where each wait a probe measured goes (the metrics). */
    private final LongConsumer measuredWaits;
    private final ProbeOpener probeOpener;
    private final DropCounterOpener dropCounterOpener;
    private QueueWaitProbe probe;
    /** The socket's drop count, or null when it has none to read. */
    private LongSupplier socketDrops;
    /** The drop count as last read within the current streak, and when; {@link #UNREAD} when not yet read. */
    private long dropsRead = UNREAD;
    private long dropsReadAt;
    /** Whether the thread stalled since the drop count was last read: drops then may be the stall's. */
    private boolean stalledSinceDropsRead;
    /**
     * Spans since the last one that dropped nothing that dropped datagrams while the thread read on: the socket
     * overflows from {@link #OVERFLOWING_SPANS} on.
     */
    private int droppingSpans;
    private int burst;
    private int admitted;
    private int probesInBurst;
    private long undrainedSince = NEVER;
    private long lastBurstEnded;
    /** When the burst being read started: its datagrams left the socket then. */
    private long burstStarted;
    /** When the probe in flight was sent, or NEVER. */
    private long probeSent = NEVER;
    private long lastProbeSent = NEVER;
    /** The wait the last probe back measured within the current streak. */
    private long measuredWait;
    /** How much of the current streak's wait the thread's own stalls explain, at most the limit. */
    private long stalled;
    /** The gap before the last burst: the thread was busy at its socket when it was short. */
    private long previousGap = Long.MAX_VALUE;

    /**
     * @param datagramsPerBurst the read limit of one wake-up (the allocator's messages per read): a burst that
     *        reached it was stopped by it
     * @param measuredWaits told each wait a probe measured, in nanoseconds
     * @param probeOpener opens the channel's probe once it is bound ({@link QueueWaitProbe#open})
     * @param dropCounterOpener the channel's drop count once it is bound ({@link UdpReceiveDrops#counter})
     */
    UdpBacklog(int datagramsPerBurst, LongSupplier nanoClock, LongConsumer measuredWaits,
            ProbeOpener probeOpener, DropCounterOpener dropCounterOpener) {
        this.datagramsPerBurst = datagramsPerBurst;
        this.nanoClock = nanoClock;
        this.measuredWaits = measuredWaits;
        this.probeOpener = probeOpener;
        this.dropCounterOpener = dropCounterOpener;
        this.lastBurstEnded = nanoClock.getAsLong();
    }

    /** Opens the probe of a socket bound to an address; null when it has none. */
    @FunctionalInterface
    interface ProbeOpener {
        QueueWaitProbe open(SocketAddress bound) throws IOException;
    }

    /** The drop count of a bound channel's socket, or null when it has none. */
    @FunctionalInterface
    interface DropCounterOpener {
        LongSupplier open(Channel channel);
    }

    /** Opens the probe once the socket is bound; without one, the wait is bounded by the streak alone. */
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        socketDrops = dropCounterOpener.open(ctx.channel());
        SocketAddress bound = ctx.channel().localAddress();
        try {
            probe = probeOpener.open(bound);
        } catch (IOException e) {
            withoutProbe("could not be opened on " + bound + " (" + e + ")");
        }
        super.channelActive(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        closeProbe();
        super.channelInactive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object datagram) {
        if (burst++ == 0) {
            burstStarted = nanoClock.getAsLong();
            long gap = burstStarted - lastBurstEnded;
            if (gap >= STALL_NANOS && previousGap < STALL_NANOS) {
                stalled = Math.min(WAIT_LIMIT_NANOS, stalled + gap);
                stalledSinceDropsRead = true;
            }
            previousGap = gap;
        }
        if (probe != null && datagram instanceof DatagramPacket packet) {
            long sent = probe.sentAt(packet);
            if (sent != QueueWaitProbe.NOT_A_PROBE) {
                packet.release();
                probesInBurst++;
                probeSent = NEVER;
                measuredWait = Math.max(0, burstStarted - sent);
                measuredWaits.accept(measuredWait);
                return;
            }
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
        boolean drained = burstDrained();
        if (drained || 2 * admitted < burst - probesInBurst) {
            undrainedSince = NEVER;
            measuredWait = 0;
            stalled = 0;
            dropsRead = UNREAD;
            droppingSpans = 0;
            if (drained && probeSent != NEVER && probeSent < burstStarted) {
                probeMissed();
            }
        } else {
            if (undrainedSince == NEVER) {
                undrainedSince = now;
            }
            if (probe != null && probeSent == NEVER) {
                sendProbe(now);
            }
            long due = dropsRead == UNREAD ? undrainedSince : dropsReadAt;
            if (socketDrops != null && now - due >= OVERFLOW_CHECK_NANOS) {
                readDrops(now);
            }
        }
        burst = 0;
        admitted = 0;
        probesInBurst = 0;
        lastBurstEnded = now;
    }

    private void sendProbe(long now) {
        if (lastProbeSent != NEVER && now - lastProbeSent < PROBE_INTERVAL_NANOS) {
            return;
        }
        try {
            if (probe.send(now)) {
                probeSent = now;
                lastProbeSent = now;
            }
        } catch (IOException e) {
            withoutProbe("failed (" + e + ")");
        }
    }

    private void readDrops(long now) {
        long drops = socketDrops.getAsLong();
        if (drops < 0) {
            LOG.warn("the UDP socket's drop count could no longer be read: an overflowing queue is judged by its wait "
                    + "alone");
            socketDrops = null;
            droppingSpans = 0;
            return;
        }
        if (dropsRead != UNREAD && !stalledSinceDropsRead) {
            droppingSpans = drops != dropsRead ? droppingSpans + 1 : 0;
        }
        dropsRead = drops;
        dropsReadAt = now;
        stalledSinceDropsRead = false;
    }

    /** The queue was emptied and the probe in flight was not in it: dropped, or a sibling socket's to read. */
    private void probeMissed() {
        probeSent = NEVER;
        try {
            if (!probe.missed()) {
                withoutProbe("reached this listener's socket from none of " + QueueWaitProbe.MAX_SOCKETS_TRIED
                        + " probe sockets");
            }
        } catch (IOException e) {
            withoutProbe("could not be replaced (" + e + ")");
        }
    }

    /** Goes on without a probe, for the reason given: the streak of full bursts alone bounds the wait from now on. */
    private void withoutProbe(String why) {
        LOG.warn("UDP queue-wait probe {}: a backlog is judged by its full read bursts alone", why);
        closeProbe();
    }

    private void closeProbe() {
        if (probe != null) {
            try {
                probe.close();
            } catch (IOException e) {
                LOG.debug("closing the queue-wait probe", e);
            }
            probe = null;
        }
    }

    /** Whether the burst being read, once done, emptied the socket: it stopped short of its datagram limit. */
    boolean burstDrained() {
        return burst < datagramsPerBurst;
    }

    /** Whether a datagram arriving at {@code now} waits past the limit (see {@link #waitFor}). */
    boolean behind(long now) {
        return waitFor(now) >= WAIT_LIMIT_NANOS;
    }

    /**
     * How long a datagram arriving at {@code now} waits in the socket beyond what the thread's own stalls explain: 0
     * when the last burst drained it, or when the burst being read started so long after the last one (as long as
     * the limit) that it did not continue the streak (a full burst may also have emptied the socket exactly);
     * otherwise the streak's length, narrowed by the probe once one of its probes came back to this socket, less the
     * streak's stalls. At least the limit while the socket overflows as it is read.
     */
    long waitFor(long now) {
        long judged = 0;
        if (undrainedSince != NEVER && burstStarted - lastBurstEnded < WAIT_LIMIT_NANOS) {
            long wait = now - undrainedSince;
            if (probe != null && probe.cameBack()) {
                long inFlight = probeSent == NEVER ? 0 : now - probeSent;
                wait = Math.min(wait, Math.max(measuredWait, inFlight));
            }
            judged = Math.max(0, wait - stalled);
        }
        return droppingSpans >= OVERFLOWING_SPANS ? Math.max(judged, WAIT_LIMIT_NANOS) : judged;
    }
}
