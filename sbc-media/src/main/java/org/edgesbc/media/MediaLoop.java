package org.edgesbc.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.edgesbc.media.srtp.SrtpContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One media thread: a JDK selector over the UDP sockets of its slot, a task queue other threads hand work to, and
 * one periodic task. Every packet is read into the loop's one direct buffer and sent from it (or from the loop's
 * scratch array after an SRTP transform), so relaying allocates nothing per packet: the JDK's datagram channel
 * keeps the last sender's address per socket, which is all a latched leg ever hears from.
 *
 * <p>Why not a Netty event loop like SIP's: relaying through a channel pipeline allocated a packet envelope, a
 * sender address, buffer slices and a copy per packet, whose young collections stopped the relay for tens of
 * milliseconds on a core of its own, and it cost more CPU per packet than this loop; see docs/performance.md.
 *
 * <p>Selection is level-triggered: a socket with datagrams left after the one read per readiness is reported
 * again at the next select, so one busy socket cannot starve the others.
 *
 * <p>A busy-polling loop never sleeps: it selects without waiting, round after round. In a virtual machine a vCPU
 * that goes idle is given back to the host, and waking it for the next packet can take milliseconds, which shows as
 * latency tails long before the core is busy (see docs/performance.md, "The floor under the media relay"). Polling
 * keeps the vCPU running at the price of its whole core, calls or not: for a core set aside for media.
 */
final class MediaLoop implements Executor {
    /** The largest UDP payload (65,535 less the UDP header): no datagram is cut short. */
    static final int MAX_DATAGRAM = 65_527;
    /**
     * After a select that found fewer sockets ready than this, the loop rests {@link #REST_NANOS} before the next
     * one, so that the packets arriving meanwhile are read in one batch. Each wake-up of a sleeping thread costs
     * more than the packet it was woken for (an inter-processor interrupt and a context switch, dearer still in a
     * virtual machine), and at 50 packets/s per socket a loop woken by every packet spends most of its core on that.
     * A loop finding this many ready goes on at once, so a saturated loop never rests.
     */
    private static final int BATCH_TARGET = 16;
    /** Long enough to gather a batch at tens of thousands of packets/s, short against a 20 ms packet interval. */
    private static final long REST_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final long FAULT_LOG_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final Logger LOG = LoggerFactory.getLogger(MediaLoop.class);

    /** What a socket of the loop does with each datagram it reads; runs on the loop. */
    interface Receiver {
        /**
         * {@code packet} holds the datagram between position and limit, valid only during the call; {@code sender}
         * may be the same instance for every datagram from one address.
         */
        void onDatagram(ByteBuffer packet, InetSocketAddress sender);
    }

    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Set by whoever woke the selector since the loop last looked, so that a burst of tasks wakes it once. */
    private final AtomicBoolean woken = new AtomicBoolean();
    private final ByteBuffer received = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    private final byte[] scratch = new byte[MAX_DATAGRAM + SrtpContext.MAX_GROWTH];
    private final ByteBuffer scratchBuffer = ByteBuffer.wrap(scratch);
    private final long periodNanos;
    private final boolean busyPoll;
    private final Runnable periodic;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    /** Made once: a method reference to the loop would be a new object at every select. */
    private final Consumer<SelectionKey> onReady = this::onReady;
    private volatile boolean running = true;
    private long nextFaultLog = System.nanoTime();
    private long faults;

