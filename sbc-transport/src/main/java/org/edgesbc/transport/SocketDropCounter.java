package org.edgesbc.transport;

import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.unix.RawUnixChannelOption;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.LongSupplier;

/**
 * The kernel's count of the datagrams one UDP socket's full receive queue dropped, read with {@code getsockopt}'s
 * {@code SO_MEMINFO} (socket(7)): one system call for this socket alone, where {@code /proc/net/udp} writes out every
 * UDP socket of the namespace ({@link UdpReceiveDrops}, the loss watch's reader, 247 ms of CPU with 19,000 media
 * sockets open). Linux epoll channels only: Java's own channels offer no such option.
 */
final class SocketDropCounter {
    private static final int SOL_SOCKET = 1;
    private static final int SO_MEMINFO = 55;
    /** {@code SK_MEMINFO_DROPS}, the ninth of the counters {@code SO_MEMINFO} fills (linux/sock_diag.h). */
    private static final int SK_MEMINFO_DROPS = 8;
    private static final RawUnixChannelOption MEMINFO =
            new RawUnixChannelOption("SO_MEMINFO", SOL_SOCKET, SO_MEMINFO, (SK_MEMINFO_DROPS + 1) * Integer.BYTES);

    private SocketDropCounter() {
    }

    /**
     * The drop count of {@code channel}'s socket, read afresh at each call (a 32-bit counter that wraps), or null when
     * the channel has no such count to read.
     */
    static LongSupplier of(Channel channel) {
        if (!(channel instanceof EpollDatagramChannel)) {
            return null;
        }
        return () -> {
            ByteBuffer meminfo = channel.config().getOption(MEMINFO).order(ByteOrder.nativeOrder());
            return Integer.toUnsignedLong(meminfo.getInt(SK_MEMINFO_DROPS * Integer.BYTES));
        };
    }
}
