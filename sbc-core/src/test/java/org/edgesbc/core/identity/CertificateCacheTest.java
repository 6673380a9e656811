package org.edgesbc.core.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLContext;
import org.bouncycastle.asn1.x509.GeneralName;
import org.edgesbc.core.config.StirShakenConfig;
import org.edgesbc.fixtures.time.ManualClock;
import org.edgesbc.fixtures.tls.TestTls;
import org.edgesbc.policy.identity.Attestation;
import org.edgesbc.policy.identity.CertificateChains;
import org.edgesbc.policy.identity.IdentityStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The cache against a JDK HTTP(S) server on 127.0.0.1 serving a chain made at test time. Lifetimes are decided on a
 * manual clock; only the fetch timeout runs on real time (300 ms where a test waits for it).
 */
class CertificateCacheTest {
    private static final Instant START = Instant.parse("2026-03-02T10:00:00Z");
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration MIN_TTL = Duration.ofMinutes(1);
    private static final Duration MAX_TTL = Duration.ofHours(1);
    private static final Duration NEGATIVE_TTL = Duration.ofSeconds(30);
    private static final List<X509Certificate> CHAIN =
            TestCertificates.chain(START.minus(Duration.ofDays(1)), START.plus(Duration.ofDays(365)));

    private final ManualClock clock = new ManualClock(START, ZoneOffset.UTC);
    private final RecordingMetrics metrics = new RecordingMetrics();
    private final List<AutoCloseable> closeAtEnd = new ArrayList<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private Repository repository;

