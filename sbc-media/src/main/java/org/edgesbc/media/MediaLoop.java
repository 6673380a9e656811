package org.edgesbc.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.util.OptionalInt;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.edgesbc.media.srtp.SrtpContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One media thread: the UDP sockets of its slot, a task queue other threads hand work to, and one periodic task.
 * How it waits for, reads and sends datagrams is its kind's ({@link SelectorMediaLoop}, {@link IoUringMediaLoop});
 * the thread, the tasks, the rest between small batches and busy polling are the same for both. Relaying allocates
 * nothing per packet in either.
 *
 * <p>Why not a Netty event loop like SIP's: relaying through a channel pipeline allocated a packet envelope, a
 * sender address, buffer slices and a copy per packet, whose young collections stopped the relay for tens of
 * milliseconds on a core of its own, and it cost more CPU per packet than this loop; see docs/performance.md.
 *
 * <p>A busy-polling loop never sleeps: it polls without waiting, round after round. In a virtual machine a vCPU
 * that goes idle is given back to the host, and waking it for the next packet can take milliseconds, which shows as
 * latency tails long before the core is busy (see docs/performance.md, "The floor under the media relay"). Polling
 * keeps the vCPU running at the price of its whole core, calls or not: for a core set aside for media.
 */
abstract class MediaLoop implements Executor {
    /**
     * After a poll that found fewer datagrams than this, the loop rests {@link #REST_NANOS} before the next one, so
     * that the packets arriving meanwhile are read in one batch. Each wake-up of a sleeping thread costs more than
     * the packet it was woken for (an inter-processor interrupt and a context switch, dearer still in a virtual
     * machine), and at 50 packets/s per socket a loop woken by every packet spends most of its core on that. A loop
     * finding this many goes on at once, so a saturated loop never rests.
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

    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Set by whoever woke the loop since it last looked, so that a burst of tasks wakes it once. */
    private final AtomicBoolean woken = new AtomicBoolean();
    private final byte[] scratch;
    private final ByteBuffer scratchBuffer;
    private final long periodNanos;
    private final boolean busyPoll;
    /** The nice value the thread sets itself when it starts; empty: the one it inherits. */
    private final OptionalInt nice;
    /**
     * SO_RCVBUF of every socket the loop binds (the kernel doubles it for its bookkeeping), or
     * {@link MediaConfig#KERNEL_RECEIVE_BUFFER}.
     */
    final int receiveBufferBytes;
    private final Runnable periodic;
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean running = true;
    private long nextFaultLog = System.nanoTime();
    private long faults;

    /**
     * A loop whose thread starts with {@link #start}; {@code periodic} runs on it every {@code periodNanos} (from
     * the end of the last).
     *
     * @param largestDatagram the longest datagram the loop reads: its scratch array holds that plus an SRTP protect's
     *     growth
     * @param busyPoll poll without ever waiting or resting
     * @param nice the thread's nice value ({@link ThreadNice}), or empty for the one it inherits
     * @param receiveBufferBytes SO_RCVBUF of each socket the loop binds, or {@link MediaConfig#KERNEL_RECEIVE_BUFFER}
     */
    MediaLoop(String name, long periodNanos, boolean busyPoll, OptionalInt nice, int receiveBufferBytes,
            Runnable periodic, int largestDatagram) {
        this.periodNanos = periodNanos;
        this.busyPoll = busyPoll;
        this.nice = nice;
        this.receiveBufferBytes = receiveBufferBytes;
        this.periodic = periodic;
        this.scratch = new byte[largestDatagram + SrtpContext.MAX_GROWTH];
        this.scratchBuffer = ByteBuffer.wrap(scratch);
        this.thread = new Thread(this::run, name);
        thread.setDaemon(true);
    }

    /** A started loop of the kind {@code io} resolves to on this machine. */
    static MediaLoop start(MediaIo io, String name, long periodNanos, boolean busyPoll, OptionalInt nice,
            int receiveBufferBytes, MediaMetrics metrics, Runnable periodic) {
        MediaLoop loop = io.resolve() == MediaIo.IO_URING
                ? new IoUringMediaLoop(name, periodNanos, busyPoll, nice, receiveBufferBytes, metrics, periodic)
                : new SelectorMediaLoop(name, periodNanos, busyPoll, nice, receiveBufferBytes, periodic);
        loop.thread.start();
        return loop;
    }

    final boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    final String name() {
        return thread.getName();
    }

