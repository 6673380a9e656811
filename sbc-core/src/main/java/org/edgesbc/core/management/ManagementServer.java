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

/**
 * The management HTTP listener: Prometheus {@code GET /metrics}, {@code GET /health} (the process serves),
 * {@code GET /ready} (the SBC accepts calls), and admin routes under {@code /admin/} that require
 * {@code Authorization: Bearer <token>} and do not exist when no token is configured. On its own small event loop so
 * that a scrape never competes with SIP I/O; requests are capped at 64 KB and 10 seconds.
 */
public final class ManagementServer implements AutoCloseable {
    private static final int MAX_REQUEST_BYTES = 64 * 1024;

    /** One admin operation. */
    public interface AdminHandler {
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
    private final Channel channel;
    private final byte[] token;
    private final List<Route> routes = new CopyOnWriteArrayList<>();

    private ManagementServer(EventLoopGroup group, Channel channel, String token) {
        this.group = group;
        this.channel = channel;
        this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
    }

    public static ManagementServer start(ManagementConfig config, Supplier<String> metrics, BooleanSupplier ready)
            throws IOException, InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sbc-management"),
                NioIoHandler.newFactory());
        ManagementServer[] self = new ManagementServer[1];
        var future = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new ReadTimeoutHandler(10, TimeUnit.SECONDS))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(MAX_REQUEST_BYTES))
                                .addLast(new Handler(self[0], metrics, ready));
                    }
                })
                .bind(new InetSocketAddress(config.address(), config.port())).await();
        if (!future.isSuccess()) {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new IOException("cannot bind the management listener on " + config.address() + ":" + config.port()
                    + ": " + future.cause().getMessage(), future.cause());
        }
        self[0] = new ManagementServer(group, future.channel(), config.token());
        return self[0];
    }

    /** Registers an admin route: requests whose method matches and whose path starts with the prefix. */
    public void route(String method, String pathPrefix, AdminHandler handler) {
        routes.add(new Route(method, pathPrefix, handler));
    }

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

        Handler(ManagementServer server, Supplier<String> metrics, BooleanSupplier ready) {
            this.server = server;
            this.metrics = metrics;
            this.ready = ready;
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
                        "text/plain", isReady ? "ready\n" : "not ready\n");
            } else if (path.startsWith("/admin/") && server != null && server.token != null) {
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
                        AdminResponse answer = route.handler().handle(method, uri.path(), uri.parameters(),
                                request.content().toString(StandardCharsets.UTF_8));
                        return text(HttpResponseStatus.valueOf(answer.status()), answer.contentType(), answer.body());
                    }
                }
            }
            return matching.isEmpty()
                    ? text(HttpResponseStatus.NOT_FOUND, "application/json", "{\"error\":\"no such resource\"}\n")
                    : text(HttpResponseStatus.METHOD_NOT_ALLOWED, "application/json",
                            "{\"error\":\"method not allowed\"}\n");
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
