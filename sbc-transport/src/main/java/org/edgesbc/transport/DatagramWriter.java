package org.edgesbc.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DatagramPacket;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The sends of every thread over one UDP listener socket, written on the socket's I/O thread in one flush. Relay
 * threads send from off the I/O thread; one task and one flush per datagram cost the I/O thread a wake-up and a
 * {@code sendto} each. Gathered here, whatever queued while the I/O thread was busy goes out with one task and one
 * flush, which Netty's epoll transport turns into one {@code sendmmsg} when more than one datagram is waiting.
 */
final class DatagramWriter {
    /**
     * Datagrams one drain writes before it lets the I/O thread read again (the kernel takes at most 1,024 per
     * {@code sendmmsg}).
     */
    static final int MAX_PER_DRAIN = 1024;
    /**
     * Datagrams waiting at most: far above what the relay threads produce between two turns of the I/O thread; a
     * send beyond it is counted as failed, as the kernel would drop it from a full socket buffer.
     */
    static final int MAX_QUEUED = 65_536;

    private final Channel channel;
    private final TransportMetrics metrics;
    private final Queue<DatagramPacket> queued = new ConcurrentLinkedQueue<>();
    private final AtomicInteger queuedCount = new AtomicInteger();
    /** Set while a drain is on the I/O thread's task queue, so that a burst of sends asks for one. */
    private final AtomicBoolean drainPending = new AtomicBoolean();
    private final Runnable drain = this::drain;
    private final ChannelFutureListener countOutcome;

    DatagramWriter(Channel channel, TransportMetrics metrics) {
        this.channel = channel;
        this.metrics = metrics;
        this.countOutcome = f -> {
            if (f.isSuccess()) {
                metrics.messageSent(SipTransport.UDP);
            } else {
                metrics.sendFailed(SipTransport.UDP);
            }
        };
    }

    void send(DatagramPacket packet) {
        if (!channel.isActive() || queuedCount.get() >= MAX_QUEUED) {
            // Closed: the SBC stops while a relay thread still works off its queue, and a write now would fail on
            // the I/O thread's shut-down loop, which Netty logs as an error each time.
            packet.release();
            metrics.sendFailed(SipTransport.UDP);
            return;
        }
        queuedCount.incrementAndGet();
        queued.add(packet);
        askForDrain();
    }

    private void askForDrain() {
        if (drainPending.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(drain);
            } catch (RejectedExecutionException stopped) {
                // The loop shut down between the check above and now: nothing queued will be written.
                drainPending.set(false);
                discardQueued();
            }
        }
    }

    private void drain() {
        // Cleared before taking: a send that queues after this point asks for the next drain, so none is stranded.
        drainPending.set(false);
        int written = 0;
        DatagramPacket packet;
        while (written < MAX_PER_DRAIN && (packet = queued.poll()) != null) {
            queuedCount.decrementAndGet();
            channel.write(packet).addListener(countOutcome);
            written++;
        }
        if (written > 0) {
            channel.flush();
        }
        if (written == MAX_PER_DRAIN && !queued.isEmpty()) {
            // What queued before this drain began asked for no other: ask for the next one here.
            askForDrain();
        }
    }

    private void discardQueued() {
        DatagramPacket packet;
        while ((packet = queued.poll()) != null) {
            queuedCount.decrementAndGet();
            packet.release();
            metrics.sendFailed(SipTransport.UDP);
        }
    }
}
