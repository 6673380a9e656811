package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Both readers of the kernel's drop counts: the table of every socket, and one socket's own count. */
class UdpReceiveDropsTest {
    /** Sockets nobody reads, each sent more than its queue holds: their counts summed, as the kernel tables them. */
    @Test
    void sumsWhatTheKernelDroppedAtEachListenerSocketsFullQueue() throws Exception {
        assumeTrue(Epoll.isAvailable(), "Linux's native transport");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel full = bind(group, () -> new EpollDatagramChannel(SocketProtocolFamily.INET));
            Channel other = bind(group, () -> new EpollDatagramChannel(SocketProtocolFamily.INET));
            UdpReceiveDrops drops = new UdpReceiveDrops(List.of(full, other));
            assertThat(drops.read()).isZero();

            send(full, 200);
            send(other, 300);

            assertThat(drops.read()).as("the datagrams past the queues' room").isGreaterThan(300)
                    .isEqualTo(tableDrops(full) + tableDrops(other));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aSocketThatCannotTellLeavesNoCount() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel jdk = bind(group, () -> new NioDatagramChannel(SocketProtocolFamily.INET));
            assertThat(new UdpReceiveDrops(List.of(jdk)).read()).isEqualTo(-1);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /** One socket's own count, read at each call, is the count the kernel tables for it. */
    @Test
    void aSocketsOwnCountIsTheOneTheKernelTablesForIt() throws Exception {
        assumeTrue(Epoll.isAvailable(), "Linux's native transport");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        try {
            Channel full = bind(group, () -> new EpollDatagramChannel(SocketProtocolFamily.INET));
            LongSupplier drops = UdpReceiveDrops.counter(full);
            assertThat(drops.getAsLong()).isZero();

            send(full, 200);
            long afterFirst = drops.getAsLong();
            send(full, 100);

            assertThat(afterFirst).as("the datagrams past the queue's room").isGreaterThan(100);
            assertThat(drops.getAsLong()).isEqualTo(afterFirst + 100).isEqualTo(tableDrops(full));
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @Test
    void aJdkChannelHasNoCountOfItsOwn() throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            assertThat(UdpReceiveDrops.counter(bind(group, () -> new NioDatagramChannel(SocketProtocolFamily.INET))))
                    .isNull();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    /**
     * An IPv4 socket on loopback that reads nothing, its receive queue a few datagrams long (a dual-stack one would
     * be in the IPv6 table, under ::ffff:127.0.0.1).
     */
    private static Channel bind(EventLoopGroup group, Supplier<Channel> kind) {
        return new Bootstrap().group(group).channelFactory(kind::get)
                .option(ChannelOption.SO_RCVBUF, 4096)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInboundHandlerAdapter())
                .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    }

    private static void send(Channel to, int datagrams) throws IOException {
        try (DatagramChannel sender = DatagramChannel.open(StandardProtocolFamily.INET)) {
            for (int i = 0; i < datagrams; i++) {
                sender.send(ByteBuffer.allocate(512), to.localAddress());
            }
        }
    }

    /** The socket's drops as {@code /proc/net/udp} prints them: the last word of its line. */
    private static long tableDrops(Channel socket) throws IOException {
        assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "the table's address form read here");
        String local = String.format(Locale.ROOT, "0100007F:%04X", ((InetSocketAddress) socket.localAddress())
                .getPort());
        for (String line : Files.readAllLines(Path.of("/proc/net/udp"))) {
            String[] words = line.trim().split(" +");
            if (words.length > 2 && words[1].equals(local)) {
                return Long.parseLong(words[words.length - 1]);
            }
        }
        throw new AssertionError("no line for " + local + " in /proc/net/udp");
    }
}