    /** Queues {@code task} and wakes the loop; refused once the loop stops. */
    @Override
    public final void execute(Runnable task) {
        executeLazily(task);
        if (!busyPoll && !inLoop() && woken.compareAndSet(false, true)) {
            wakeUp();
        }
    }

    /**
     * Queues {@code task} for the loop's next wake-up without waking it: for work the packet path also does when it
     * needs it. A loop with nothing to read still wakes for its periodic task.
     */
    final void executeLazily(Runnable task) {
        if (!running) {
            throw new RejectedExecutionException("media loop " + thread.getName() + " has stopped");
        }
        tasks.add(task);
    }

    /** Runs {@code task} on the loop; the future completes when it has run (exceptionally if it threw). */
    final CompletableFuture<Void> submit(Runnable task) {
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
     * On the loop: a socket of {@code family} bound to {@code address} and reading, each datagram going to
     * {@code receiver}.
     */
    abstract MediaSocket bind(ProtocolFamily family, InetSocketAddress address, Receiver receiver)
            throws IOException;

    /**
     * On the loop, after closing sockets of its own: makes the loop let go of them, which is when their descriptors
     * close and so their ports are free. Datagrams waiting on the others are relayed meanwhile.
     */
    abstract void releaseClosed() throws IOException;

    /**
     * On the loop: sends the datagram between {@code packet}'s position and limit from {@code socket}; false when
     * the kernel took none (its send buffer is full, or it has no route), so the caller counts a drop: a late media
     * packet is worth nothing, so none is queued.
     */
    abstract boolean send(MediaSocket socket, ByteBuffer packet, InetSocketAddress destination);

    /** The loop's array for packets that must be rewritten (SRTP), with room for the growth of a protect. */
    final byte[] scratch() {
        return scratch;
    }

    /** On the loop: sends {@code length} bytes of {@link #scratch}; false when the kernel took none. */
    final boolean sendScratch(MediaSocket socket, int length, InetSocketAddress destination) {
        scratchBuffer.clear().limit(length);
        return send(socket, scratchBuffer, destination);
    }

    /** Stops the loop after the tasks queued so far; every socket still on it is closed. */
    final CompletableFuture<Void> shutdown() {
        running = false;
        wakeUp();
        return terminated;
    }

    /**
     * Waits at most {@code waitNanos} (0: not at all) for datagrams or a wake-up and hands what came to the
     * receivers; returns how many datagrams it read.
     */
    abstract int poll(long waitNanos) throws IOException;

    /** From any thread: ends a wait in {@link #poll} early. */
    abstract void wakeUp();

    /** On the loop, before its first poll. */
    void onLoopStart() {
    }

    /** On the loop, as it stops: closes every socket still on it and what the loop holds itself. */
    abstract void closeAll();

    private void run() {
        long nextPeriodic = System.nanoTime() + periodNanos;
        nice.ifPresent(this::setNice);
        try {
            onLoopStart();
            while (running) {
                woken.set(false);
                long wait = nextPeriodic - System.nanoTime();
                int ready = poll(busyPoll || !tasks.isEmpty() || wait <= 0 ? 0 : wait);
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
        } catch (IOException | UncheckedIOException | ClosedSelectorException e) {
            LOG.error("media loop {} stopped: its {} failed", thread.getName(), getClass().getSimpleName(), e);
        } finally {
            running = false;
            closeAll();
            terminated.complete(null);
        }
    }

    /** A thread the kernel refuses a nice value still relays, at the one it has; the log says so once. */
    private void setNice(int value) {
        try {
            ThreadNice.setForCurrentThread(value);
            LOG.info("media thread {} runs at nice {}", thread.getName(), value);
        } catch (IOException e) {
            LOG.warn("media thread {} runs at the nice value it inherited, not {}: {}", thread.getName(), value,
                    e.getMessage());
        }
    }

    private void runTasks() {
        for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
            runSafely(task);
        }
    }

    /** Hands a datagram to its socket's receiver; a receiver's fault is the loop's to survive. */
    final void deliver(Receiver receiver, ByteBuffer packet, InetSocketAddress sender) {
        try {
            receiver.onDatagram(packet, sender);
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
    final void fault(String doing, Exception e) {
        faults++;
        long now = System.nanoTime();
        if (now - nextFaultLog >= 0) {
            nextFaultLog = now + FAULT_LOG_INTERVAL_NANOS;
            LOG.warn("media loop {}: {} failed ({} faults so far)", thread.getName(), doing, faults, e);
        }
    }
}
