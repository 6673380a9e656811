package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UdpBacklogTest {
    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final UdpBacklog backlog = new UdpBacklog(4, now::get);
    private final EmbeddedChannel channel = new EmbeddedChannel(backlog);

    @Test
    void burstsThatDrainTheSocketNeverCountAsBehind() {
        for (int i = 0; i < 50; i++) {
            burst(3);
            now.addAndGet(10 * MS);
        }
        assertThat(backlog.behind(now.get())).isFalse();
        assertThat(channel.inboundMessages()).hasSize(150);
    }

    @Test
    void aSocketLeftUndrainedPastTheLimitIsBehindUntilABurstDrainsIt() {
        burst(4);
        now.addAndGet(UdpBacklog.UNDRAINED_LIMIT_NANOS - MS);
        burst(4);
        assertThat(backlog.behind(now.get())).as("undrained for less than the limit").isFalse();
        now.addAndGet(MS);
        burst(4);
        assertThat(backlog.behind(now.get())).as("undrained since the first full burst").isTrue();
        burst(2);
        assertThat(backlog.behind(now.get())).as("a short burst found the socket empty").isFalse();
    }

    @Test
    void howLongTheSocketHasStayedUndrainedIsZeroOnceABurstDrainsIt() {
        assertThat(backlog.undrainedFor(now.get())).isZero();
        burst(4);
        now.addAndGet(30 * MS);
        burst(4);
        assertThat(backlog.undrainedFor(now.get() + 5 * MS)).isEqualTo(35 * MS);
        burst(3);
        assertThat(backlog.undrainedFor(now.get())).isZero();
    }

    @Test
    void theUndrainedTimeCountsFromTheFirstFullBurstAfterADrainedOne() {
        burst(4);
        now.addAndGet(UdpBacklog.UNDRAINED_LIMIT_NANOS * 3);
        burst(1);
        burst(4);
        now.addAndGet(UdpBacklog.UNDRAINED_LIMIT_NANOS / 2);
        assertThat(backlog.behind(now.get())).isFalse();
    }

    @Test
    void aStreakOfFullBurstsThatStoppedLongAgoDoesNotMakeALaterDatagramLate() {
        burst(4);
        now.addAndGet(UdpBacklog.UNDRAINED_LIMIT_NANOS);
        burst(4);
        assertThat(backlog.behind(now.get())).isTrue();
        // The last full burst emptied the socket exactly; nothing was read for seconds until a new datagram came.
        now.addAndGet(5_000 * MS);
        channel.pipeline().fireChannelRead("datagram");
        assertThat(backlog.behind(now.get())).as("its burst did not continue the streak").isFalse();
    }

    @Test
    void fullBurstsOfDatagramsThatAdmissionDropsAreAFloodNotABacklog() {
        for (int i = 0; i < 50; i++) {
            burst(4, 1);
            now.addAndGet(10 * MS);
        }
        assertThat(backlog.behind(now.get())).as("a flood admission drops queues no work").isFalse();
        burst(4, 2);
        now.addAndGet(UdpBacklog.UNDRAINED_LIMIT_NANOS);
        burst(4, 3);
        assertThat(backlog.behind(now.get())).as("bursts of admitted work").isTrue();
    }

    @Test
    void theHandlersAfterItSeeWhetherTheBurstTheyEndEmptiedTheSocket() {
        List<Boolean> seen = new ArrayList<>();
        channel.pipeline().addLast(new ChannelInboundHandlerAdapter() {
            @Override
            public void channelReadComplete(ChannelHandlerContext ctx) {
                seen.add(backlog.burstDrained());
            }
        });

        burst(3);
        burst(4);
        burst(1);

        assertThat(seen).containsExactly(true, false, true);
    }

    private void burst(int datagrams) {
        burst(datagrams, datagrams);
    }

    private void burst(int datagrams, int admitted) {
        for (int i = 0; i < datagrams; i++) {
            channel.pipeline().fireChannelRead("datagram");
            if (i < admitted) {
                backlog.admitted();
            }
        }
        channel.pipeline().fireChannelReadComplete();
    }
}
