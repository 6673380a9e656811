package org.edgesbc.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.edgesbc.transport.gate.SipMessageGate;
import org.edgesbc.transport.tls.TlsContextFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIP on the wire: binds the configured UDP, TCP and TLS listeners, runs every message through admission, framing
 * and the strict gate, and hands what passes to the {@link SipMessageSink}. Provides flows to peers, reusing
 * connections per destination. Native epoll when available, NIO otherwise.
 *
 * <p>The pipeline order, written once here: UDP is {@value #ADMISSION} → {@value #GATE}; TCP/TLS is
 * {@value #ADMISSION} → ({@value #TLS}) → {@value #IDLE} → {@value #FRAMER} → {@value #GATE}.
 */
public final class SipTransportService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipTransportService.class);
    static final String ADMISSION = "admission";
    static final String TLS = "tls";
    static final String IDLE = "idle";
    static final String FRAMER = "framer";
    static final String GATE = "gate";
    /** Past this much unsent data toward one peer, its connection is considered stuck (see StreamFlow). */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final TransportConfig config;
    private final SourceAdmission admission;
    private final SipMessageSink sink;
    private final TransportMetrics metrics;
    private final SipMessageGate gate;
    private final GateRejectResponder responder;
    private final ConnectionTable connections;
    private final boolean epoll = Epoll.isAvailable();
    private final EventLoopGroup group;
    private final List<Channel> listeners = new ArrayList<>();
    private final Map<SipTransport, InetSocketAddress> boundAddresses = new EnumMap<>(SipTransport.class);
    private final ConcurrentHashMap<InetSocketAddress, StreamFlow> connecting = new ConcurrentHashMap<>();
    private Channel udpChannel;
    private SslContext serverTls;
    private SslContext clientTls;

    public SipTransportService(TransportConfig config, SourceAdmission admission, SipMessageSink sink,
            TransportMetrics metrics) {
        this.config = config;
        this.admission = admission;
        this.sink = sink;
        this.metrics = metrics;
        this.gate = new SipMessageGate(config.gate());
        this.responder = new GateRejectResponder(metrics);
        this.connections = new ConnectionTable(config.connections().maxTotal(), config.connections().maxPerSource());
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("sbc-sip-io"), io);
    }

    /** Binds every listener; on failure nothing stays bound and the exception names the listener. */
    public void start() throws IOException, InterruptedException {
        try {
            if (config.tls() != null) {
                serverTls = TlsContextFactory.server(config.tls());
                clientTls = TlsContextFactory.client(config.tls());
            }
            for (TransportConfig.Listener listener : config.listeners()) {
                Channel channel = bind(listener);
                listeners.add(channel);
                boundAddresses.putIfAbsent(listener.transport(), (InetSocketAddress) channel.localAddress());
                if (listener.transport() == SipTransport.UDP && udpChannel == null) {
                    udpChannel = channel;
                }
                LOG.info("listening for SIP over {} on {} ({})", listener.transport(), channel.localAddress(),
                        epoll ? "epoll" : "nio");
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private Channel bind(TransportConfig.Listener listener) throws IOException, InterruptedException {
        ChannelFuture future = switch (listener.transport()) {
            case UDP -> new Bootstrap().group(group)
                    .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
                    .option(ChannelOption.SO_RCVBUF, config.udpReceiveBufferBytes())
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65_536))
                    .handler(new ChannelInitializer<DatagramChannel>() {
                        @Override
                        protected void initChannel(DatagramChannel channel) {
                            channel.pipeline()
                                    .addLast(ADMISSION, new DatagramAdmissionHandler(admission, metrics))
                                    .addLast(GATE, new SipDatagramHandler(gate, responder, sink, metrics));
                        }
                    })
                    .bind(listener.address());
            case TCP, TLS -> new ServerBootstrap().group(group)
                    .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                    .option(ChannelOption.SO_BACKLOG, 1024)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(streamInitializer(listener.transport(), false, null))
                    .bind(listener.address());
        };
        if (listener.transport() == SipTransport.TLS && serverTls == null) {
            throw new IllegalStateException("listener '" + listener.name() + "' is TLS but no TLS settings were given");
        }
        future.await();
        if (!future.isSuccess()) {
            throw new IOException("cannot bind SIP listener '" + listener.name() + "' (" + listener.transport() + " "
                    + listener.address() + "): " + future.cause().getMessage(), future.cause());
        }
        return future.channel();
    }

    private ChannelInitializer<SocketChannel> streamInitializer(SipTransport transport, boolean outbound,
            InetSocketAddress peer) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                ChannelPipeline pipeline = channel.pipeline();
                pipeline.addLast(ADMISSION, new StreamAdmissionHandler(transport, admission, connections, metrics,
                        outbound));
                if (transport == SipTransport.TLS) {
                    pipeline.addLast(TLS, outbound
                            ? clientTls.newHandler(channel.alloc(), peer.getHostString(), peer.getPort())
                            : serverTls.newHandler(channel.alloc()));
                }
                long idle = config.connections().idleTimeout().toMillis();
                pipeline.addLast(IDLE, new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS))
                        .addLast(FRAMER, new SipStreamFramer(gate, responder, transport))
                        .addLast(GATE, new SipStreamHandler(transport, gate, responder, sink, metrics));
            }
        };
    }

    /**
     * A flow to {@code destination}: over UDP from the first UDP listener; over TCP/TLS an open connection to that
     * address (whoever opened it) or a new one, connected lazily.
     */
    public SipFlow flowTo(SipTransport transport, InetSocketAddress destination) {
        if (transport == SipTransport.UDP) {
            if (udpChannel == null) {
                throw new IllegalStateException("no UDP listener to send from");
            }
            return new DatagramFlow(udpChannel, destination, metrics);
        }
        Channel open = connections.find(destination);
        if (open != null) {
            return new StreamFlow(transport, destination, open.newSucceededFuture(), metrics);
        }
        return connecting.compute(destination, (address, pending) -> {
            if (pending != null && pending.isOpen()) {
                return pending;
            }
            return connect(transport, address);
        });
    }

    private StreamFlow connect(SipTransport transport, InetSocketAddress destination) {
        if (!connections.reserveOutbound()) {
            metrics.connectionRefused(transport);
            return new StreamFlow(transport, destination, failedFuture(), metrics);
        }
        ChannelFuture future = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connections().connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(streamInitializer(transport, true, destination))
                .connect(destination);
        future.addListener(f -> {
            if (!f.isSuccess()) {
                connections.releaseOutbound(destination, future.channel());
                metrics.sendFailed(transport);
                LOG.warn("cannot connect over {} to {}: {}", transport, destination, f.cause().getMessage());
            }
        });
        future.channel().closeFuture().addListener(f -> connecting.remove(destination));
        return new StreamFlow(transport, destination, future, metrics);
    }

    private ChannelFuture failedFuture() {
        Channel placeholder = epoll ? new EpollSocketChannel() : new NioSocketChannel();
        return placeholder.newFailedFuture(new IOException("connection table full"));
    }

    /** The bound address of the first listener of {@code transport}, or null when there is none. */
    public InetSocketAddress localAddress(SipTransport transport) {
        return boundAddresses.get(transport);
    }

    /** Open TCP and TLS connections, for the connections gauge. */
    public int openConnections() {
        return connections.size();
    }

    @Override
    public void close() {
        for (Channel channel : listeners) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Whether the native epoll transport is in use (reported at startup). */
    public boolean nativeTransport() {
        return epoll;
    }
}
