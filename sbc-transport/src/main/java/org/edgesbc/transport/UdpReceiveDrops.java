package org.edgesbc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.unix.RawUnixChannelOption;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * How many datagrams the kernel dropped at the SIP listeners' full receive queues: each listener socket's own count
 * (every SO_REUSEPORT socket of a listener is one), asked of the socket with {@code SO_MEMINFO}, whose
 * {@code SK_MEMINFO_DROPS} is the count Linux's socket tables print in their last column. Those are the only
 * signalling messages the SBC loses without seeing them.
 *
 * <p>Why not the tables ({@code /proc/net/udp}): they list every UDP socket of the network namespace, the media
 * relay's included, and the kernel took about 0.2 s of CPU to write them out for 19,000 sockets, at every read after
 * any socket of the namespace dropped one; a media relay whose bounded socket queues drop stale audio by design had
 * that every few seconds on the core its media thread shares (docs/performance.md, "The listeners' drops from their
 * own sockets"). A getsockopt per listener socket costs microseconds.
 */
public final class UdpReceiveDrops {
    /** SOL_SOCKET, SO_MEMINFO (Linux 3.6): the socket's SK_MEMINFO_VARS counters, 32 bits each (linux/sock_diag.h). */
    private static final RawUnixChannelOption SO_MEMINFO = new RawUnixChannelOption("SO_MEMINFO", 1, 55,
            9 * Integer.BYTES);
    private static final int SK_MEMINFO_DROPS = 8;

    private final List<Channel> sockets;

    /** @param sockets the UDP listeners' sockets */
    public UdpReceiveDrops(List<? extends Channel> sockets) {
        this.sockets = List.copyOf(sockets);
    }

    /**
     * The drops counted so far at the listeners' sockets, or -1 where a socket cannot tell (a transport other than
     * Linux's native ones, or a socket already closed). Any thread: the loss watch's and a metrics scrape's.
     */
    public long read() {
        long sum = 0;
        for (Channel socket : sockets) {
            long drops = of(socket);
            if (drops < 0) {
                return -1;
            }
            sum += drops;
        }
        return sum;
    }

    /**
     * One socket's count, read afresh at each call (a 32-bit counter that wraps), or null when the socket cannot tell;
     * for its own I/O thread ({@link UdpBacklog}).
     */
    static LongSupplier counter(Channel socket) {
        return of(socket) < 0 ? null : () -> of(socket);
    }

    /** One socket's count, or -1 where it cannot tell. */
    private static long of(Channel socket) {
        ByteBuffer counters;
        try {
            counters = socket.config().getOption(SO_MEMINFO);
        } catch (ChannelException e) {
            return -1;
        }
        if (counters == null || counters.remaining() < (SK_MEMINFO_DROPS + 1) * Integer.BYTES) {
            return -1;
        }
        return Integer.toUnsignedLong(counters.order(ByteOrder.nativeOrder())
                .getInt(counters.position() + SK_MEMINFO_DROPS * Integer.BYTES));
    }
}
