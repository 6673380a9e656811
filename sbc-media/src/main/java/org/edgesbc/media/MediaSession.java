package org.edgesbc.media;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * The media of one call: its streams (one per m= line, at most {@link #MAX_STREAMS}), all on one event loop, and
 * the timeout watch. States: OPEN (streams may be added, packets relayed) and CLOSED (legs closed, port pairs in
 * quarantine); {@link #close} is idempotent. When no packet was relayed in either direction for the media timeout
 * (the hold timeout while on hold), the listener is told once, on the media loop; the owner then ends the call and
 * closes the session.
 */
public final class MediaSession {
    /** More m= lines than this is not a call the SBC anchors: {@link #addStream} returns null. */
    public static final int MAX_STREAMS = 16;

    /** Where a session stands. */
    public enum State { OPEN, CLOSED }

    private final MediaRelay relay;
    private final int slot;
    private final MediaLoop loop;
    private final MediaTimeoutListener listener;
    private final List<MediaStream> streams = new CopyOnWriteArrayList<>();
    private volatile State state = State.OPEN;
    private volatile boolean onHold;
    private volatile long lastPacketNanos;
    /** When each side's peer was last heard from, by {@link MediaSide} ordinal; {@link #NEVER} until then. */
    private final long[] lastHeardNanos = {NEVER, NEVER};
    private static final long NEVER = Long.MIN_VALUE;
    private volatile long packetsRelayed;
    private volatile long packetsDropped;
    private boolean timeoutReported;

    MediaSession(MediaRelay relay, int slot, MediaLoop loop, MediaTimeoutListener listener) {
        this.relay = relay;
        this.slot = slot;
        this.loop = loop;
        this.listener = listener;
        this.lastPacketNanos = relay.nanoTime();
    }

    /** Which of the relay's loops owns the session; its streams take port pairs bound on that loop. */
    int slot() {
        return slot;
    }

    MediaLoop loop() {
        return loop;
    }

    /** Runs {@code task} on the session's loop; dropped when the relay is already shut down (nothing to relay). */
    void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException e) {
            // The relay is closing: no packet will be relayed any more, so the change has nothing to act on.
        }
    }

    /**
     * Runs {@code task} on the session's loop at its next wake-up, without waking it: for work the loop's own
     * packet path also does when it needs it. Saves a wake-up (an eventfd write here, an epoll return there) per
     * call; a loop with nothing to read still wakes for its timeout check within a second.
     */
    void executeLazily(Runnable task) {
        try {
            loop.executeLazily(task);
        } catch (RejectedExecutionException e) {
            // The relay is closing: no packet will be relayed any more, so the change has nothing to act on.
        }
    }

    long now() {
        return relay.nanoTime();
    }

    String advertisedAddress() {
        return relay.advertisedAddress();
    }

    /**
     * Adds a stream with a socket pair on each side. Returns null when the port range is exhausted, the session
     * already has {@link #MAX_STREAMS} streams or is closed (the caller answers 503 or 488; nothing is thrown).
     */
    public MediaStream addStream() {
        if (state == State.CLOSED || streams.size() >= MAX_STREAMS) {
            return null;
        }
        MediaStream stream = relay.bindStream(this);
        if (stream != null) {
            streams.add(stream);
        }
        return stream;
    }

    public List<MediaStream> streams() {
        return streams;
    }

    public State state() {
        return state;
    }

    /** A held call may stay silent longer (the hold timeout) before it counts as dead. */
    public void setOnHold(boolean hold) {
        this.onHold = hold;
    }

    public boolean onHold() {
        return onHold;
    }

    public long packetsRelayed() {
        return packetsRelayed;
    }

    public long packetsDropped() {
        return packetsDropped;
    }

    /** The call's media summary: a snapshot that may lag the media loop by a packet or two. */
    public MediaStats stats() {
        List<LegStats> legs = new ArrayList<>(streams.size() * 2);
        for (MediaStream stream : streams) {
            legs.add(stream.stats(MediaSide.A));
            legs.add(stream.stats(MediaSide.B));
        }
        return MediaStats.of(legs);
    }

    /** Runs on the session's loop for every packet relayed, from the peer on side {@code from}. */
    void packetRelayed(MediaSide from, MediaTransport transport, int bytes, long now) {
        lastPacketNanos = now;
        lastHeardNanos[from.ordinal()] = now;
        packetsRelayed++;
        relay.metrics().packetRelayed(bytes);
        if (transport == MediaTransport.UDPTL) {
            relay.metrics().udptlRelayed();
        }
    }

    void packetDropped(MediaTransport transport, MediaDropReason reason) {
        packetsDropped++;
        relay.metrics().packetDropped(reason);
        if (transport == MediaTransport.UDPTL) {
            relay.metrics().udptlDropped(reason);
        }
    }

    /**
     * Runs on the session's loop, from its relay's periodic sweep; tests run it directly through the loop. Media is
     * dead when nothing was relayed for the timeout, or when one of two peers that both sent media fell silent for
     * it: a peer that vanished without a BYE is still sent the other's media, which would otherwise keep the call
     * alive. A peer that never sent (a receive-only phone) is judged by the first rule alone.
     */
    void checkTimeout() {
        MediaTimeouts timeouts = relay.timeouts();
        long limit = (onHold ? timeouts.holdTimeout() : timeouts.timeout()).toNanos();
        long now = relay.nanoTime();
        long a = lastHeardNanos[MediaSide.A.ordinal()];
        long b = lastHeardNanos[MediaSide.B.ordinal()];
        boolean oneFellSilent = a != NEVER && b != NEVER && now - Math.min(a, b) >= limit;
        if (!timeoutReported && state == State.OPEN && (now - lastPacketNanos >= limit || oneFellSilent)) {
            timeoutReported = true;
            listener.onMediaTimeout(this);
        }
    }

    /**
     * Closes every leg and returns the port pairs, still bound, to the pool's quarantine: from now on their packets
     * are dropped as {@link MediaDropReason#NO_SESSION}. Idempotent.
     */
    public void close() {
        synchronized (this) {
            if (state == State.CLOSED) {
                return;
            }
            state = State.CLOSED;
        }
        for (MediaStream stream : streams) {
            stream.close();
            for (MediaSide side : MediaSide.values()) {
                relay.releasePair(stream.endpoint(side).pair);
            }
        }
        relay.sessionClosed(this);
    }
}
