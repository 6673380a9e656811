package org.edgesbc.core.identity;

import io.netty.channel.EventLoop;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import javax.net.ssl.SSLException;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.core.config.StirShakenConfig;

/**
 * The certificate chains served at x5u URLs (RFC 8224 §4.1, RFC 8588), fetched once and kept for as long as their
 * answers allow, for the verifier of inbound INVITEs ({@code PassportVerifier.verify}).
 *
 * <p><b>Thread.</b> Owns one event loop, {@code sbc-certificates} (epoll where the transport uses it, else NIO): the
 * fetches, their timeouts and every read and write of the table run there and nowhere else, so the table needs no
 * lock. {@link #fetch} only hands the URL to that thread and never blocks; its future completes there, and callers
 * hand the result on to their own thread.
 *
 * <p><b>Table.</b> One entry per URL (the string as received): a fetch in flight, whose waiters all get its outcome
 * (concurrent requests share one fetch), or an outcome kept until it expires. A chain is kept for the lifetime
 * {@link CacheLifetime} gives it (HTTP freshness clamped into [{@code cache-min-ttl}, {@code cache-max-ttl}], never
 * past the leaf's notAfter); a failed fetch for {@code negative-ttl}, during which its URL is not fetched again and
 * its requests fail at once. URLs refused before any fetch ({@link FetchFailure#BAD_URL},
 * {@link FetchFailure#HOST_NOT_ALLOWED}) take no entry, so junk URLs cannot push good chains out. At most
 * {@code cache-entries} entries, fetches in flight included: a new URL beyond the bound evicts the kept entry that
 * expires first, and is refused with {@link FetchFailure#CACHE_FULL} when every entry is in flight. Expired entries
 * go when they are next asked for and in a sweep every second.
 *
 * <p><b>Reading from other threads.</b> {@link #size()} reads a count the loop publishes after each change;
 * {@link #entries()} hands a snapshot request to the loop and waits for it at most two seconds.
 */
public final class CertificateCache implements AutoCloseable {
    private static final Duration SWEEP_PERIOD = Duration.ofSeconds(1);
    private static final Duration ENTRIES_WAIT = Duration.ofSeconds(2);

    /**
     * An entry of the table as the admin API lists it.
     *
     * @param url the x5u URL
     * @param leafSubject the leaf certificate's subject (RFC 2253), null for a failure
     * @param fetched when the fetch ended
     * @param expires when the entry leaves the table
     * @param failure why the fetch failed, null for a chain
     */
    public record Entry(String url, String leafSubject, Instant fetched, Instant expires, FetchFailure failure) { }

    private final IdentityMetrics metrics;
    private final Clock clock;
    private final Duration minTtl;
    private final Duration maxTtl;
    private final Duration negativeTtl;
    private final int maxEntries;
    private final Set<String> allowedHosts;
    private final MultiThreadIoEventLoopGroup group;
    private final EventLoop loop;
    private final X5uFetcher fetcher;
    private final RateLimitedLog log = new RateLimitedLog("org.edgesbc.identity");

    // Touched only on the loop.
    private final Map<String, Slot> slots = new HashMap<>();
    /** The entries with an outcome, the one that expires first first: what the sweep and eviction take. */
    private final TreeSet<Slot> byExpiry = new TreeSet<>(
            Comparator.comparing((Slot slot) -> slot.expires).thenComparingLong(slot -> slot.sequence));
    private long sequence;

    private volatile int size;

    /** A cache that fetches https URLs trusting the JDK's default CA certificates. */
    public CertificateCache(StirShakenConfig.Verification config, IdentityMetrics metrics, Clock clock) {
        this(config, metrics, clock, defaultTls());
    }

