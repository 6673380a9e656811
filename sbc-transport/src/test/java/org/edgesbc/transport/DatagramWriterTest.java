package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The embedded channel's loop runs its tasks only when told to, which stands for an I/O thread busy reading while
 * relay threads send.
 */
class DatagramWriterTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.1", 5080);

    private final FlushCounter flushes = new FlushCounter();
    private final EmbeddedChannel channel = new EmbeddedChannel(flushes);
    private final CountingTransportMetrics metrics = new CountingTransportMetrics();
    private final DatagramWriter writer = new DatagramWriter(channel, metrics);

    @AfterEach
    void releaseWhatWasWritten() {
        channel.finishAndReleaseAll();
    }

    @Test
    void sendsMadeWhileTheLoopIsBusyGoOutInOrderWithOneFlush() {
        for (int i = 0; i < 5; i++) {
            writer.send(packet("m" + i));
        }
        assertThat(written()).as("nothing before the loop runs").isEmpty();

        channel.runPendingTasks();

        assertThat(written()).containsExactly("m0", "m1", "m2", "m3", "m4");
        assertThat(flushes.count).isEqualTo(1);
        assertThat(metrics.count("messageSent", SipTransport.UDP)).isEqualTo(5);
    }

    @Test
    void aSendAfterADrainAsksForAnother() {
        writer.send(packet("first"));
        channel.runPendingTasks();
        writer.send(packet("second"));
        channel.runPendingTasks();

        assertThat(written()).containsExactly("first", "second");
        assertThat(flushes.count).isEqualTo(2);
    }

    @Test
    void aDrainWritesAtMostItsShareAndLeavesTheRestToTheNext() {
        int sends = DatagramWriter.MAX_PER_DRAIN + 10;
        for (int i = 0; i < sends; i++) {
            writer.send(packet("m" + i));
        }
        channel.runPendingTasks();

        assertThat(flushes.count).as("one drain per share, each flushed once").isEqualTo(2);
        List<String> written = written();
        assertThat(written).hasSize(sends);
        assertThat(written.get(sends - 1)).isEqualTo("m" + (sends - 1));
    }

    @Test
    void sendsBeyondTheQueueBoundAreCountedAsFailedAndNeverWritten() {
        for (int i = 0; i < DatagramWriter.MAX_QUEUED + 3; i++) {
            writer.send(packet("m"));
        }
        assertThat(metrics.count("sendFailed", SipTransport.UDP)).isEqualTo(3);

        channel.runPendingTasks();

        assertThat(metrics.count("messageSent", SipTransport.UDP)).isEqualTo(DatagramWriter.MAX_QUEUED);
        writer.send(packet("after"));
        channel.runPendingTasks();
        assertThat(metrics.count("messageSent", SipTransport.UDP)).as("the bound frees up as the queue drains")
                .isEqualTo(DatagramWriter.MAX_QUEUED + 1);
    }

    @Test
    void aSendOnAClosedChannelIsCountedAsFailedAndReleased() {
        channel.close();
        DatagramPacket packet = packet("late");

        writer.send(packet);

        assertThat(packet.refCnt()).isZero();
        assertThat(metrics.count("sendFailed", SipTransport.UDP)).isEqualTo(1);
        assertThat(metrics.count("messageSent", SipTransport.UDP)).isZero();
    }

    private static DatagramPacket packet(String text) {
        return new DatagramPacket(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII), PEER);
    }

    private List<String> written() {
        List<String> texts = new ArrayList<>();
        DatagramPacket packet;
        while ((packet = channel.readOutbound()) != null) {
            assertThat(packet.recipient()).isEqualTo(PEER);
            texts.add(packet.content().toString(StandardCharsets.US_ASCII));
            packet.release();
        }
        return texts;
    }

    private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            count++;
            ctx.flush();
        }
    }
}
