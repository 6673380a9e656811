package org.edgesbc.core.management;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.edgesbc.core.config.ManagementConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management HTTP listener: Prometheus {@code GET /metrics}, {@code GET /health} (the process serves),
 * {@code GET /ready} (the SBC accepts calls), and admin routes under {@code /admin/} that require
 * {@code Authorization: Bearer <token>} and do not exist (404) when no token is configured. Anything else is 404.
 * On its own one-thread event loop so that a scrape never competes with SIP I/O. A request is capped at
 * {@value #MAX_REQUEST_BYTES} bytes (larger ones get 413) and a connection that sends nothing for
 * {@value #READ_TIMEOUT_SECONDS} seconds is closed; keep-alive is honoured.
 */
public final class ManagementServer implements AutoCloseable {
    /** Largest request, headers and body together; the admin API takes small JSON documents only. */
    public static final int MAX_REQUEST_BYTES = 64 * 1024;
    /** Idle connections are closed after this long. */
    public static final int READ_TIMEOUT_SECONDS = 10;
    /** Every admin route lives below this prefix. */
    public static final String ADMIN_PREFIX = "/admin/";

    private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);

    /**
     * One admin operation, called on the management event loop: it must not block for long. An exception it throws
     * becomes a 500 answer and one log line.
     */
    @FunctionalInterface
    public interface AdminHandler {
        /**
         * @param method the HTTP method, upper case
         * @param path the decoded path, starting with the route's prefix
         * @param query decoded query parameters
         * @param body the request body as UTF-8 text, empty when there is none
         */
        AdminResponse handle(String method, String path, Map<String, List<String>> query, String body);
    }

    /** What an admin operation answers. */
    public record AdminResponse(int status, String contentType, String body) {
        public static AdminResponse json(int status, String body) {
            return new AdminResponse(status, "application/json", body);
        }
    }

    private record Route(String method, String pathPrefix, AdminHandler handler) { }

    private final EventLoopGroup group;
    private final byte[] token;
    private final List<Route> routes = new CopyOnWriteArrayList<>();
    private Channel channel;

    private ManagementServer(EventLoopGroup group, String token) {
        this.group = group;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Binds the listener and serves until {@link #close()}.
     *
     * @param config address, port (0 binds an ephemeral port, see {@link #port()}) and admin token (null: no admin
     *     API)
     * @param metrics the Prometheus text exposition, produced on each scrape
     * @param ready whether the SBC accepts calls; {@code /ready} answers 200 when true, 503 otherwise
     * @throws IOException when the address cannot be bound; nothing is left running then
     */
    public static ManagementServer start(ManagementConfig config, Supplier<String> metrics, BooleanSupplier ready)
            throws IOException, InterruptedException {
        return start(config, metrics, ready, () -> "");
    }

    /**
     * As above, with {@code readyDetail} appended to the {@code /ready} answer: lines about conditions that do not
     * stop the node from taking calls but that an operator looking at readiness should see (a cluster node working
     * on its local state while Redis is away); empty for none.
     */
    public static ManagementServer start(ManagementConfig config, Supplier<String> metrics, BooleanSupplier ready,
            Supplier<String> readyDetail) throws IOException, InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sbc-management"),
                NioIoHandler.newFactory());
        // Built before binding, so that the first accepted connection already sees the token and the routes.
        ManagementServer server = new ManagementServer(group, config.token());
        var future = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(READ_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new Handler(server, metrics, ready, readyDetail));
                    }
                })
                .bind(new InetSocketAddress(config.address(), config.port())).await();
        if (!future.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot bind the management listener on " + config.address() + ":" + config.port()
                    + ": " + future.cause().getMessage(), future.cause());
        }
        server.channel = future.channel();
        return server;
    }

    /**
     * Registers an admin route: requests whose method matches and whose path starts with {@code pathPrefix}.
     * Among several matches the first registered wins; a path that matches a route but not its method gets 405.
     * Routes answer only with the bearer token and only when one is configured.
     *
     * @throws IllegalArgumentException when {@code pathPrefix} does not start with {@value #ADMIN_PREFIX}
     */
    public void route(String method, String pathPrefix, AdminHandler handler) {
        if (!pathPrefix.startsWith(ADMIN_PREFIX)) {
            throw new IllegalArgumentException("admin routes live under " + ADMIN_PREFIX + ": " + pathPrefix);
        }
        routes.add(new Route(method, pathPrefix, handler));
    }

    /** The bound port (the ephemeral one when the configuration said 0). */
    public int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    private boolean authorized(FullHttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        if (token == null || header == null || !header.startsWith("Bearer ")) {
            return false;
        }
        // Constant-time comparison: the token must not be guessable byte by byte from response times.
        return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
    }

    private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        private final ManagementServer server;
        private final Supplier<String> metrics;
        private final BooleanSupplier ready;
        private final Supplier<String> readyDetail;

        Handler(ManagementServer server, Supplier<String> metrics, BooleanSupplier ready,
                Supplier<String> readyDetail) {
            this.server = server;
            this.metrics = metrics;
            this.ready = ready;
            this.readyDetail = readyDetail;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            String path = uri.path();
            boolean get = request.method().equals(HttpMethod.GET);
            FullHttpResponse response;
            if (get && path.equals("/metrics")) {
                response = text(HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics.get());
            } else if (get && path.equals("/health")) {
                response = text(HttpResponseStatus.OK, "text/plain", "ok\n");
            } else if (get && path.equals("/ready")) {
                boolean isReady = ready.getAsBoolean();
                response = text(isReady ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
                        "text/plain", (isReady ? "ready\n" : "not ready\n") + readyDetail.get());
            } else if (path.startsWith(ADMIN_PREFIX) && server.token != null) {
                response = admin(request, uri);
            } else {
                response = text(HttpResponseStatus.NOT_FOUND, "text/plain", "not found\n");
            }
            boolean keepAlive = HttpUtil.isKeepAlive(request);
            HttpUtil.setKeepAlive(response, keepAlive);
            var write = ctx.writeAndFlush(response);
            if (!keepAlive) {
                write.addListener(ChannelFutureListener.CLOSE);
            }
        }

        private FullHttpResponse admin(FullHttpRequest request, QueryStringDecoder uri) {
            if (!server.authorized(request)) {
                FullHttpResponse denied = text(HttpResponseStatus.UNAUTHORIZED, "application/json",
                        "{\"error\":\"missing or wrong bearer token\"}\n");
                denied.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
                return denied;
            }
            String method = request.method().name();
            List<Route> matching = new ArrayList<>();
            for (Route route : server.routes) {
                if (uri.path().startsWith(route.pathPrefix())) {
                    matching.add(route);
                    if (route.method().equals(method)) {
                        return answer(route, method, uri, request);
                    }
                }
            }
            return matching.isEmpty()
                    ? text(HttpResponseStatus.NOT_FOUND, "application/json", "{\"error\":\"no such resource\"}\n")
                    : text(HttpResponseStatus.METHOD_NOT_ALLOWED, "application/json",
                            "{\"error\":\"method not allowed\"}\n");
        }

        private static FullHttpResponse answer(Route route, String method, QueryStringDecoder uri,
                FullHttpRequest request) {
            try {
                AdminResponse answer = route.handler().handle(method, uri.path(), uri.parameters(),
                        request.content().toString(StandardCharsets.UTF_8));
                return text(HttpResponseStatus.valueOf(answer.status()), answer.contentType(), answer.body());
            } catch (RuntimeException e) {
                LOG.error("admin {} {} failed: {}", method, uri.path(), e.toString(), e);
                return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "application/json",
                        "{\"error\":\"internal error\"}\n");
            }
        }

        private static FullHttpResponse text(HttpResponseStatus status, String contentType, String body) {
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType)
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
            return response;
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
