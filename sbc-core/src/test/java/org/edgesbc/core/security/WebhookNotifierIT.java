package org.edgesbc.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The webhook against a real HTTP server on loopback: delivery, and retries that end in a counted failure. */
class WebhookNotifierIT {
    private static final SecurityEvent EVENT = new SecurityEvent(Instant.parse("2026-11-21T02:00:00Z"), "127.0.0.3",
            "pbx", "300", "TOLL_FRAUD", "spend_cap", Map.of("spent_today_micros", 3_000_000), "cut_and_hold", null);

    @Test
    void eventsArePostedAsJsonAndFailuresAreRetriedThenCounted() throws Exception {
        LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
        AtomicInteger failing = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/hook", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/broken", exchange -> {
            failing.incrementAndGet();
            exchange.sendResponseHeaders(500, -1);
            exchange.close();
        });
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try (WebhookNotifier ok = new WebhookNotifier(URI.create(base + "/hook"), Duration.ofSeconds(2));
                WebhookNotifier broken = new WebhookNotifier(URI.create(base + "/broken"), Duration.ofSeconds(2))) {
            ok.post(EVENT);
            String body = received.poll(5, TimeUnit.SECONDS);
            assertThat(body).isEqualTo(EVENT.toJson());
            broken.post(EVENT);
            for (int i = 0; i < 100 && broken.failed() == 0; i++) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(broken.failed()).isOne();
            assertThat(failing.get()).isEqualTo(WebhookNotifier.ATTEMPTS);
        } finally {
            server.stop(0);
        }
    }
}