    /**
     * Starts the loop's thread; {@code periodic} runs on it every {@code periodNanos} (from the end of the last).
     *
     * @param busyPoll select without ever waiting or resting
     */
    MediaLoop(String name, long periodNanos, boolean busyPoll, Runnable periodic) {
        try {
            this.selector = Selector.open();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a selector for " + name, e);
        }
        this.periodNanos = periodNanos;
        this.busyPoll = busyPoll;
        this.periodic = periodic;
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** Queues {@code task} and wakes the loop; refused once the loop stops. */
    @Override
    public void execute(Runnable task) {
        executeLazily(task);
        if (!busyPoll && !inLoop() && woken.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /**
     * Queues {@code task} for the loop's next wake-up without waking it: for work the packet path also does when it
     * needs it. A loop with nothing to read still wakes for its periodic task.
     */
    void executeLazily(Runnable task) {
        if (!running) {
            throw new RejectedExecutionException("media loop " + thread.getName() + " has stopped");
        }
        tasks.add(task);
    }

    /** Runs {@code task} on the loop; the future completes when it has run (exceptionally if it threw). */
    CompletableFuture<Void> submit(Runnable task) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        execute(() -> {
            try {
                task.run();
                done.complete(null);
            } catch (RuntimeException | Error e) {
                done.completeExceptionally(e);
            }
        });
        return done;
    }

    /**
     * On the loop: a non-blocking socket of {@code family} bound to {@code address} and registered for reading,
     * each datagram going to {@code receiver}.
     */
    DatagramChannel bind(ProtocolFamily family, InetSocketAddress address, Receiver receiver)
            throws IOException {
        DatagramChannel channel = DatagramChannel.open(family);
        try {
            channel.configureBlocking(false);
            channel.bind(address);
            channel.register(selector, SelectionKey.OP_READ, receiver);
            return channel;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * On the loop, after closing sockets of its own: makes the selector let go of them, which is when the JDK
     * closes their descriptors and so frees their ports. Datagrams waiting on the others are relayed meanwhile.
     */
    void releaseClosed() throws IOException {
        selector.selectNow(onReady);
    }

    /** The loop's array for packets that must be rewritten (SRTP), with room for the growth of a protect. */
    byte[] scratch() {
        return scratch;
    }

    /** On the loop: sends {@code length} bytes of {@link #scratch}; false when the kernel took none. */
    boolean sendScratch(DatagramChannel channel, int length, InetSocketAddress destination) {
        scratchBuffer.clear().limit(length);
        return send(channel, scratchBuffer, destination);
    }

    /**
     * On the loop: sends the datagram between {@code packet}'s position and limit; false when the kernel took none
     * (its send buffer is full, or it has no route), so the caller counts a drop: a late media packet is worth
     * nothing, so none is queued.
     */
    boolean send(DatagramChannel channel, ByteBuffer packet, InetSocketAddress destination) {
        try {
            return channel.send(packet, destination) > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the loop after the tasks queued so far; the selector and every socket still on it are closed. */
    CompletableFuture<Void> shutdown() {
        running = false;
        selector.wakeup();
        return terminated;
    }

    private void run() {
        long nextPeriodic = System.nanoTime() + periodNanos;
        try {
            while (running) {
                woken.set(false);
                long wait = nextPeriodic - System.nanoTime();
                int ready = busyPoll || !tasks.isEmpty() || wait <= 0 ? selector.selectNow(onReady)
                        : selector.select(onReady, Math.max(1, TimeUnit.NANOSECONDS.toMillis(wait)));
                runTasks();
                if (System.nanoTime() - nextPeriodic >= 0) {
                    runSafely(periodic);
                    nextPeriodic = System.nanoTime() + periodNanos;
                }
                if (busyPoll) {
                    if (ready == 0 && tasks.isEmpty()) {
                        // The core goes to any other thread with work (call set-up, the JIT) without idling.
                        Thread.yield();
                    }
                } else if (ready > 0 && ready < BATCH_TARGET && tasks.isEmpty()) {
                    LockSupport.parkNanos(REST_NANOS);
                }
            }
            runTasks();
        } catch (IOException | ClosedSelectorException e) {
            LOG.error("media loop {} stopped: its selector failed", thread.getName(), e);
        } finally {
            running = false;
            closeSockets();
            terminated.complete(null);
        }
    }

    /** Closes every socket still on the loop, then the selector, which lets go of them and so frees their ports. */
    private void closeSockets() {
        try {
            for (SelectionKey key : selector.keys()) {
                key.channel().close();
            }
            selector.close();
        } catch (IOException | ClosedSelectorException e) {
            LOG.warn("media loop {}: closing its sockets failed", thread.getName(), e);
        }
    }

    private void runTasks() {
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
            runSafely(task);
        }
    }

    /**
     * One datagram per readiness: a call's socket carries 50 packets a second, so a second read would almost always
     * be a system call that finds nothing, and a socket with more waiting is reported again at the next select.
     */
    private void onReady(SelectionKey key) {
        DatagramChannel channel = (DatagramChannel) key.channel();
        SocketAddress sender;
        received.clear();
        try {
            sender = channel.receive(received);
        } catch (IOException e) {
            fault("reading a datagram", e);
            return;
        }
        if (sender == null) {
            return;
        }
        received.flip();
        try {
            ((Receiver) key.attachment()).onDatagram(received, (InetSocketAddress) sender);
        } catch (RuntimeException e) {
            fault("relaying a datagram", e);
        }
    }

    private void runSafely(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            fault("running a task", e);
        }
    }

    /** A fault the loop survives: logged at most once per ten seconds, with how many happened since. */
    private void fault(String doing, Exception e) {
        faults++;
        long now = System.nanoTime();
        if (now - nextFaultLog >= 0) {
            nextFaultLog = now + FAULT_LOG_INTERVAL_NANOS;
            LOG.warn("media loop {}: {} failed ({} faults so far)", thread.getName(), doing, faults, e);
        }
    }
}
