package org.edgesbc.core.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.edgesbc.core.config.ManagementConfig;
import org.edgesbc.core.metrics.SbcMetrics;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ManagementServerIT {
    private static final String TOKEN = "s3cret-token-for-tests";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();
    private final SbcMetrics metrics = new SbcMetrics();
    private final AtomicBoolean ready = new AtomicBoolean();
    private ManagementServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        metrics.close();
    }

    private ManagementServer start(String token) throws Exception {
        server = ManagementServer.start(new ManagementConfig("127.0.0.1", 0, token), metrics::scrape, ready::get);
        return server;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder at(String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + pathAndQuery));
    }

    @Test
    void metricsAreThePrometheusTextOfTheRegistry() throws Exception {
        start(null);
        metrics.relay().responseRelayed(486);
        HttpResponse<String> response = send(at("/metrics"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(v -> assertThat(v)
                .startsWith("text/plain"));
        assertThat(response.body()).contains("sbc_relay_responses_total{class=\"4xx\"} 1.0")
                .contains("sbc_transport_messages_received_total{")
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void healthIsAlwaysOkAndReadinessFollowsTheSupplier() throws Exception {
        start(null);
        HttpResponse<String> health = send(at("/health"));
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("ok\n");
        assertThat(send(at("/ready")).statusCode()).isEqualTo(503);
        ready.set(true);
        assertThat(send(at("/ready")).statusCode()).isEqualTo(200);
    }

    @Test
    void anythingElseIsNotFound() throws Exception {
        start(TOKEN);
        assertThat(send(at("/")).statusCode()).isEqualTo(404);
        assertThat(send(at("/metrics/extra")).statusCode()).isEqualTo(404);
        assertThat(send(at("/health").POST(HttpRequest.BodyPublishers.ofString("x"))).statusCode()).isEqualTo(404);
    }

    @Test
    void adminRoutesDoNotExistWithoutAToken() throws Exception {
        start(null);
        server.route("GET", "/admin/bans", (method, path, query, body) -> ManagementServer.AdminResponse.json(200,
                "[]"));
        HttpResponse<String> response = send(at("/admin/bans").header("Authorization", "Bearer " + TOKEN));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.body()).doesNotContain("[]");
    }

    @Test
    void adminRoutesNeedTheBearerToken() throws Exception {
        start(TOKEN);
        AtomicReference<String> seen = new AtomicReference<>();
        AtomicReference<Map<String, List<String>>> seenQuery = new AtomicReference<>();
        server.route("POST", "/admin/bans", (method, path, query, body) -> {
            seen.set(method + " " + path + " " + body);
            seenQuery.set(query);
            return ManagementServer.AdminResponse.json(201, "{\"banned\":true}");
        });
        HttpRequest.Builder ban = at("/admin/bans/add?source=192.0.2.7&duration=1h")
                .POST(HttpRequest.BodyPublishers.ofString("{\"reason\":\"scanner\"}"));

        assertThat(send(ban.copy()).statusCode()).isEqualTo(401);
        assertThat(send(ban.copy().header("Authorization", "Bearer wrong-token-of-any-length")).statusCode())
                .isEqualTo(401);
        assertThat(send(ban.copy().header("Authorization", "Bearer " + TOKEN + "x")).statusCode()).isEqualTo(401);
        assertThat(send(ban.copy().header("Authorization", "Basic " + TOKEN)).statusCode()).isEqualTo(401);
        assertThat(seen).hasValue(null);

        HttpResponse<String> accepted = send(ban.copy().header("Authorization", "Bearer " + TOKEN));
        assertThat(accepted.statusCode()).isEqualTo(201);
        assertThat(accepted.headers().firstValue("content-type")).hasValue("application/json");
        assertThat(accepted.body()).isEqualTo("{\"banned\":true}");
        assertThat(seen.get()).isEqualTo("POST /admin/bans/add {\"reason\":\"scanner\"}");
        assertThat(seenQuery.get()).containsOnly(Map.entry("source", List.of("192.0.2.7")),
                Map.entry("duration", List.of("1h")));
    }

    @Test
    void adminAnswersWrongMethodsUnknownPathsAndFailingHandlers() throws Exception {
        start(TOKEN);
        server.route("GET", "/admin/calls", (method, path, query, body) -> {
            throw new IllegalStateException("relay stopped");
        });
        String bearer = "Bearer " + TOKEN;
        assertThat(send(at("/admin/calls").header("Authorization", bearer)).statusCode()).isEqualTo(500);
        assertThat(send(at("/admin/calls").header("Authorization", bearer).DELETE()).statusCode()).isEqualTo(405);
        assertThat(send(at("/admin/nothing").header("Authorization", bearer)).statusCode()).isEqualTo(404);
        assertThat(send(at("/health")).statusCode()).as("the listener survives a failing handler").isEqualTo(200);
    }

    @Test
    void oversizedRequestsAreRefused() throws Exception {
        start(TOKEN);
        server.route("POST", "/admin/bans", (method, path, query, body) -> ManagementServer.AdminResponse.json(200,
                "{}"));
        String body = "x".repeat(ManagementServer.MAX_REQUEST_BYTES + 1);
        HttpResponse<String> response = send(at("/admin/bans").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
        assertThat(response.statusCode()).isEqualTo(413);
    }

    @Test
    void routesOutsideTheAdminPrefixAreRefused() throws Exception {
        start(TOKEN);
        assertThatThrownBy(() -> server.route("GET", "/metrics", (method, path, query, body) -> null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPortInUseIsReportedWithTheAddress() throws Exception {
        start(null);
        ManagementConfig taken = new ManagementConfig("127.0.0.1", server.port(), null);
        assertThatThrownBy(() -> ManagementServer.start(taken, metrics::scrape, ready::get))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("cannot bind the management listener on 127.0.0.1:" + server.port());
    }
}
