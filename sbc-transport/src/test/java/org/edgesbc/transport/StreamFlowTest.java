package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StreamFlowTest {
    private final MultiThreadIoEventLoopGroup loops = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
    private final StringBuffer received = new StringBuffer();

    @AfterEach
    void stop() {
        loops.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void aMessageSentOnTheConnectionsLoopLeavesAfterOneAnotherThreadSentBeforeIt() throws Exception {
        LocalAddress address = new LocalAddress("stream-flow-test");
        new ServerBootstrap().group(loops).channel(LocalServerChannel.class)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void channelRead(ChannelHandlerContext ctx, Object msg) {
                        ByteBuf bytes = (ByteBuf) msg;
                        received.append(bytes.toString(StandardCharsets.US_ASCII));
                        bytes.release();
                    }
                })
                .bind(address).sync();
        ChannelFuture connected = new Bootstrap().group(loops).channel(LocalChannel.class)
                .handler(new ChannelInboundHandlerAdapter()).connect(address).sync();
        Channel channel = connected.channel();
        StreamFlow flow = new StreamFlow(SipTransport.TCP, new InetSocketAddress("127.0.0.1", 5060), connected,
                new CountingTransportMetrics());
        CountDownLatch firstQueued = new CountDownLatch(1);
        CountDownLatch secondSent = new CountDownLatch(1);

        // The loop is busy with a task while another thread sends; then, still in that task, the loop sends.
        channel.eventLoop().execute(() -> {
            awaitQuietly(firstQueued);
            flow.send("second".getBytes(StandardCharsets.US_ASCII));
            secondSent.countDown();
        });
        flow.send("first,".getBytes(StandardCharsets.US_ASCII));
        firstQueued.countDown();

        assertThat(secondSent.await(5, TimeUnit.SECONDS)).isTrue();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (received.length() < "first,second".length() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(received.toString()).isEqualTo("first,second");
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
