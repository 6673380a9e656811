package org.edgesbc.transport;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.edgesbc.transport.gate.SipMessageGate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIP on the wire: binds the configured UDP, TCP and TLS listeners, runs every message through admission, framing
 * and the strict gate, and hands what passes to the {@link SipMessageSink}. Provides flows to peers, reusing
 * connections per destination. Native epoll when available, NIO otherwise; with epoll every UDP listener is bound
 * once per I/O thread with {@code SO_REUSEPORT}, so that the kernel spreads datagrams over all threads.
 *
 * <p>The pipeline order, written once here: UDP is {@value #BACKLOG} → {@value #ADMISSION} → {@value #GATE}; TCP/TLS is
 * {@value #ADMISSION} → ({@value #TLS}) → {@value #IDLE} → {@value #FRAMER} → {@value #GATE}.
 *
 * <p>Lifecycle: construct, {@link #start()} once, {@link #close()} once. {@link #flowTo} and
 * {@link #localAddress} are thread-safe once started.
 */
public final class SipTransportService implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SipTransportService.class);
    static final String BACKLOG = "backlog";
    static final String ADMISSION = "admission";
    static final String TLS = "tls";
    static final String IDLE = "idle";
    static final String FRAMER = "framer";
    static final String GATE = "gate";
    /** Past this much unsent data toward one peer, its connection is considered stuck (see StreamFlow). */
    private static final long CONNECT_LOG_INTERVAL_NANOS = 10_000_000_000L;
    /** Datagrams one recvmmsg may read at once (native epoll); a read buffer holds this many of the largest. */
    private static final int DATAGRAMS_PER_READ = 8;
    /**
     * Datagrams one wake-up of the I/O thread reads from a socket before it turns to its other work (sends queued
     * by the relay threads): two recvmmsg calls' worth. A burst that reaches it tells {@link UdpBacklog} the
     * socket was left undrained.
     */
    private static final int DATAGRAMS_PER_WAKEUP = 2 * DATAGRAMS_PER_READ;
    /** A UDP listener socket's flows, set when its pipeline is made: its handler and {@link #flowTo} share them. */
    private static final AttributeKey<DatagramFlows> UDP_FLOWS = AttributeKey.valueOf("sbc.udpFlows");
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(256 * 1024, 1024 * 1024);

    private final TransportConfig config;
    private final SourceAdmission admission;
    private final SipMessageSink sink;
    private final TransportMetrics metrics;
    /**
     * The gate limits and TLS contexts in force: read once per datagram and once per new connection, replaced whole
     * by {@link #replaceSettings}. An open connection keeps the gate and the TLS session it started with.
     */
    private volatile TransportSettings live;
    /** Connect failures are logged at most once per transport per {@link #CONNECT_LOG_INTERVAL_NANOS}. */
    private final LogLimiter connectFailures;
    private final GateRejectResponder responder;
    private final ConnectionTable connections;
    private final boolean epoll = Epoll.isAvailable();
    private final MultiThreadIoEventLoopGroup group;
    private final List<Channel> listeners = new ArrayList<>();
    private final Map<SipTransport, InetSocketAddress> boundAddresses = new EnumMap<>(SipTransport.class);
    /** Outbound connections not yet found in the connection table; each holds a reservation there, so bounded. */
    private final ConcurrentHashMap<ConnectionTable.Key, StreamFlow> connecting = new ConcurrentHashMap<>();
    private Channel udpChannel;
    /** Flows over {@link #udpChannel}, which sends whatever the SBC sends over UDP. */
    private DatagramFlows udpFlows;

    public SipTransportService(TransportConfig config, SourceAdmission admission, SipMessageSink sink,
            TransportMetrics metrics) {
        this.config = config;
        this.admission = admission;
        this.sink = sink;
        this.metrics = metrics;
        this.connectFailures = new LogLimiter(SipTransport.values().length, CONNECT_LOG_INTERVAL_NANOS,
                System::nanoTime);
        this.responder = new GateRejectResponder(metrics);
        this.connections = new ConnectionTable(config.connections().maxTotal(), config.connections().maxPerSource());
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(config.ioThreads(), new DefaultThreadFactory("sbc-sip-io"), io);
    }

    /**
     * Builds the TLS contexts and binds every listener. On any failure nothing stays bound (the service is closed)
     * and the exception names the listener, its transport and address.
     *
     * @throws IOException a listener cannot be bound, or the TLS key material cannot be read
     * @throws IllegalStateException a TLS listener is configured without TLS settings
     */
    public void start() throws IOException, InterruptedException {
        try {
            live = TransportSettings.build(config.gate(), config.tls());
            ParserWarmUp.run(live.gate());
            for (TransportConfig.Listener listener : config.listeners()) {
                if (listener.transport() == SipTransport.TLS && live.serverTls() == null) {
                    throw new IllegalStateException("SIP listener '" + listener.name()
                            + "' is TLS but no TLS settings were given");
                }
                List<Channel> channels = listener.transport() == SipTransport.UDP ? bindUdp(listener)
                        : List.of(bindStream(listener));
                listeners.addAll(channels);
                Channel first = channels.get(0);
                boundAddresses.putIfAbsent(listener.transport(), (InetSocketAddress) first.localAddress());
                if (listener.transport() == SipTransport.UDP && udpChannel == null) {
                    udpChannel = first;
                    udpFlows = first.attr(UDP_FLOWS).get();
                }
                LOG.info("listening for SIP over {} on {} ({}, {} socket(s))", listener.transport(),
                        first.localAddress(), epoll ? "epoll" : "nio", channels.size());
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * One socket per I/O thread with SO_REUSEPORT under epoll (the kernel hashes each source to one socket, so a
     * peer's datagrams stay in order on one thread), a single socket under NIO. The first bind fixes the port when
     * the configured one is 0.
     */
    private List<Channel> bindUdp(TransportConfig.Listener listener) throws IOException, InterruptedException {
        int sockets = epoll ? group.executorCount() : 1;
        // A socket of the listener's own family: an IPv6 socket sending to IPv4-mapped addresses takes the kernel's
        // IPv6 send path for every IPv4 datagram.
        SocketProtocolFamily family = listener.address().getAddress() instanceof Inet6Address
                ? SocketProtocolFamily.INET6 : SocketProtocolFamily.INET;
        Bootstrap bootstrap = new Bootstrap().group(group)
                .channelFactory(() -> epoll ? new EpollDatagramChannel(family) : new NioDatagramChannel(family))
                .option(ChannelOption.SO_RCVBUF, config.udpReceiveBufferBytes())
                .option(ChannelOption.RCVBUF_ALLOCATOR, epoll
                        ? new RecvmmsgAllocator(DATAGRAMS_PER_READ, datagramPayloadBytes(), DATAGRAMS_PER_WAKEUP)
                        : new FixedRecvByteBufAllocator(DATAGRAMS_PER_READ * datagramPayloadBytes())
                                .maxMessagesPerRead(DATAGRAMS_PER_WAKEUP))
                .handler(new ChannelInitializer<DatagramChannel>() {
                    @Override
                    protected void initChannel(DatagramChannel channel) {
                        UdpBacklog backlog = new UdpBacklog(DATAGRAMS_PER_WAKEUP, System::nanoTime,
                                metrics::udpQueueWait, QueueWaitProbe::open, UdpReceiveDrops::counter);
                        DatagramFlows flows = new DatagramFlows(channel, metrics);
                        channel.attr(UDP_FLOWS).set(flows);
                        channel.pipeline()
                                .addLast(BACKLOG, backlog)
                                .addLast(ADMISSION, new DatagramAdmissionHandler(admission, metrics))
                                .addLast(GATE, new SipDatagramHandler(() -> live.gate(), responder, sink, metrics,
                                        backlog, flows, config.inviteTimeout()));
                    }
                });
        if (epoll) {
            // recvmmsg: up to DATAGRAMS_PER_READ datagrams per system call when they queue up (under load).
            bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, datagramPayloadBytes());
        }
        if (sockets > 1) {
            bootstrap.option(EpollChannelOption.SO_REUSEPORT, true);
        }
        List<Channel> channels = new ArrayList<>(sockets);
        InetSocketAddress address = listener.address();
        for (int i = 0; i < sockets; i++) {
            Channel channel = awaitBound(listener, bootstrap.bind(address));
            channels.add(channel);
            address = (InetSocketAddress) channel.localAddress();
        }
        return channels;
    }

    /**
     * Room for one datagram per read slot: one byte more than the gate accepts, so that a datagram cut at this size
     * is still seen as too large (and answered 413) rather than as a truncated message.
     */
    private int datagramPayloadBytes() {
        return config.gate().maxMessageBytes() + 1;
    }

    private Channel bindStream(TransportConfig.Listener listener) throws IOException, InterruptedException {
        return awaitBound(listener, new ServerBootstrap().group(group)
                .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(streamInitializer(listener.transport(), false, null, null, null))
                .bind(listener.address()));
    }

    private Channel awaitBound(TransportConfig.Listener listener, ChannelFuture future)
            throws IOException, InterruptedException {
        future.await();
        if (!future.isSuccess()) {
            throw new IOException("cannot bind SIP listener '" + listener.name() + "' (" + listener.transport() + " "
                    + listener.address() + "): " + future.cause().getMessage(), future.cause());
        }
        return future.channel();
    }

    /**
     * @param serverName for an outbound TLS connection: the name sent as SNI and verified, or null for none
     * @param clientIdentity for an outbound TLS connection: the client certificate presented, null for the SBC's
     */
    private ChannelInitializer<SocketChannel> streamInitializer(SipTransport transport, boolean outbound,
            InetSocketAddress peer, String serverName, String clientIdentity) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                TransportSettings settings = live;
                SipMessageGate gate = settings.gate();
                ChannelPipeline pipeline = channel.pipeline();
                pipeline.addLast(ADMISSION, new StreamAdmissionHandler(transport, admission, connections, metrics,
                        outbound));
                if (transport == SipTransport.TLS) {
                    pipeline.addLast(TLS, outbound
                            ? settings.clientTls(clientIdentity).newHandler(channel.alloc(),
                                    serverName != null ? serverName : peer.getHostString(), peer.getPort())
                            : settings.serverTls().newHandler(channel.alloc()));
                }
                long idle = config.connections().idleTimeout().toMillis();
                pipeline.addLast(IDLE, new IdleStateHandler(0, 0, idle, TimeUnit.MILLISECONDS))
                        .addLast(FRAMER, new SipStreamFramer(gate, responder, transport))
                        .addLast(GATE, new SipStreamHandler(transport, gate, responder, sink, metrics));
            }
        };
    }

    /**
     * A flow to {@code destination}. Over UDP it sends from the first UDP listener's socket, so the source port is
     * the listener's. Over TCP/TLS it reuses an open connection of that transport to exactly that address and port,
     * whoever opened it (RFC 3261 §18.1.1); otherwise it connects lazily: sends issued before the connection is up
     * are queued in order, a connect failure or timeout ({@code connectTimeout}) counts each of them as
     * {@link TransportMetrics#sendFailed}, and a connection over the total cap is refused
     * ({@link TransportMetrics#connectionRefused}). Never throws for an unreachable destination.
     *
     * @throws IllegalStateException UDP is asked for but no UDP listener is bound (a configuration error)
     */
    public SipFlow flowTo(SipTransport transport, InetSocketAddress destination) {
        return flowTo(transport, destination, null, null);
    }

    /**
     * {@link #flowTo(SipTransport, InetSocketAddress)} toward a peer the configuration names by host name: a new TLS
     * connection sends {@code serverName} as SNI (RFC 6066 §3) and verifies the peer's certificate against it
     * (RFC 5922), not against the address DNS gave. A new TLS connection presents the client certificate of
     * {@code clientIdentity} ({@link TransportConfig.TlsSettings#clientIdentities}), or the SBC's own when that is
     * null or unknown. An open connection to the address is reused as it is, whichever certificate it was opened
     * with.
     *
     * @param serverName the peer's configured host name, or null for a peer configured by address
     * @param clientIdentity the name of the client certificate to present, or null
     */
    public SipFlow flowTo(SipTransport transport, InetSocketAddress destination, String serverName,
            String clientIdentity) {
        if (transport == SipTransport.UDP) {
            if (udpChannel == null) {
                throw new IllegalStateException("no UDP listener to send from");
            }
            return udpFlows.to(destination);
        }
        ConnectionTable.Key key = new ConnectionTable.Key(transport, destination);
        Channel open = connections.find(key);
        if (open != null) {
            return new StreamFlow(transport, destination, open.newSucceededFuture(), metrics);
        }
        StreamFlow flow;
        // Check-then-connect must be atomic so that two relay threads asking at once share one connection; connects
        // are rare next to sends, so one lock is enough. The close listener below uses the map without the lock.
        synchronized (connecting) {
            StreamFlow pending = connecting.get(key);
            if (pending != null && pending.isOpen()) {
                return pending;
            }
            if (!connections.reserveOutbound()) {
                metrics.connectionRefused(transport);
                return StreamFlow.refused(transport, destination, metrics);
            }
            flow = connect(key, serverName, clientIdentity);
            connecting.put(key, flow);
        }
        StreamFlow connected = flow;
        flow.closeFuture().addListener(f -> connecting.remove(key, connected));
        return flow;
    }

    /** Opens a connection for which room in the table is already reserved. */
    private StreamFlow connect(ConnectionTable.Key key, String serverName, String clientIdentity) {
        SipTransport transport = key.transport();
        InetSocketAddress destination = key.remote();
        ChannelFuture future = new Bootstrap().group(group)
                .channel(epoll ? EpollSocketChannel.class : NioSocketChannel.class)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) config.connections().connectTimeout().toMillis())
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(streamInitializer(transport, true, destination, serverName, clientIdentity))
                .connect(destination);
        future.addListener(f -> {
            if (!f.isSuccess()) {
                connections.releaseOutbound(key, future.channel());
                long skipped = connectFailures.admit(transport.ordinal());
                if (skipped >= 0) {
                    LOG.warn("cannot connect over {} to {}: {} ({} similar suppressed)", transport, destination,
                            f.cause().getMessage(), skipped);
                }
            }
        });
        return new StreamFlow(transport, destination, future, metrics);
    }

    /**
     * Puts new gate limits and TLS contexts in force (a configuration reload): the next datagram and every connection
     * accepted or opened from now on use them; open connections keep theirs, TLS sessions included. Any thread.
     *
     * @throws IllegalStateException when TLS listeners are bound and {@code next} has no TLS contexts
     */
    public void replaceSettings(TransportSettings next) {
        boolean tlsListener = config.listeners().stream().anyMatch(l -> l.transport() == SipTransport.TLS);
        if (tlsListener && next.serverTls() == null) {
            throw new IllegalStateException("TLS listeners are bound: the new settings must carry TLS contexts");
        }
        live = next;
    }

    /** The settings in force. */
    public TransportSettings settings() {
        return live;
    }

    /** The bound address of the first listener of {@code transport}, or null when there is none. */
    public InetSocketAddress localAddress(SipTransport transport) {
        return boundAddresses.get(transport);
    }

    /** Every UDP listener's sockets (each of its SO_REUSEPORT sockets is one). */
    public List<Channel> udpListenerSockets() {
        return listeners.stream().filter(channel -> channel instanceof DatagramChannel).toList();
    }

    /**
     * The I/O threads' event loops, for work that should run on the threads that read the messages (the relay, when
     * it has no threads of its own). They stay this service's: {@link #close} shuts them down.
     */
    public List<EventExecutor> ioLoops() {
        List<EventExecutor> loops = new ArrayList<>();
        group.forEach(loops::add);
        return loops;
    }

    /**
     * New INVITEs per second the UDP sockets let in under the limits they set themselves in an overload
     * ({@link NewCallRate}), summed over the sockets that have one; 0 when none has. For the new-call limit gauge.
     */
    public double newCallLimitPerSecond() {
        long now = System.nanoTime();
        double sum = 0;
        for (Channel socket : udpListenerSockets()) {
            SipDatagramHandler handler = socket.pipeline().get(SipDatagramHandler.class);
            if (handler != null) {
                sum += handler.newCallLimitPerSecond(now);
            }
        }
        return sum;
    }

    /** Open TCP and TLS connections, for the connections gauge. */
    public int openConnections() {
        return connections.size();
    }

    /**
     * Stops accepting (listeners close first), then shuts the I/O threads down, which closes every open connection.
     * Waits at most a few seconds; idempotent.
     */
    @Override
    public void close() {
        for (Channel channel : listeners) {
            channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        listeners.clear();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Whether the native epoll transport is in use (reported at startup). */
    public boolean nativeTransport() {
        return epoll;
    }
}
