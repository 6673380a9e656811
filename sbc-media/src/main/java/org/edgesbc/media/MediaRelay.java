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
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The media relay facade core uses: opens per-call {@link MediaSession}s whose sockets live on the relay's own
 * event-loop group (native epoll when available), separate from SIP's. Ports come from a {@link PortPool}.
 */
public final class MediaRelay implements AutoCloseable {
    /** Attempts to find a bindable pair when another process holds a port of the range. */
    private static final int BIND_ATTEMPTS = 8;

    private final MediaConfig config;
    private final MediaMetrics metrics;
    private final PortPool ports;
    private final boolean epoll = Epoll.isAvailable();
    private final EventLoopGroup group;
    private final AtomicInteger sessions = new AtomicInteger();

    public MediaRelay(MediaConfig config, MediaMetrics metrics) {
        this.config = config;
        this.metrics = metrics;
        this.ports = new PortPool(config.portMin(), config.portMax(), config.quarantine().toNanos(), System::nanoTime);
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(config.threads(), new DefaultThreadFactory("sbc-media"), io);
    }

    /** A new session on one of the relay's loops; its streams are added as the SDP asks for them. */
    public MediaSession open(MediaTimeoutListener listener) {
        sessions.incrementAndGet();
        metrics.sessionOpened();
        return new MediaSession(this, (EventLoop) group.next(), listener);
    }

    /** Binds a stream's four sockets (RTP and RTCP on each side) on the session's loop; null when out of ports. */
    MediaStream bindStream(MediaSession session) {
        int portA = bindablePair(session);
        if (portA < 0) {
            return null;
        }
        int portB = bindablePair(session);
        if (portB < 0) {
            releasePort(portA);
            return null;
        }
        MediaStream stream = new MediaStream(session, portA, portB);
        for (MediaSide side : MediaSide.values()) {
            MediaEndpoint endpoint = stream.endpoint(side);
            endpoint.rtp = bound(session, endpoint.rtpPort, stream, side, false);
            endpoint.rtcp = bound(session, endpoint.rtpPort + 1, stream, side, true);
        }
        return stream;
    }

    /** Reserves a pair both of whose ports can be bound right now; -1 when none can be found. */
    private int bindablePair(MediaSession session) {
        for (int attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
            int port = ports.allocate();
            if (port < 0) {
                metrics.portsExhausted();
                return -1;
            }
            if (probe(port) && probe(port + 1)) {
                return port;
            }
            // Held by another process: keep it out of circulation for a quarantine period and try the next.
            ports.release(port);
        }
        metrics.portsExhausted();
        return -1;
    }

    private boolean probe(int port) {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(
                new InetSocketAddress(config.bindAddress(), port))) {
            return socket.isBound();
        } catch (java.net.SocketException e) {
            return false;
        }
    }

    private Channel bound(MediaSession session, int port, MediaStream stream, MediaSide side, boolean rtcp) {
        ChannelFuture future = new Bootstrap().group(session.loop())
                .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(2048))
                .handler(new SimpleChannelInboundHandler<DatagramPacket>() {
                    @Override
                    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
                        stream.onPacket(side, rtcp, packet);
                    }
                })
                .bind(new InetSocketAddress(config.bindAddress(), port));
        return future.syncUninterruptibly().channel();
    }

    void releasePort(int port) {
        ports.release(port);
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

    public int freePortPairs() {
        return ports.available();
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
}