    @BeforeEach
    void startRepository() throws IOException {
        repository = new Repository(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    }

    @AfterEach
    void stop() throws Exception {
        release.countDown();
        for (AutoCloseable closeable : closeAtEnd) {
            closeable.close();
        }
        repository.stop();
    }

    private static StirShakenConfig.Verification config(Duration fetchTimeout, int entries, Set<String> hosts) {
        return new StirShakenConfig.Verification(Map.of(), Path.of("sti-ca.pem"), Duration.ofSeconds(60),
                fetchTimeout, entries, MIN_TTL, MAX_TTL, NEGATIVE_TTL, hosts);
    }

    private CertificateCache cache(StirShakenConfig.Verification config) {
        CertificateCache cache = new CertificateCache(config, metrics, clock);
        closeAtEnd.add(0, cache);
        return cache;
    }

    private CertificateCache cache() {
        return cache(config(Duration.ofSeconds(5), 100, Set.of()));
    }

    private static CertificateFetch await(CompletableFuture<CertificateFetch> future) throws Exception {
        return future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static FetchFailure failureOf(CertificateCache cache, String url) throws Exception {
        CertificateFetch fetch = await(cache.fetch(url));
        assertThat(fetch.ok()).as("fetch of %s succeeded", url).isFalse();
        return fetch.failure();
    }

    @Test
    void aMissFetchesTheWholeChainAndTheNextRequestIsAHit() throws Exception {
        repository.serve("/chain.pem", 200, Map.of("Cache-Control", "max-age=600"), TestCertificates.pem(CHAIN));
        CertificateCache cache = cache();

        CertificateFetch first = await(cache.fetch(repository.url("/chain.pem")));
        CertificateFetch second = await(cache.fetch(repository.url("/chain.pem")));

        assertThat(first.ok()).isTrue();
        assertThat(first.chain()).containsExactlyElementsOf(CHAIN);
        assertThat(second.chain()).containsExactlyElementsOf(CHAIN);
        assertThat(repository.hits("/chain.pem")).isEqualTo(1);
        assertThat(metrics.events).containsExactly("miss", "ok", "hit");
        assertThat(cache.size()).isEqualTo(1);
        assertThat(cache.entries()).containsExactly(new CertificateCache.Entry(repository.url("/chain.pem"),
                "CN=SHAKEN 1234", START, START.plus(Duration.ofMinutes(10)), null));
    }

    @Test
    void concurrentRequestsForOneUrlShareOneFetch() throws Exception {
        repository.serveAfterRelease("/chain.pem", TestCertificates.pem(CHAIN));
        CertificateCache cache = cache();
        List<CompletableFuture<CertificateFetch>> requests = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            requests.add(cache.fetch(repository.url("/chain.pem")));
        }
        assertThat(repository.arrived.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        assertThat(requests).noneMatch(CompletableFuture::isDone);
        // Listing runs on the cache's thread after the ten look-ups queued there, so all ten have found the fetch in
        // flight before the response may arrive (without it a busy machine let the response overtake the last nine).
        assertThat(cache.entries()).as("a fetch in flight is not listed").isEmpty();

        release.countDown();
        for (CompletableFuture<CertificateFetch> request : requests) {
            assertThat(await(request).chain()).containsExactlyElementsOf(CHAIN);
        }
        assertThat(repository.hits("/chain.pem")).isEqualTo(1);
        assertThat(metrics.events.stream().filter("miss"::equals)).hasSize(10);
    }

    @Test
    void maxAgeKeepsTheChainUntilItEndsThenItIsFetchedAgain() throws Exception {
        repository.serve("/chain.pem", 200, Map.of("Cache-Control", "max-age=600"), TestCertificates.pem(CHAIN));
        CertificateCache cache = cache();
        await(cache.fetch(repository.url("/chain.pem")));

        clock.advance(Duration.ofSeconds(599));
        assertThat(await(cache.fetch(repository.url("/chain.pem"))).ok()).isTrue();
        assertThat(repository.hits("/chain.pem")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(1));
        assertThat(await(cache.fetch(repository.url("/chain.pem"))).ok()).isTrue();
        assertThat(repository.hits("/chain.pem")).isEqualTo(2);
    }

    @Test
    void lifetimesFromTheHeadersAreClampedIntoTheConfiguredRange() throws Exception {
        byte[] pem = TestCertificates.pem(CHAIN);
        repository.serve("/short.pem", 200, Map.of("Cache-Control", "max-age=5"), pem);
        repository.serve("/long.pem", 200, Map.of("Cache-Control", "max-age=86400"), pem);
        repository.serve("/no-store.pem", 200, Map.of("Cache-Control", "no-store"), pem);
        // The JDK server dates its answers by the real clock, months away from the manual one: the lifetime is
        // Expires minus that Date (up to a second less, as the answer may be dated a second later).
        repository.serve("/expires.pem", 200,
                Map.of("Expires", DateFormatter.format(Date.from(Instant.now().plus(Duration.ofMinutes(20))))), pem);
        CertificateCache cache = cache();

        for (String path : List.of("/short.pem", "/long.pem", "/no-store.pem", "/expires.pem")) {
            assertThat(await(cache.fetch(repository.url(path))).ok()).isTrue();
        }

        Map<String, Instant> expiries = new HashMap<>();
        cache.entries().forEach(entry -> expiries.put(entry.url().replaceFirst(".*/", "/"), entry.expires()));
        assertThat(expiries).containsEntry("/short.pem", START.plus(MIN_TTL))
                .containsEntry("/no-store.pem", START.plus(MIN_TTL))
                .containsEntry("/long.pem", START.plus(MAX_TTL));
        assertThat(expiries.get("/expires.pem")).isBetween(START.plus(Duration.ofMinutes(20)).minusSeconds(2),
                START.plus(Duration.ofMinutes(20)));
        clock.advance(MIN_TTL.minusSeconds(1));
        await(cache.fetch(repository.url("/no-store.pem")));
        assertThat(repository.hits("/no-store.pem")).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        await(cache.fetch(repository.url("/no-store.pem")));
        assertThat(repository.hits("/no-store.pem")).isEqualTo(2);
    }

    @Test
    void aChainIsNotKeptPastItsLeafsNotAfter() throws Exception {
        Instant notAfter = START.plus(Duration.ofMinutes(10));
        List<X509Certificate> shortLived = TestCertificates.chain(START.minus(Duration.ofDays(1)), notAfter);
        repository.serve("/chain.pem", 200, Map.of("Cache-Control", "max-age=3600"),
                TestCertificates.pem(shortLived));
        CertificateCache cache = cache();

        await(cache.fetch(repository.url("/chain.pem")));

        assertThat(cache.entries()).singleElement().extracting(CertificateCache.Entry::expires).isEqualTo(notAfter);
        clock.advance(Duration.ofMinutes(10));
        await(cache.fetch(repository.url("/chain.pem")));
        assertThat(repository.hits("/chain.pem")).isEqualTo(2);
    }

    @Test
    void notFoundAndRedirectsAreHttpStatusFailuresAndRedirectsAreNotFollowed() throws Exception {
        repository.serve("/chain.pem", 200, Map.of(), TestCertificates.pem(CHAIN));
        repository.serve("/moved.pem", 302, Map.of("Location", repository.url("/chain.pem")), new byte[0]);
        CertificateCache cache = cache();

        assertThat(failureOf(cache, repository.url("/missing.pem"))).isEqualTo(FetchFailure.HTTP_STATUS);
        assertThat(failureOf(cache, repository.url("/moved.pem"))).isEqualTo(FetchFailure.HTTP_STATUS);
        assertThat(repository.hits("/moved.pem")).isEqualTo(1);
        assertThat(repository.hits("/chain.pem")).isZero();
    }

    @Test
    void aServerThatNeverAnswersIsATimeoutAfterTheFetchTimeout() throws Exception {
        // The kernel completes the TCP handshake into the backlog; nobody ever reads the request.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CertificateCache cache = cache(config(Duration.ofMillis(300), 100, Set.of()));
            String url = "http://127.0.0.1:" + silent.getLocalPort() + "/chain.pem";
            assertThat(failureOf(cache, url)).isEqualTo(FetchFailure.TIMEOUT);
            assertThat(metrics.events).containsExactly("miss", "timeout");
        }
    }

    @Test
    void aBodyBeyondTheChainBoundIsTooLargeWithOrWithoutContentLength() throws Exception {
        byte[] tooLarge = new byte[CertificateChains.MAX_BYTES + 1];
        Arrays.fill(tooLarge, (byte) 'A');
        repository.serve("/announced.pem", 200, Map.of(), tooLarge);
        repository.serveChunked("/chunked.pem", tooLarge);
        CertificateCache cache = cache();

        assertThat(failureOf(cache, repository.url("/announced.pem"))).isEqualTo(FetchFailure.TOO_LARGE);
        assertThat(failureOf(cache, repository.url("/chunked.pem"))).isEqualTo(FetchFailure.TOO_LARGE);
    }

    @Test
    void aBodyThatIsNotAPemChainIsUnparseable() throws Exception {
        repository.serve("/garbage.pem", 200, Map.of(), "-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----\n"
                .getBytes(StandardCharsets.US_ASCII));
        repository.serve("/empty.pem", 200, Map.of(), new byte[0]);
        CertificateCache cache = cache();

        assertThat(failureOf(cache, repository.url("/garbage.pem"))).isEqualTo(FetchFailure.UNPARSEABLE);
        assertThat(failureOf(cache, repository.url("/empty.pem"))).isEqualTo(FetchFailure.UNPARSEABLE);
    }

    @Test
    void onlyAllowedHostsAreFetchedComparedWithoutCase() throws Exception {
        repository.serve("/chain.pem", 200, Map.of(), TestCertificates.pem(CHAIN));
        CertificateCache cache = cache(config(Duration.ofSeconds(5), 100, Set.of("LocalHost")));

        assertThat(failureOf(cache, repository.url("/chain.pem"))).isEqualTo(FetchFailure.HOST_NOT_ALLOWED);
        assertThat(repository.hits("/chain.pem")).isZero();
        assertThat(cache.size()).isZero();

        String byName = "http://LOCALHOST:" + repository.port() + "/chain.pem";
        assertThat(await(cache.fetch(byName)).chain()).containsExactlyElementsOf(CHAIN);
    }

    @Test
    void aUrlWithAPortIsFetchedWithThatPortInTheHostHeader() throws Exception {
        repository.serve("/chain.pem", 200, Map.of(), TestCertificates.pem(CHAIN));
        CertificateCache cache = cache();

        assertThat(await(cache.fetch(repository.url("/chain.pem?version=2"))).ok()).isTrue();

        assertThat(repository.hostHeaders).containsExactly("127.0.0.1:" + repository.port());
        assertThat(repository.hits("/chain.pem")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://127.0.0.1/chain.pem", "https://user:secret@127.0.0.1/chain.pem", "/chain.pem",
        "https:chain.pem", "http://bad host/chain.pem", "https://under_score:99999/chain.pem", ""})
    void urlsThatAreNotAbsoluteHttpWithAHostAndNoUserInfoAreRefusedWithoutAnEntry(String url) throws Exception {
        CertificateCache cache = cache();
        assertThat(failureOf(cache, url)).isEqualTo(FetchFailure.BAD_URL);
        assertThat(cache.size()).isZero();
        assertThat(metrics.events).containsExactly("bad_url");
    }

    @Test
    void aFailedUrlIsNotFetchedAgainWithinTheNegativeTtl() throws Exception {
        CertificateCache cache = cache();
        String missing = repository.url("/missing.pem");
        assertThat(failureOf(cache, missing)).isEqualTo(FetchFailure.HTTP_STATUS);

        clock.advance(NEGATIVE_TTL.minusSeconds(1));
        assertThat(failureOf(cache, missing)).isEqualTo(FetchFailure.HTTP_STATUS);
        assertThat(repository.hits("/missing.pem")).isEqualTo(1);
        assertThat(metrics.events).containsExactly("miss", "http_status", "hit");

        clock.advance(Duration.ofSeconds(1));
        assertThat(failureOf(cache, missing)).isEqualTo(FetchFailure.HTTP_STATUS);
        assertThat(repository.hits("/missing.pem")).isEqualTo(2);
    }

    @Test
    void beyondTheBoundTheEntryExpiringFirstIsEvicted() throws Exception {
        byte[] pem = TestCertificates.pem(CHAIN);
        repository.serve("/a.pem", 200, Map.of("Cache-Control", "max-age=600"), pem);
        repository.serve("/b.pem", 200, Map.of("Cache-Control", "max-age=300"), pem);
        repository.serve("/c.pem", 200, Map.of("Cache-Control", "max-age=900"), pem);
        CertificateCache cache = cache(config(Duration.ofSeconds(5), 2, Set.of()));

        for (String path : List.of("/a.pem", "/b.pem", "/c.pem")) {
            assertThat(await(cache.fetch(repository.url(path))).ok()).isTrue();
        }

        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.entries()).extracting(CertificateCache.Entry::url)
                .containsExactly(repository.url("/a.pem"), repository.url("/c.pem"));
        await(cache.fetch(repository.url("/b.pem")));
        assertThat(repository.hits("/b.pem")).isEqualTo(2);
    }