    /**
     * @param config the fetch timeout, the table's bound and lifetimes, the allowed hosts
     * @param metrics fetch outcomes and cache hits
     * @param clock the time entries are kept by (fetch timeouts run on the loop's own timer)
     * @param tls the client context for https URLs; it must verify the server's host name (endpoint identification
     *     {@code HTTPS}). Tests pass one that trusts their own CA.
     */
    public CertificateCache(StirShakenConfig.Verification config, IdentityMetrics metrics, Clock clock,
            SslContext tls) {
        if (config.cacheEntries() < 1 || !positive(config.fetchTimeout()) || !positive(config.cacheMinTtl())
                || config.cacheMaxTtl().compareTo(config.cacheMinTtl()) < 0 || !positive(config.negativeTtl())) {
            throw new IllegalArgumentException("the certificate cache needs at least one entry, positive timeout and"
                    + " lifetimes, and cache-min-ttl <= cache-max-ttl: " + config);
        }
        this.metrics = metrics;
        this.clock = clock;
        this.minTtl = config.cacheMinTtl();
        this.maxTtl = config.cacheMaxTtl();
        this.negativeTtl = config.negativeTtl();
        this.maxEntries = config.cacheEntries();
        this.allowedHosts = config.allowedHosts().stream().map(host -> host.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("sbc-certificates"), io);
        this.loop = group.next();
        this.fetcher = new X5uFetcher(loop, epoll ? EpollSocketChannel.class : NioSocketChannel.class,
                epoll ? EpollDatagramChannel.class : NioDatagramChannel.class, tls, config.fetchTimeout());
        long sweepNanos = SWEEP_PERIOD.toNanos();
        loop.scheduleAtFixedRate(this::sweepNow, sweepNanos, sweepNanos, TimeUnit.NANOSECONDS);
    }

    private static boolean positive(Duration duration) {
        return !duration.isNegative() && !duration.isZero();
    }

    private static SslContext defaultTls() {
        try {
            // No trust manager given: the JDK's default trust store decides.
            return SslContextBuilder.forClient().endpointIdentificationAlgorithm("HTTPS").build();
        } catch (SSLException e) {
            throw new IllegalStateException("cannot build the TLS client context for x5u fetches", e);
        }
    }

    /**
     * The chain served at {@code x5u}: from the table, or fetched over http or https. Never blocks. The future
     * completes on the cache's thread with a chain or a {@link FetchFailure} (at the latest when
     * {@code fetch-timeout} has passed since the fetch began); it fails only when the cache is closed.
     */
    public CompletableFuture<CertificateFetch> fetch(String x5u) {
        CompletableFuture<CertificateFetch> answer = new CompletableFuture<>();
        try {
            loop.execute(() -> {
                try {
                    lookUp(x5u, answer);
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                    log.error("lookup", "certificate cache lookup failed", e);
                }
            });
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(new IllegalStateException("the certificate cache is closed", e));
        }
        return answer;
    }

    /** Entries in the table, fetches in flight included; the count the cache's thread last published. */
    public int size() {
        return size;
    }

