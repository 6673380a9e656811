package org.edgesbc.media;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

/**
 * The media relay facade core uses: opens per-call {@link MediaSession}s whose sockets live on the relay's own
 * event-loop group (native epoll when available), separate from SIP's. Ports come from a {@link PortPool}. Each
 * session is owned by one loop of the group, chosen round robin; every packet of its streams is handled there.
 * Thread-safe.
 */
public final class MediaRelay implements AutoCloseable {
    /** Attempts to find a bindable pair when another process holds a port of the range. */
    private static final int BIND_ATTEMPTS = 8;
    /** The media timeout is checked this often per timeout, so a dead call is noticed within a quarter of it. */
    private static final int TIMEOUT_CHECKS = 4;
    private static final long MAX_CHECK_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long MIN_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);

    private final MediaConfig config;
    private final MediaMetrics metrics;
    private final PortPool ports;
    private final boolean epoll = Epoll.isAvailable();
    private final EventLoopGroup group;
    private final AtomicInteger sessions = new AtomicInteger();
    private final LongSupplier nanoClock;

    /** A relay on the system's monotonic clock. */
    public MediaRelay(MediaConfig config, MediaMetrics metrics) {
        this(config, metrics, System::nanoTime);
    }

    /**
     * @param nanoClock monotonic nanoseconds for port quarantine, media timeouts and jitter; a manual clock in tests
     */
    public MediaRelay(MediaConfig config, MediaMetrics metrics, LongSupplier nanoClock) {
        this.config = config;
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        this.ports = new PortPool(config.portMin(), config.portMax(), 1, config.quarantine().toNanos(), nanoClock);
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(config.threads(), new DefaultThreadFactory("sbc-media"), io);
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
        return new MediaSession(this, (EventLoop) group.next(), listener);
    }

    /** Binds a stream's four sockets (RTP and RTCP on each side) on the session's loop; null when out of ports. */
    MediaStream bindStream(MediaSession session) {
        int[] portFor = new int[2];
        Channel[][] channels = new Channel[2][];
        AtomicReference<MediaStream> holder = new AtomicReference<>();
        for (MediaSide side : MediaSide.values()) {
            channels[side.ordinal()] = bindPair(session, holder, side, portFor);
            if (channels[side.ordinal()] == null) {
                if (side == MediaSide.B) {
                    channels[0][0].close();
                    channels[0][1].close();
                    releasePort(portFor[0]);
                }
                return null;
            }
        }
        MediaStream stream = new MediaStream(session, portFor[0], portFor[1]);
        holder.set(stream);
        for (MediaSide side : MediaSide.values()) {
            stream.endpoint(side).rtp = channels[side.ordinal()][0];
            stream.endpoint(side).rtcp = channels[side.ordinal()][1];
        }
        return stream;
    }

    /**
     * Binds an RTP/RTCP pair from the pool. A port another process holds is skipped (it rests in quarantine) and the
     * next pair tried, a few times; returns null when the range is exhausted.
     */
    private Channel[] bindPair(MediaSession session, AtomicReference<MediaStream> holder, MediaSide side, int[] portFor) {
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            OptionalInt allocated = ports.allocate();
            if (allocated.isEmpty()) {
                break;
            }
            int port = allocated.getAsInt();
            Channel rtp = bind(session, port, holder, side, false);
            Channel rtcp = rtp == null ? null : bind(session, port + 1, holder, side, true);
            if (rtcp != null) {
                portFor[side.ordinal()] = port;
                return new Channel[] {rtp, rtcp};
            }
            if (rtp != null) {
                rtp.close();
            }
            ports.release(port);
        }
        metrics.portsExhausted();
        return null;
    }

    /**
     * Binds one socket; packets arriving before the stream is complete (the holder still empty) are dropped. Null
     * when the port cannot be bound. The handler releases every datagram after the stream has looked at it.
     */
    private Channel bind(MediaSession session, int port, AtomicReference<MediaStream> holder, MediaSide side, boolean rtcp) {
        ChannelFuture future = new Bootstrap().group(session.loop())
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        MediaStream stream = holder.get();
                        if (stream != null) {
                            stream.onPacket(side, rtcp, packet);
                        }
                    }
                })
                .bind(new InetSocketAddress(config.bindAddress(), port))
                .awaitUninterruptibly();
        return future.isSuccess() ? future.channel() : null;
    }

    void releasePort(int port) {
        ports.release(port);
    }

    long nanoTime() {
        return nanoClock.getAsLong();
    }

    /** How often a session checks its media timeout: a quarter of the shorter timeout, within 10 ms and 1 s. */
    long timeoutCheckNanos() {
        long shorter = Math.min(config.timeout().toNanos(), config.holdTimeout().toNanos());
        return Math.max(MIN_CHECK_NANOS, Math.min(MAX_CHECK_NANOS, shorter / TIMEOUT_CHECKS));
    }

    void sessionClosed() {
        sessions.decrementAndGet();
        metrics.sessionClosed();
    }

    MediaConfig config() {
        return config;
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

    /** Port pairs neither in use nor in quarantine. */
    public int freePortPairs() {
        return ports.available();
    }

    /** Port pairs held by open sessions. */
    public int usedPortPairs() {
        return ports.inUse();
    }

    /** Whether the sockets run on native epoll (else NIO). */
    public boolean nativeTransport() {
        return epoll;
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