    @Test
    void whenEveryEntryIsAFetchInFlightANewUrlIsRefusedAsCacheFull() throws Exception {
        repository.serveAfterRelease("/slow.pem", TestCertificates.pem(CHAIN));
        repository.serve("/other.pem", 200, Map.of(), TestCertificates.pem(CHAIN));
        CertificateCache cache = cache(config(Duration.ofSeconds(5), 1, Set.of()));
        CompletableFuture<CertificateFetch> slow = cache.fetch(repository.url("/slow.pem"));
        assertThat(repository.arrived.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();

        assertThat(failureOf(cache, repository.url("/other.pem"))).isEqualTo(FetchFailure.CACHE_FULL);
        assertThat(repository.hits("/other.pem")).isZero();

        release.countDown();
        assertThat(await(slow).ok()).isTrue();
    }

    @Test
    void expiredEntriesAreSweptWithoutBeingAskedFor() throws Exception {
        repository.serve("/chain.pem", 200, Map.of(), TestCertificates.pem(CHAIN));
        CertificateCache cache = cache();
        await(cache.fetch(repository.url("/chain.pem")));
        assertThat(cache.size()).isEqualTo(1);

        clock.advance(MIN_TTL);

        long deadline = System.nanoTime() + WAIT.toNanos();
        while (cache.size() != 0 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
        assertThat(cache.size()).isZero();
        assertThat(cache.entries()).isEmpty();
    }

    @Test
    void afterCloseRequestsFail() throws Exception {
        CertificateCache cache = new CertificateCache(config(Duration.ofSeconds(5), 10, Set.of()), metrics, clock);
        cache.close();
        assertThat(cache.fetch(repository.url("/chain.pem"))).failsWithin(WAIT);
        assertThatThrownBy(cache::entries).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void httpsIsFetchedFromAServerWhoseCertificateNamesTheHost(@TempDir Path directory) throws Exception {
        TestCertificates.TlsServer good = TestCertificates.tlsServer(new GeneralName(GeneralName.iPAddress,
                "127.0.0.1"));
        Repository secure = httpsRepository(good, directory);
        secure.serve("/chain.pem", 200, Map.of(), TestCertificates.pem(CHAIN));
        CertificateCache cache = trusting(good.certificate());

        assertThat(await(cache.fetch(secure.url("/chain.pem"))).chain()).containsExactlyElementsOf(CHAIN);
    }

    @Test
    void httpsFailsToConnectWhenTheCertificateNamesAnotherHostOrIsNotTrusted(@TempDir Path directory)
            throws Exception {
        TestCertificates.TlsServer otherName = TestCertificates.tlsServer(new GeneralName(GeneralName.dNSName,
                "certificates.example"));
        Repository secure = httpsRepository(otherName, directory);
        secure.serve("/chain.pem", 200, Map.of(), TestCertificates.pem(CHAIN));

        assertThat(failureOf(trusting(otherName.certificate()), secure.url("/chain.pem")))
                .isEqualTo(FetchFailure.CONNECT_FAILED);
        // The JDK's default trust store does not hold the test's self-signed certificate.
        assertThat(failureOf(cache(), secure.url("/chain.pem"))).isEqualTo(FetchFailure.CONNECT_FAILED);
        assertThat(secure.hits("/chain.pem")).isZero();
    }

    private CertificateCache trusting(X509Certificate certificate) throws Exception {
        SslContext tls = SslContextBuilder.forClient().trustManager(certificate)
                .endpointIdentificationAlgorithm("HTTPS").build();
        CertificateCache cache = new CertificateCache(config(Duration.ofSeconds(5), 10, Set.of()), metrics, clock,
                tls);
        closeAtEnd.add(0, cache);
        return cache;
    }

    private Repository httpsRepository(TestCertificates.TlsServer server, Path directory) throws Exception {
        Path certificatePem = directory.resolve("server.pem");
        Files.write(certificatePem, TestCertificates.pem(List.of(server.certificate())));
        SSLContext context = TestTls.withKey(server.keys().getPrivate(), new Certificate[] {server.certificate()},
                certificatePem);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(context));
        Repository secure = new Repository(https);
        closeAtEnd.add(secure::stop);
        return secure;
    }

    /** A certificate repository: fixed answers per path, a count of requests per path and the Host headers seen. */
    private final class Repository {
        final CountDownLatch arrived = new CountDownLatch(1);
        final ConcurrentLinkedQueue<String> hostHeaders = new ConcurrentLinkedQueue<>();
        private final HttpServer server;
        private final ExecutorService threads = Executors.newCachedThreadPool();
        private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
        private final Map<String, Answer> answers = new ConcurrentHashMap<>();

        Repository(HttpServer server) {
            this.server = server;
            server.setExecutor(threads);
            server.createContext("/", exchange -> {
                String path = exchange.getRequestURI().getPath();
                hits.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                hostHeaders.add(exchange.getRequestHeaders().getFirst("Host"));
                Answer answer = answers.getOrDefault(path, new Answer(404, Map.of(), new byte[0], false, false));
                if (answer.afterRelease()) {
                    arrived.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                Headers headers = exchange.getResponseHeaders();
                answer.headers().forEach(headers::set);
                long length = answer.chunked() ? 0 : answer.body().length == 0 ? -1 : answer.body().length;
                exchange.sendResponseHeaders(answer.status(), length);
                try (var body = exchange.getResponseBody()) {
                    body.write(answer.body());
                } catch (IOException e) {
                    // The cache hung up on a body it refused.
                }
                exchange.close();
            });
            server.start();
        }

        void serve(String path, int status, Map<String, String> headers, byte[] body) {
            answers.put(path, new Answer(status, headers, body, false, false));
        }

        void serveChunked(String path, byte[] body) {
            answers.put(path, new Answer(200, Map.of(), body, true, false));
        }

        void serveAfterRelease(String path, byte[] body) {
            answers.put(path, new Answer(200, Map.of(), body, false, true));
        }

        int port() {
            return server.getAddress().getPort();
        }

        String url(String path) {
            String scheme = server instanceof HttpsServer ? "https" : "http";
            return scheme + "://127.0.0.1:" + port() + path;
        }

        int hits(String path) {
            AtomicInteger count = hits.get(path);
            return count == null ? 0 : count.get();
        }

        void stop() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    private record Answer(int status, Map<String, String> headers, byte[] body, boolean chunked,
            boolean afterRelease) { }

    /** Records what the cache counts, in order: cache results, then fetch outcomes by their tag. */
    private static final class RecordingMetrics implements IdentityMetrics {
        final ConcurrentLinkedQueue<String> events = new ConcurrentLinkedQueue<>();

        @Override
        public void certificateFetched() {
            events.add("ok");
        }

        @Override
        public void certificateFetchFailed(FetchFailure failure) {
            events.add(failure.name().toLowerCase(Locale.ROOT));
        }

        @Override
        public void certificateCacheHit(boolean hit) {
            events.add(hit ? "hit" : "miss");
        }

        @Override
        public void signed(Attestation attestation) {
            events.add("signed");
        }

        @Override
        public void verified(IdentityStatus status) {
            events.add("verified");
        }
    }
}