    /**
     * The entries with an outcome, the one that expires first first (fetches in flight are not listed). Asks the
     * cache's thread and waits at most two seconds.
     *
     * @throws IllegalStateException when the cache's thread did not answer in time or the cache is closed
     */
    public List<Entry> entries() {
        if (loop.inEventLoop()) {
            return snapshot();
        }
        try {
            return loop.submit(this::snapshot).get(ENTRIES_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing the certificate cache", e);
        } catch (ExecutionException | TimeoutException | RejectedExecutionException e) {
            throw new IllegalStateException("the certificate cache did not list its entries", e);
        }
    }

    /**
     * Stops the cache's thread; requests still waiting for a fetch fail (exceptionally), later requests too.
     */
    @Override
    public void close() {
        try {
            loop.execute(this::failWaiters);
        } catch (RejectedExecutionException e) {
            return;
        }
        fetcher.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private void lookUp(String x5u, CompletableFuture<CertificateFetch> answer) {
        Instant now = clock.instant();
        Slot slot = slots.get(x5u);
        if (slot != null && slot.result != null && !slot.expires.isAfter(now)) {
            remove(slot);
            slot = null;
        }
        if (slot != null) {
            metrics.certificateCacheHit(slot.result != null);
            if (slot.result != null) {
                answer.complete(slot.result);
            } else {
                slot.waiters.add(answer);
            }
            return;
        }
        X5uTarget target = X5uTarget.parse(x5u).orElse(null);
        if (target == null) {
            refuse(answer, FetchFailure.BAD_URL);
            return;
        }
        if (!target.allowedBy(allowedHosts)) {
            refuse(answer, FetchFailure.HOST_NOT_ALLOWED);
            return;
        }
        if (slots.size() >= maxEntries && !makeRoom(now)) {
            refuse(answer, FetchFailure.CACHE_FULL);
            return;
        }
        metrics.certificateCacheHit(false);
        Slot fetching = new Slot(x5u);
        fetching.waiters.add(answer);
        slots.put(x5u, fetching);
        publishSize();
        fetcher.fetch(target, new X5uFetcher.Done() {
            @Override
            public void fetched(List<X509Certificate> chain, HttpHeaders headers) {
                metrics.certificateFetched();
                Instant arrived = clock.instant();
                settle(fetching, CertificateFetch.of(chain), arrived,
                        CacheLifetime.expires(headers, arrived, chain.get(0), minTtl, maxTtl));
            }

            @Override
            public void failed(FetchFailure failure) {
                metrics.certificateFetchFailed(failure);
                log.info(failure.name(), "x5u fetch failed ({}): {}", failure, x5u);
                Instant failedAt = clock.instant();
                settle(fetching, CertificateFetch.failed(failure), failedAt, failedAt.plus(negativeTtl));
            }
        });
    }

    private void refuse(CompletableFuture<CertificateFetch> answer, FetchFailure failure) {
        metrics.certificateFetchFailed(failure);
        answer.complete(CertificateFetch.failed(failure));
    }

    /** Gives a fetch's outcome to its waiters and keeps it until {@code expires}, unless that is already past. */
    private void settle(Slot slot, CertificateFetch result, Instant now, Instant expires) {
        if (slots.get(slot.url) != slot) {
            // The cache was closed meanwhile and its waiters already failed.
            return;
        }
        slot.result = result;
        slot.fetched = now;
        slot.expires = expires;
        slot.sequence = sequence++;
        if (expires.isAfter(now)) {
            byExpiry.add(slot);
        } else {
            slots.remove(slot.url);
            publishSize();
        }
        for (CompletableFuture<CertificateFetch> waiter : slot.waiters) {
            waiter.complete(result);
        }
        slot.waiters.clear();
    }

    /** Frees one place for a new URL: expired entries first, else the kept entry that expires first. */
    private boolean makeRoom(Instant now) {
        sweep(now);
        if (slots.size() < maxEntries) {
            return true;
        }
        if (byExpiry.isEmpty()) {
            return false;
        }
        remove(byExpiry.first());
        return true;
    }

    private void sweep(Instant now) {
        while (!byExpiry.isEmpty() && !byExpiry.first().expires.isAfter(now)) {
            remove(byExpiry.first());
        }
    }

    private void remove(Slot slot) {
        byExpiry.remove(slot);
        slots.remove(slot.url);
        publishSize();
    }

    private void publishSize() {
        size = slots.size();
    }

    private List<Entry> snapshot() {
        List<Entry> entries = new ArrayList<>(byExpiry.size());
        for (Slot slot : byExpiry) {
            CertificateFetch result = slot.result;
            String subject = result.ok() ? result.chain().get(0).getSubjectX500Principal().getName() : null;
            entries.add(new Entry(slot.url, subject, slot.fetched, slot.expires, result.failure()));
        }
        return List.copyOf(entries);
    }

    private void failWaiters() {
        IllegalStateException closed = new IllegalStateException("the certificate cache is closed");
        for (Slot slot : slots.values()) {
            for (CompletableFuture<CertificateFetch> waiter : slot.waiters) {
                waiter.completeExceptionally(closed);
            }
        }
        slots.clear();
        byExpiry.clear();
        publishSize();
    }

    /** The periodic sweep; a failure is logged instead of ending the schedule. */
    private void sweepNow() {
        try {
            sweep(clock.instant());
        } catch (RuntimeException e) {
            log.error("sweep", "certificate cache sweep failed", e);
        }
    }

    /** One URL's entry: in flight while {@code result} is null, then its outcome until {@code expires}. */
    private static final class Slot {
        final String url;
        final List<CompletableFuture<CertificateFetch>> waiters = new ArrayList<>(1);
        CertificateFetch result;
        Instant fetched;
        Instant expires;
        long sequence;

        Slot(String url) {
            this.url = url;
        }
    }
}
