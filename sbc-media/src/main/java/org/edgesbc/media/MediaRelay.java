package org.edgesbc.media;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The media relay facade core uses: opens per-call {@link MediaSession}s whose sockets live on the relay's own
 * {@link MediaLoop}s ({@code media.threads} of them), separate from SIP's event loops. Each session is owned by one
 * loop, chosen round robin; every packet of its streams is handled there. Thread-safe.
 *
 * <p>Sockets are bound ahead of calls: each loop keeps up to {@value #READY_PAIRS_PER_LOOP} bound RTP/RTCP pairs
 * ready (bound at start, topped up on the loop itself when fewer than half are left), and a stream takes two of its
 * session's loop without binding anything on the caller's thread. A pair released by a call rests in quarantine
 * still bound and then is ready again. After a burst more pairs come back from quarantine than the loop keeps
 * ready; the loop's periodic check closes those beyond its target, so the sockets held follow the load rather than
 * its peak, and a steady load binds and closes nothing. A stream asked for while its loop has no ready pair is
 * refused like an exhausted range (core answers 503) while the loop binds more.
 */
public final class MediaRelay implements AutoCloseable {
    /** Bound pairs each loop keeps ready: covers a burst of calls while the loop binds more, costs two sockets each. */
    static final int READY_PAIRS_PER_LOOP = 256;
    /** The media timeout is checked this often per timeout, so a dead call is noticed within a quarter of it. */
    private static final int TIMEOUT_CHECKS = 4;
    private static final long MAX_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final MediaConfig config;
    /** The media timeouts in force; replaced whole at reload, read once per session check. */
    private volatile MediaTimeouts timeouts;
    private final MediaMetrics metrics;
    private static final Logger LOG = LoggerFactory.getLogger(MediaRelay.class);

    private final PortPool ports;
    private final MediaLoop[] loops;
    private final AtomicInteger nextLoop = new AtomicInteger();
    /** Every pair bound now, by pair index: where a stream and the surplus check find a pair's sockets by its port. */
    private final AtomicReferenceArray<BoundPortPair> bound;
    /**
     * Per loop, its open sessions, which one periodic task of the loop checks for media timeouts. Shared because
     * signalling threads open and close sessions; adding and removing here wakes no loop, where a watch task per
     * session would wake it twice per call.
     */
    private final Set<MediaSession>[] open;
    /** Per loop, whether a top-up is queued or running; set by whoever queues it, cleared by the loop. */
    private final AtomicBoolean[] toppingUp;
    private final int readyTarget;
    private final AtomicInteger sessions = new AtomicInteger();
    private final LongSupplier nanoClock;

    /** A relay on the system's monotonic clock. */
    public MediaRelay(MediaConfig config, MediaMetrics metrics) {
        this(config, metrics, System::nanoTime);
    }

    /**
     * Binds the first ready pairs of every loop before returning.
     *
     * @param nanoClock monotonic nanoseconds for port quarantine, media timeouts and jitter; a manual clock in tests
     */
    @SuppressWarnings("unchecked")
    public MediaRelay(MediaConfig config, MediaMetrics metrics, LongSupplier nanoClock) {
        this.config = config;
        this.timeouts = new MediaTimeouts(config.timeout(), config.holdTimeout());
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        this.loops = new MediaLoop[config.threads()];
        this.ports = new PortPool(config.portMin(), config.portMax(), loops.length, config.quarantine().toNanos(),
                nanoClock);
        this.bound = new AtomicReferenceArray<>(ports.capacity());
        this.toppingUp = new AtomicBoolean[loops.length];
        this.readyTarget = Math.max(1, Math.min(READY_PAIRS_PER_LOOP, ports.capacity() / loops.length));
        this.open = new Set[loops.length];
        long period = timeoutCheckNanos();
        MediaIo io = config.io().resolve();
        LOG.info("media relay: {} thread(s) on {}, ports {}-{}", loops.length,
                io == MediaIo.IO_URING ? "io_uring" : "the JDK selector", config.portMin(), config.portMax());
        for (int slot = 0; slot < loops.length; slot++) {
            int s = slot;
            open[slot] = ConcurrentHashMap.newKeySet();
            toppingUp[slot] = new AtomicBoolean(true);
            loops[slot] = MediaLoop.start(io, "sbc-media-" + (slot + 1), period, config.busyPoll(),
                    config.nice(), config.receiveBufferBytes(), metrics, () -> {
                        open[s].forEach(MediaSession::checkTimeout);
                        closeSurplus(s);
                    });
            loops[slot].submit(() -> topUp(s)).join();
        }
    }

    /**
     * A new session on one of the relay's loops; its streams are added as the SDP asks for them. The session holds
     * no ports until its first stream is added.
     *
     * @param listener told once, on the media loop, when the session's media has been silent for its timeout
     */
    public MediaSession open(MediaTimeoutListener listener) {
        sessions.incrementAndGet();
        metrics.sessionOpened();
        int slot = Math.floorMod(nextLoop.getAndIncrement(), loops.length);
        MediaSession session = new MediaSession(this, slot, loops[slot], listener);
        open[slot].add(session);
        return session;
    }

    /** Takes a ready pair per side from the session's loop; null when its loop has fewer than two ready. */
    MediaStream bindStream(MediaSession session) {
        int slot = session.slot();
        OptionalInt portA = ports.allocateBound(slot);
        OptionalInt portB = portA.isPresent() ? ports.allocateBound(slot) : OptionalInt.empty();
        if (ports.ready(slot) < Math.max(1, readyTarget / 2) && toppingUp[slot].compareAndSet(false, true)) {
            session.execute(() -> topUp(slot));
        }
        if (portB.isEmpty()) {
            portA.ifPresent(ports::release);
            metrics.portsExhausted();
            return null;
        }
        BoundPortPair a = bound.get(ports.pairIndex(portA.getAsInt()));
        BoundPortPair b = bound.get(ports.pairIndex(portB.getAsInt()));
        MediaStream stream = new MediaStream(session, a, b);
        a.attach(stream, MediaSide.A);
        b.attach(stream, MediaSide.B);
        return stream;
    }

    /**
     * On loop {@code slot}: binds never-bound pairs of the range until the loop has its target of ready pairs. A
     * port another process holds is released into quarantine and skipped. On its own loop a channel registers and
     * binds before the call returns, so the loop never waits for itself.
     */
    private void topUp(int slot) {
        toppingUp[slot].set(false);
        for (int wanted = readyTarget - ports.ready(slot); wanted > 0; wanted--) {
            OptionalInt port = ports.allocate();
            if (port.isEmpty()) {
                return;
            }
            BoundPortPair pair = new BoundPortPair(port.getAsInt(), slot);
            pair.rtp = bind(pair, false);
            pair.rtcp = pair.rtp == null ? null : bind(pair, true);
            if (pair.rtcp == null) {
                pair.close();
                ports.release(pair.port);
            } else {
                bound.set(ports.pairIndex(pair.port), pair);
                ports.markBound(pair.port, slot);
            }
        }
    }

    /**
     * On loop {@code slot}: closes its ready pairs beyond the target, then has the loop let go of their sockets,
     * which frees their ports for binding again.
     */
    void closeSurplus(int slot) {
        int[] surplus = ports.retireSurplus(slot, readyTarget);
        if (surplus.length == 0) {
            return;
        }
        for (int port : surplus) {
            bound.getAndSet(ports.pairIndex(port), null).close();
        }
        try {
            loops[slot].releaseClosed();
        } catch (IOException e) {
            LOG.warn("media loop {}: releasing closed sockets failed; their ports stay out of use", slot + 1, e);
            return;
        }
        for (int port : surplus) {
            ports.unbound(port);
        }
    }

    /**
     * Binds one socket of {@code pair} on the pair's loop, from that loop; null when the port cannot be bound. Each
     * datagram goes to the pair's owner at the time it is read; one that arrives while the pair has no owner (ready
     * or in quarantine) is dropped and counted.
     */
    private MediaSocket bind(BoundPortPair pair, boolean rtcp) {
        // A socket of the bind address's own family: an IPv6 socket sending to IPv4-mapped addresses takes the
        // kernel's IPv6 send path for every IPv4 packet.
        StandardProtocolFamily family = config.bindAddress() instanceof Inet6Address
                ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET;
        InetSocketAddress address = new InetSocketAddress(config.bindAddress(), rtcp ? pair.port + 1 : pair.port);
        try {
            return loops[pair.slot].bind(family, address, (packet, sender) -> {
                BoundPortPair.Owner owner = pair.owner();
                if (owner == null) {
                    metrics.packetDropped(MediaDropReason.NO_SESSION);
                } else {
                    owner.stream().onPacket(owner.side(), rtcp, packet, sender);
                }
            });
        } catch (IOException e) {
            return null;
        }
    }

    /** Ends the pair's ownership before its quarantine starts, so nothing read from now on reaches the stream. */
    void releasePair(BoundPortPair pair) {
        pair.detach();
        ports.release(pair.port);
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** How often a session checks its media timeout: a quarter of the shorter timeout, within 10 ms and 1 s. */
    long timeoutCheckNanos() {
        long shorter = Math.min(config.timeout().toNanos(), config.holdTimeout().toNanos());
        return Math.max(MIN_CHECK_NANOS, Math.min(MAX_CHECK_NANOS, shorter / TIMEOUT_CHECKS));
    }

    void sessionClosed(MediaSession session) {
        open[session.slot()].remove(session);
        sessions.decrementAndGet();
        metrics.sessionClosed();
    }

    MediaConfig config() {
        return config;
    }

    MediaTimeouts timeouts() {
        return timeouts;
    }

    /**
     * Replaces the media timeouts (a configuration reload): every open session, calls in progress included, is judged
     * by the new ones from its next check on. The check period stays the one set at start (a quarter of the shorter
     * timeout then, within 10 ms and 1 s), so a timeout shortened below four periods is noticed up to one period
     * late. Any thread.
     */
    public void replaceTimeouts(MediaTimeouts next) {
        this.timeouts = next;
    }

    MediaMetrics metrics() {
        return metrics;
    }

    public String advertisedAddress() {
        return config.advertisedAddress();
    }

    public int activeSessions() {
        return sessions.get();
    }

    /** Port pairs neither in use nor in quarantine, bound or not. */
    public int freePortPairs() {
        return ports.available();
    }

    /** Bound port pairs neither in use nor in quarantine: what new streams can take right away. */
    public int readyPortPairs() {
        return ports.ready();
    }

    /** Port pairs held by open sessions. */
    public int usedPortPairs() {
        return ports.inUse();
    }

    /**
     * Stops the loops, which close every socket bound on them (in use, ready or in quarantine); returns once they
     * have, so the ports are free again.
     */
    @Override
    public void close() {
        CompletableFuture<?>[] stopped = new CompletableFuture<?>[loops.length];
        for (int slot = 0; slot < loops.length; slot++) {
            stopped[slot] = loops[slot].shutdown();
        }
        try {
            CompletableFuture.allOf(stopped).get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("media loops did not stop within 5 s", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
