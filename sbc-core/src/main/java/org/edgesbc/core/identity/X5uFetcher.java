package org.edgesbc.core.identity;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.resolver.dns.DnsAddressResolverGroup;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.util.concurrent.ScheduledFuture;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.edgesbc.policy.identity.CertificateChains;

/**
 * One HTTP GET per x5u fetch on the cache's event loop: Netty's HTTP client codec and aggregator bounded at
 * {@link CertificateChains#MAX_BYTES}, TLS with hostname verification for https, names resolved by Netty's
 * asynchronous DNS resolver (the JDK's resolver would block the loop for as long as a slow name server likes), one
 * connection per fetch, closed when it ends. Every fetch ends exactly once, in {@link Done}, on the loop: with the
 * chain, or with the first failure among connect, TLS, HTTP, body and {@code timeout}.
 *
 * <p>Redirects are not followed (a 3xx is {@link FetchFailure#HTTP_STATUS}): the URL comes from a caller's INVITE,
 * and a redirect would let the server behind it point the SBC at any address, internal services included, past the
 * host allowlist; SHAKEN certificate repositories serve the chain at the URL they sign.
 */
final class X5uFetcher implements AutoCloseable {
    /** The outcome of one fetch, called once on the loop. */
    interface Done {
        void fetched(List<X509Certificate> chain, HttpHeaders headers);

        void failed(FetchFailure failure);
    }

    /** RFC 8555 §9.1's type for a PEM chain; what ATIS-1000074 repositories serve. */
    private static final String PEM_CHAIN = "application/pem-certificate-chain";
    /** Room for the status line and headers of any sane answer; a larger header block is refused. */
    private static final int MAX_HEADER_BYTES = 8192;

    private final EventLoop loop;
    private final SslContext tls;
    private final Duration timeout;
    private final DnsAddressResolverGroup resolver;
    private final Bootstrap bootstrap;

    X5uFetcher(EventLoop loop, Class<? extends SocketChannel> socketType,
            Class<? extends DatagramChannel> datagramType, SslContext tls, Duration timeout) {
        this.loop = loop;
        this.tls = tls;
        this.timeout = timeout;
        this.resolver = new DnsAddressResolverGroup(new DnsNameResolverBuilder()
                .datagramChannelType(datagramType).socketChannelType(socketType)
                .queryTimeoutMillis(timeout.toMillis()));
        this.bootstrap = new Bootstrap().group(loop).channel(socketType).resolver(resolver)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    /** Starts a fetch of {@code target}; must be called on the loop. */
    void fetch(X5uTarget target, Done done) {
        Attempt attempt = new Attempt(done);
        attempt.timer = loop.schedule(() -> attempt.finish(FetchFailure.TIMEOUT), timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        bootstrap.clone().handler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel channel) {
                attempt.channel = channel;
                if (target.https()) {
                    // The peer host names SNI (RFC 6066 §3) and is what the certificate is verified against.
                    channel.pipeline().addLast(tls.newHandler(channel.alloc(), target.host(), target.port()));
                }
                channel.pipeline()
                        .addLast(new HttpClientCodec(new HttpDecoderConfig().setMaxHeaderSize(MAX_HEADER_BYTES),
                                HttpClientCodec.DEFAULT_PARSE_HTTP_AFTER_CONNECT_REQUEST,
                                HttpClientCodec.DEFAULT_FAIL_ON_MISSING_RESPONSE))
                        .addLast(new HttpObjectAggregator(CertificateChains.MAX_BYTES))
                        .addLast(new ResponseHandler(target, attempt));
            }
        }).connect(target.host(), target.port()).addListener(result -> {
            if (!result.isSuccess()) {
                attempt.finish(FetchFailure.CONNECT_FAILED);
            }
        });
    }

    @Override
    public void close() {
        resolver.close();
    }

    /** One fetch in progress; touched only on the loop. */
    private static final class Attempt {
        private final Done done;
        private ScheduledFuture<?> timer;
        private Channel channel;
        private boolean finished;

        Attempt(Done done) {
            this.done = done;
        }

        void finish(FetchFailure failure) {
            if (end()) {
                done.failed(failure);
            }
        }

        void finish(List<X509Certificate> chain, HttpHeaders headers) {
            if (end()) {
                done.fetched(chain, headers);
            }
        }

        private boolean end() {
            if (finished) {
                return false;
            }
            finished = true;
            timer.cancel(false);
            // No channel when it could not even be registered; the connect failure ends the attempt then.
            if (channel != null) {
                channel.close();
            }
            return true;
        }
    }

    /** Sends the GET when connected and turns the one answer, or what ended the connection, into an outcome. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final X5uTarget target;
        private final Attempt attempt;

        ResponseHandler(X5uTarget target, Attempt attempt) {
            this.target = target;
            this.attempt = attempt;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
                    target.requestTarget());
            request.headers().set(HttpHeaderNames.HOST, target.hostHeader())
                    .set(HttpHeaderNames.ACCEPT, PEM_CHAIN)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            // TLS buffers the request until its handshake is done.
            ctx.writeAndFlush(request);
            ctx.fireChannelActive();
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            if (response.decoderResult().isFailure()) {
                attempt.finish(response.decoderResult().cause() instanceof TooLongFrameException
                        ? FetchFailure.TOO_LARGE : FetchFailure.UNPARSEABLE);
            } else if (!response.status().equals(HttpResponseStatus.OK)) {
                attempt.finish(FetchFailure.HTTP_STATUS);
            } else {
                List<X509Certificate> chain;
                try {
                    chain = CertificateChains.parsePem(ByteBufUtil.getBytes(response.content()));
                } catch (IllegalArgumentException e) {
                    attempt.finish(FetchFailure.UNPARSEABLE);
                    return;
                }
                attempt.finish(chain, response.headers());
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // The aggregator refuses a body, or a Content-Length, beyond the bound; anything else here is the
            // connection or its TLS handshake failing.
            attempt.finish(cause instanceof TooLongFrameException ? FetchFailure.TOO_LARGE
                    : FetchFailure.CONNECT_FAILED);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            attempt.finish(FetchFailure.CONNECT_FAILED);
            ctx.fireChannelInactive();
        }
    }
}
