package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.socket.DatagramPacket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class UdpBacklogTest {
    private static final long MS = 1_000_000L;
    private final AtomicLong now = new AtomicLong(1_000 * MS);
    private final UdpBacklog backlog = new UdpBacklog(4, now::get, wait -> { }, bound -> null, channel -> null);
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
        fullBurstsFor(UdpBacklog.WAIT_LIMIT_NANOS - 2 * MS);
        assertThat(backlog.behind(now.get())).as("undrained for less than the limit").isFalse();
        fullBurstsFor(2 * MS);
        assertThat(backlog.behind(now.get())).as("undrained since the first full burst").isTrue();
        burst(2);
        assertThat(backlog.behind(now.get())).as("a short burst found the socket empty").isFalse();
    }

    @Test
    void howLongTheSocketHasStayedUndrainedIsZeroOnceABurstDrainsIt() {
        assertThat(backlog.waitFor(now.get())).isZero();
        burst(4);
        fullBurstsFor(30 * MS);
        assertThat(backlog.waitFor(now.get() + 5 * MS)).isEqualTo(35 * MS);
        burst(3);
        assertThat(backlog.waitFor(now.get())).isZero();
    }

    @Test
    void theUndrainedTimeCountsFromTheFirstFullBurstAfterADrainedOne() {
        burst(4);
        now.addAndGet(UdpBacklog.WAIT_LIMIT_NANOS * 3);
        burst(1);
        burst(4);
        now.addAndGet(UdpBacklog.WAIT_LIMIT_NANOS / 2);
        assertThat(backlog.behind(now.get())).isFalse();
    }

    @Test
    void aStreakOfFullBurstsThatStoppedLongAgoDoesNotMakeALaterDatagramLate() {
        burst(4);
        fullBurstsFor(UdpBacklog.WAIT_LIMIT_NANOS);
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
        fullBurstsFor(UdpBacklog.WAIT_LIMIT_NANOS);
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

    /**
     * A thread that reads full bursts for longer than the limit but whose probes come back within milliseconds keeps
     * up; once its probe stays out past the limit it is behind, as a queue that grows makes it.
     */
    @Test
    void theProbeTellsAThreadThatKeepsUpFromAQueueThatGrows() throws IOException {
        List<Long> waits = new ArrayList<>();
        try (DatagramChannel queue = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            queue.configureBlocking(false);
            UdpBacklog probed = new UdpBacklog(4, now::get, waits::add,
                    bound -> QueueWaitProbe.open(queue.getLocalAddress()), channel -> null);
            EmbeddedChannel listener = new EmbeddedChannel(probed);
            fullBurst(listener, null);
            long streak = 2 * UdpBacklog.WAIT_LIMIT_NANOS;
            for (long elapsed = 0; elapsed < streak; elapsed += 2 * MS) {
                now.addAndGet(2 * MS);
                fullBurst(listener, QueueWaitProbeTest.receive(queue, 20));
            }

            assertThat(waits).as("every probe came back after the 2 ms between bursts").isNotEmpty()
                    .allMatch(wait -> wait == 2 * MS);
            assertThat(probed.waitFor(now.get())).isLessThanOrEqualTo(2 * MS);
            assertThat(probed.behind(now.get())).as("full bursts for twice the limit, probes back in 2 ms").isFalse();

            // The next burst takes in whatever probe was in flight, and sends one stamped with its time.
            now.addAndGet(UdpBacklog.PROBE_INTERVAL_NANOS);
            fullBurst(listener, QueueWaitProbeTest.receive(queue, 20));
            long lastSent = now.get();
            for (long elapsed = 0; elapsed < UdpBacklog.WAIT_LIMIT_NANOS; elapsed += 2 * MS) {
                now.addAndGet(2 * MS);
                fullBurst(listener, null);
            }
            assertThat(probed.waitFor(now.get())).as("the probe in flight has waited since it was sent")
                    .isEqualTo(now.get() - lastSent);
            assertThat(probed.behind(now.get())).isTrue();

            now.addAndGet(2 * MS);
            fullBurst(listener, QueueWaitProbeTest.receive(queue));
            assertThat(waits.get(waits.size() - 1)).isEqualTo(now.get() - lastSent);
            assertThat(probed.behind(now.get())).as("the probe back measured the wait").isTrue();

            listener.pipeline().fireChannelRead("datagram");
            listener.pipeline().fireChannelReadComplete();
            assertThat(probed.waitFor(now.get())).as("a short burst emptied the queue").isZero();
            assertThat(listener.inboundMessages()).as("probes stay with the backlog")
                    .allMatch(String.class::isInstance);
            listener.finishAndReleaseAll();
        }
    }

    /**
     * A thread kept from its socket for 150 ms under load (a collector pause) comes back to a queue as long as the
     * pause; its first probe then waits behind all of it, which says nothing about the load. Up to the limit, the
     * stall is taken off the wait: the drain that follows is not shed, a queue that keeps growing is, one limit later.
     */
    @Test
    void aStallOfTheThreadUnderLoadIsTakenOffTheWaitUpToTheLimit() throws IOException {
        try (DatagramChannel queue = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            EmbeddedChannel listener = probedListener(queue);
            UdpBacklog probed = listener.pipeline().get(UdpBacklog.class);
            for (int i = 0; i < 10; i++) {
                now.addAndGet(MS);
                burst(listener, 1, 1);
            }

            now.addAndGet(150 * MS);
            fullBurst(listener, null);
            long probeSent = now.get();
            for (long elapsed = 0; elapsed < 198 * MS; elapsed += 2 * MS) {
                now.addAndGet(2 * MS);
                fullBurst(listener, null);
                assertThat(probed.behind(now.get())).as("%d ms after the stall, the probe still out", elapsed / MS)
                        .isFalse();
            }
            assertThat(probed.waitFor(now.get())).isEqualTo(now.get() - probeSent - UdpBacklog.WAIT_LIMIT_NANOS);
            now.addAndGet(2 * MS);
            fullBurst(listener, null);
            assertThat(probed.behind(now.get())).as("the probe out for the stall and the limit").isTrue();

            burst(listener, 1, 1);
            now.addAndGet(MS);
            fullBurst(listener, null);
            now.addAndGet(UdpBacklog.WAIT_LIMIT_NANOS);
            assertThat(probed.behind(now.get())).as("the stall counted for its streak only").isTrue();
            listener.finishAndReleaseAll();
        }
    }

    /**
     * Full bursts after a socket that had a datagram every 50 ms are a load that came at once, not a stall: a thread
     * waiting for datagrams was not kept from any. Their wait counts whole.
     */
    @Test
    void aLoadThatArrivesAtOnceOnAQuietSocketIsNoStall() throws IOException {
        try (DatagramChannel queue = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            EmbeddedChannel listener = probedListener(queue);
            UdpBacklog probed = listener.pipeline().get(UdpBacklog.class);
            for (int i = 0; i < 3; i++) {
                now.addAndGet(50 * MS);
                burst(listener, 1, 1);
            }

            now.addAndGet(150 * MS);
            fullBurst(listener, null);
            for (long elapsed = 0; elapsed < UdpBacklog.WAIT_LIMIT_NANOS; elapsed += 2 * MS) {
                now.addAndGet(2 * MS);
                fullBurst(listener, null);
            }
            assertThat(probed.behind(now.get())).isTrue();
            listener.finishAndReleaseAll();
        }
    }

    /**
     * A full buffer holds less than the limit's worth of datagrams: every probe comes back 80 ms after it was sent,
     * while the kernel drops what arrives meanwhile. The wait alone never reaches the limit; the drops counted while
     * the thread reads on make the socket behind, and a read that finds no new drops ends that.
     */
    @Test
    void aQueueThatOverflowsWhileItIsReadIsBehindThoughItsProbesComeBackWithinTheLimit() throws IOException {
        AtomicLong drops = new AtomicLong();
        try (DatagramChannel queue = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            EmbeddedChannel listener = probedListener(queue, drops);
            UdpBacklog probed = listener.pipeline().get(UdpBacklog.class);
            ProbesHeldBack probes = new ProbesHeldBack(listener, queue, 80 * MS, drops);

            probes.fullBurstsFor(3 * UdpBacklog.WAIT_LIMIT_NANOS, 0);
            assertThat(probed.waitFor(now.get())).as("probes back after 80 ms, nothing dropped")
                    .isLessThan(UdpBacklog.WAIT_LIMIT_NANOS);

            probes.fullBurstsFor((UdpBacklog.OVERFLOWING_SPANS - 1) * UdpBacklog.OVERFLOW_CHECK_NANOS, 25);
            assertThat(probed.behind(now.get())).as("drops in one span fewer than it takes").isFalse();
            probes.fullBurstsFor(UdpBacklog.OVERFLOW_CHECK_NANOS + 2 * MS, 25);
            assertThat(probed.behind(now.get())).as("drops in every span while the thread reads on").isTrue();
            probes.fullBurstsFor(UdpBacklog.WAIT_LIMIT_NANOS, 25);
            assertThat(probed.behind(now.get())).isTrue();

            probes.fullBurstsFor(2 * UdpBacklog.OVERFLOW_CHECK_NANOS + 2 * MS, 0);
            assertThat(probed.behind(now.get())).as("a whole span without drops").isFalse();
            listener.finishAndReleaseAll();
        }
    }

    /**
     * A thread kept from its socket under load finds it overflowed: those drops are the stall's, and the drain that
     * follows drops nothing. Drops that go on while it reads on are an overload, however many stalls came between.
     */
    @Test
    void dropsDuringAStallOfTheThreadAreTheStallsOwn() throws IOException {
        AtomicLong drops = new AtomicLong();
        try (DatagramChannel queue = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            EmbeddedChannel listener = probedListener(queue, drops);
            UdpBacklog probed = listener.pipeline().get(UdpBacklog.class);
            ProbesHeldBack probes = new ProbesHeldBack(listener, queue, 2 * MS, drops);
            probes.fullBurstsFor(UdpBacklog.OVERFLOW_CHECK_NANOS + 2 * MS, 0);

            now.addAndGet(150 * MS);
            drops.addAndGet(5_000);
            for (long read = 0; read < 3 * UdpBacklog.OVERFLOW_CHECK_NANOS; read += 2 * MS) {
                probes.fullBurstsFor(2 * MS, 0);
                assertThat(probed.behind(now.get())).as("%d ms after the stall that dropped", read / MS).isFalse();
            }

            for (int stall = 0; stall < UdpBacklog.OVERFLOWING_SPANS; stall++) {
                probes.fullBurstsFor(2 * UdpBacklog.OVERFLOW_CHECK_NANOS + 2 * MS, 25);
                now.addAndGet(150 * MS);
            }
            probes.fullBurstsFor(2 * UdpBacklog.OVERFLOW_CHECK_NANOS + 2 * MS, 25);
            assertThat(probed.behind(now.get())).as("drops while it reads, stalls between").isTrue();
            listener.finishAndReleaseAll();
        }
    }

    @Test
    void anOverflowEndsWithTheStreakAndIsNotAFloodsThatAdmissionDrops() throws IOException {
        AtomicLong drops = new AtomicLong();
        try (DatagramChannel queue = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            EmbeddedChannel listener = probedListener(queue, drops);
            UdpBacklog probed = listener.pipeline().get(UdpBacklog.class);
            ProbesHeldBack probes = new ProbesHeldBack(listener, queue, 2 * MS, drops);
            probes.fullBurstsFor((UdpBacklog.OVERFLOWING_SPANS + 2) * UdpBacklog.OVERFLOW_CHECK_NANOS, 25);
            assertThat(probed.behind(now.get())).isTrue();

            burst(listener, 1, 1);
            assertThat(probed.behind(now.get())).as("a burst emptied the socket").isFalse();

            for (long read = 0; read < 2 * UdpBacklog.OVERFLOWING_SPANS * UdpBacklog.OVERFLOW_CHECK_NANOS;
                    read += 2 * MS) {
                now.addAndGet(2 * MS);
                drops.addAndGet(25);
                burst(listener, 4, 1);
            }
            assertThat(probed.behind(now.get())).as("a flood that admission drops overflows the socket").isFalse();
            listener.finishAndReleaseAll();
        }
    }

    /**
     * A thread preempted for a few milliseconds while the buffer is at its top lets a few datagrams drop; every other
     * span between two reads of the count holds such drops, the spans between them none.
     */
    @Test
    void dropsInSpansApartAreNoOverflow() throws IOException {
        AtomicLong drops = new AtomicLong();
        try (DatagramChannel queue = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            EmbeddedChannel listener = probedListener(queue, drops);
            UdpBacklog probed = listener.pipeline().get(UdpBacklog.class);
            ProbesHeldBack probes = new ProbesHeldBack(listener, queue, 2 * MS, drops);
            long twoSpans = 2 * UdpBacklog.OVERFLOW_CHECK_NANOS;
            for (long read = 2 * MS; read <= UdpBacklog.OVERFLOWING_SPANS * twoSpans; read += 2 * MS) {
                probes.fullBurstsFor(2 * MS, read % twoSpans == twoSpans / 4 ? 40 : 0);
                assertThat(probed.behind(now.get())).as("%d ms in", read / MS).isFalse();
            }
            listener.finishAndReleaseAll();
        }
    }

    /**
     * Full bursts every 2 ms on a probed listener whose probes are held back {@code delay} after they were sent
     * before they are read (the wait each measures), while the kernel counts {@code drops}.
     */
    private final class ProbesHeldBack {
        private final EmbeddedChannel listener;
        private final DatagramChannel queue;
        private final long delay;
        private final AtomicLong drops;
        private DatagramPacket held;
        private long heldSince;

        ProbesHeldBack(EmbeddedChannel listener, DatagramChannel queue, long delay, AtomicLong drops) {
            this.listener = listener;
            this.queue = queue;
            this.delay = delay;
            this.drops = drops;
        }

        /** Reads for {@code nanos}, the kernel dropping {@code dropsPerBurst} datagrams between bursts. */
        void fullBurstsFor(long nanos, long dropsPerBurst) throws IOException {
            for (long read = 0; read < nanos; read += 2 * MS) {
                now.addAndGet(2 * MS);
                drops.addAndGet(dropsPerBurst);
                DatagramPacket due = null;
                if (held != null && now.get() - heldSince >= delay) {
                    due = held;
                    held = null;
                }
                fullBurst(listener, due);
                if (held == null) {
                    held = QueueWaitProbeTest.receive(queue, 0);
                    heldSince = now.get();
                }
            }
        }
    }

    /**
     * A listener whose probes go to {@code queue}, one of them already brought back, so that its waits are measured;
     * its socket drained.
     */
    private EmbeddedChannel probedListener(DatagramChannel queue) throws IOException {
        return probedListener(queue, null);
    }

    /** The same, its socket's drop count {@code drops} (none when null). */
    private EmbeddedChannel probedListener(DatagramChannel queue, AtomicLong drops) throws IOException {
        queue.configureBlocking(false);
        EmbeddedChannel listener = new EmbeddedChannel(new UdpBacklog(4, now::get, wait -> { },
                bound -> QueueWaitProbe.open(queue.getLocalAddress()), channel -> drops == null ? null : drops::get));
        probeOnce(listener, queue);
        return listener;
    }

    private void probeOnce(EmbeddedChannel listener, DatagramChannel queue) throws IOException {
        fullBurst(listener, null);
        now.addAndGet(MS);
        fullBurst(listener, QueueWaitProbeTest.receive(queue));
        now.addAndGet(MS);
        burst(listener, 1, 1);
    }

    @Test
    void aDatagramShapedLikeAProbeFromAnotherSourceGoesOnToAdmission() throws IOException {
        try (DatagramChannel queue = DatagramChannel.open().bind(new InetSocketAddress("127.0.0.1", 0))) {
            UdpBacklog probed = new UdpBacklog(4, now::get, wait -> { },
                    bound -> QueueWaitProbe.open(queue.getLocalAddress()), channel -> null);
            EmbeddedChannel listener = new EmbeddedChannel(probed);
            DatagramPacket lookalike = new DatagramPacket(Unpooled.wrappedBuffer(new byte[QueueWaitProbe.PROBE_BYTES]),
                    (InetSocketAddress) queue.getLocalAddress(), new InetSocketAddress("127.0.0.9", 5060));

            listener.writeInbound(lookalike);

            assertThat((Object) listener.readInbound()).isSameAs(lookalike);
            lookalike.release();
            listener.finishAndReleaseAll();
        }
    }

    /** One burst at the limit of 4: {@code probe}, when there is one, and admitted datagrams. */
    private static void fullBurst(EmbeddedChannel listener, DatagramPacket probe) {
        UdpBacklog backlog = listener.pipeline().get(UdpBacklog.class);
        for (int i = probe == null ? 0 : 1; i < 4; i++) {
            listener.pipeline().fireChannelRead("datagram");
            backlog.admitted();
        }
        if (probe != null) {
            listener.pipeline().fireChannelRead(probe);
        }
        listener.pipeline().fireChannelReadComplete();
        listener.inboundMessages().clear();
    }

    /** A thread that reads full bursts without a break for {@code nanos}, one every 2 ms. */
    private void fullBurstsFor(long nanos) {
        for (long read = 0; read < nanos; read += 2 * MS) {
            now.addAndGet(2 * MS);
            burst(4);
        }
    }

    private void burst(int datagrams) {
        burst(datagrams, datagrams);
    }

    private void burst(int datagrams, int admitted) {
        burst(channel, datagrams, admitted);
    }

    /** One burst of {@code datagrams} on {@code listener}, the first {@code admitted} of them admitted. */
    private static void burst(EmbeddedChannel listener, int datagrams, int admitted) {
        UdpBacklog backlog = listener.pipeline().get(UdpBacklog.class);
        for (int i = 0; i < datagrams; i++) {
            listener.pipeline().fireChannelRead("datagram");
            if (i < admitted) {
                backlog.admitted();
            }
        }
        listener.pipeline().fireChannelReadComplete();
    }
}
