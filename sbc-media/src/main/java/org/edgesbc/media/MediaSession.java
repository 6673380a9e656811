package org.edgesbc.media;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The media of one call: its streams, all on one event loop, and the timeout watch. States: OPEN (streams may be
 * added, packets relayed) and CLOSED (sockets closed, ports in quarantine); {@link #close} is idempotent.
 */
public final class MediaSession {
    enum State { OPEN, CLOSED }

    private final MediaRelay relay;
    private final EventLoop loop;
    private final MediaTimeoutListener listener;
    private final List<MediaStream> streams = new CopyOnWriteArrayList<>();
    private final ScheduledFuture<?> watch;
    private volatile State state = State.OPEN;
    private volatile boolean onHold;
    private volatile long lastPacketNanos;
    private volatile long packetsRelayed;
    private volatile long packetsDropped;
    private boolean timeoutReported;

    MediaSession(MediaRelay relay, EventLoop loop, MediaTimeoutListener listener) {
        this.relay = relay;
        this.loop = loop;
        this.listener = listener;
        this.lastPacketNanos = System.nanoTime();
        this.watch = loop.scheduleAtFixedRate(this::checkTimeout, 1, 1, TimeUnit.SECONDS);
    }

    EventLoop loop() {
        return loop;
    }

    /**
     * Adds a stream with a socket pair on each side. Returns null when the port range is exhausted or the session
     * is closed (the caller answers 503; nothing is thrown).
     */
    public MediaStream addStream() {
        if (state == State.CLOSED) {
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

    /** A held call may stay silent longer (the hold timeout) before it counts as dead. */
    public void setOnHold(boolean hold) {
        this.onHold = hold;
    }

    public long packetsRelayed() {
        return packetsRelayed;
    }

    public long packetsDropped() {
        return packetsDropped;
    }

    void packetRelayed(int bytes) {
        lastPacketNanos = System.nanoTime();
        packetsRelayed++;
        relay.metrics().packetRelayed(bytes);
    }

    void packetDropped(MediaDropReason reason) {
        packetsDropped++;
        relay.metrics().packetDropped(reason);
    }

    private void checkTimeout() {
        long limit = (onHold ? relay.config().holdTimeout() : relay.config().timeout()).toNanos();
        if (!timeoutReported && state == State.OPEN && System.nanoTime() - lastPacketNanos > limit) {
            timeoutReported = true;
            listener.onMediaTimeout(this);
        }
    }

    /** Closes every socket and returns the ports to the pool's quarantine. */
    public void close() {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        watch.cancel(false);
        for (MediaStream stream : streams) {
            for (MediaSide side : MediaSide.values()) {
                MediaEndpoint endpoint = stream.endpoint(side);
                closeQuietly(endpoint.rtp);
                closeQuietly(endpoint.rtcp);
                relay.releasePort(endpoint.rtpPort);
            }
        }
        relay.sessionClosed();
    }

    private static void closeQuietly(Channel channel) {
        if (channel != null) {
            channel.close();
        }
    }
}
