package org.edgesbc.core.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import gov.nist.javax.sip.address.AddressFactoryImpl;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOffMetrics;
import org.edgesbc.core.config.ManagementConfig;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.management.ManagementServer;
import org.edgesbc.transport.SipFlow;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The registration admin API over a real management listener and a real registrar on its own executor. */
class RegistrationAdminApiIT {
    private static final String TOKEN = "s3cret-token-for-tests";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Instant NOW = Instant.parse("2025-03-01T10:00:00Z");

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();
    private final ObjectMapper json = new ObjectMapper();
    private final DefaultEventExecutor executor = new DefaultEventExecutor();
    private final CountingRegistrarMetrics metrics = new CountingRegistrarMetrics();
    private final List<Long> pbxExpires = new ArrayList<>();
    private Registrar registrar;
    private ManagementServer server;
    private ManagementServer tokenless;

    @BeforeEach
    void start() throws Exception {
        // Answers 200 at once, on the registrar's thread as the relay would.
        PbxRegistrationClient pbx = new PbxRegistrationClient() {
            private int ids;

            @Override
            public String newCallId() {
                return "pbx-call-" + ++ids;
            }

            @Override
            public String newTag() {
                return "tag-" + ids;
            }

            @Override
            public void register(String aor, String callId, String fromTag, long cseq, long expires,
                    Consumer<Answer> answer) {
                pbxExpires.add(expires);
                answer.accept(new Answer(200, 3600, 0));
            }
        };
        // No jitter (nextLong gives 0) and a fixed clock: granted expiries are exactly the transport caps.
        registrar = new Registrar(RegistrationConfig.DEFAULTS, Set.of("alice", "bob"), executor,
                new GuardedHandOff(HandOffMetrics.NONE), pbx, metrics,
                InstantSource.fixed(NOW), () -> 0L);
        server = ManagementServer.start(new ManagementConfig("127.0.0.1", 0, TOKEN), () -> "", () -> true);
        new RegistrationAdminApi(registrar).register(server);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (tokenless != null) {
            tokenless.close();
        }
        registrar.close();
        executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }

    @Test
    void listsEveryBindingWithItsFlowZoneAndTimes() throws Exception {
        register("alice", "sip:alice@192.0.2.10:5062", "sip:alice@192.0.2.10:5062",
                TestFlow.udp("198.51.100.7", 40000), "access");
        register("bob", "sip:bob@10.0.0.5:5060;transport=tcp", "instance:<urn:uuid:00000000-0000-0000-0000-"
                + "000000000001>;reg-id=1", TestFlow.tcp("2001:db8::5", 50123), "branch");

        HttpResponse<String> response = send(admin("/admin/registrations"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("application/json");
        JsonNode list = json.readTree(response.body()).get("registrations");
        assertThat(list).hasSize(2);

        JsonNode alice = byAor(list, "alice");
        assertThat(alice.get("contact").asText()).isEqualTo("sip:alice@192.0.2.10:5062");
        assertThat(alice.get("key").asText()).isEqualTo("sip:alice@192.0.2.10:5062");
        assertThat(alice.get("transport").asText()).isEqualTo("udp");
        assertThat(alice.get("source").asText()).isEqualTo("198.51.100.7:40000");
        assertThat(alice.get("zone").asText()).isEqualTo("access");
        assertThat(alice.get("registered").asText()).isEqualTo("2025-03-01T10:00:00Z");
        assertThat(alice.get("expires").asText()).as("the UDP cap").isEqualTo("2025-03-01T10:01:00Z");

        JsonNode bob = byAor(list, "bob");
        assertThat(bob.get("contact").asText()).isEqualTo("sip:bob@10.0.0.5:5060;transport=tcp");
        assertThat(bob.get("key").asText())
                .isEqualTo("instance:<urn:uuid:00000000-0000-0000-0000-000000000001>;reg-id=1");
        assertThat(bob.get("transport").asText()).isEqualTo("tcp");
        assertThat(bob.get("source").asText()).isEqualTo("[2001:db8:0:0:0:0:0:5]:50123");
        assertThat(bob.get("zone").asText()).isEqualTo("branch");
        assertThat(bob.get("expires").asText()).as("the stream cap").isEqualTo("2025-03-01T10:10:00Z");
    }

    @Test
    void anEmptyTableIsAnEmptyList() throws Exception {
        HttpResponse<String> response = send(admin("/admin/registrations"));
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"registrations\":[]}\n");
    }

    @Test
    void anAorFilterListsOnlyItsBindings() throws Exception {
        TestFlow flow = udp();
        register("alice", "sip:alice@192.0.2.10:5062", "sip:alice@192.0.2.10:5062", flow, "access");
        register("alice", "sip:alice@192.0.2.11:5062", "sip:alice@192.0.2.11:5062", flow, "access");
        register("bob", "sip:bob@192.0.2.20", "sip:bob@192.0.2.20", flow, "access");

        JsonNode alice = list("?aor=alice");
        assertThat(alice).hasSize(2);
        alice.forEach(b -> assertThat(b.get("aor").asText()).isEqualTo("alice"));
        assertThat(list("?aor=bob")).hasSize(1);
        assertThat(list("?aor=carol")).isEmpty();
        assertThat(list("")).hasSize(3);
    }

    @Test
    void deletingByKeyRemovesOneBinding() throws Exception {
        TestFlow flow = udp();
        String key = "sip:alice@192.0.2.10:5062;transport=udp";
        register("alice", key, key, flow, "access");
        register("alice", "sip:alice@192.0.2.11:5062", "sip:alice@192.0.2.11:5062", flow, "access");

        HttpResponse<String> response = send(admin("/admin/registrations?aor=alice&key=" + encode(key)).DELETE());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"removed\":1}\n");
        JsonNode left = list("?aor=alice");
        assertThat(left).hasSize(1);
        assertThat(left.get(0).get("key").asText()).isEqualTo("sip:alice@192.0.2.11:5062");
        assertThat(metrics.count("dropped.ADMIN")).isEqualTo(1);
        assertThat(pbxExpires).as("the AOR keeps a binding, so it stays registered at the PBX").containsExactly(3600L);
    }

    @Test
    void deletingAnAorRemovesAllItsBindingsAndDeregistersIt() throws Exception {
        TestFlow flow = udp();
        register("alice", "sip:alice@192.0.2.10:5062", "sip:alice@192.0.2.10:5062", flow, "access");
        register("alice", "sip:alice@192.0.2.11:5062", "sip:alice@192.0.2.11:5062", flow, "access");
        register("bob", "sip:bob@192.0.2.20", "sip:bob@192.0.2.20", flow, "access");

        HttpResponse<String> response = send(admin("/admin/registrations?aor=alice").DELETE());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).isEqualTo("{\"removed\":2}\n");
        assertThat(list("?aor=alice")).isEmpty();
        assertThat(list("")).hasSize(1);
        assertThat(metrics.count("dropped.ADMIN")).isEqualTo(2);
        assertThat(pbxExpires).as("alice and bob registered, then alice removed").containsExactly(3600L, 3600L, 0L);
    }

    @Test
    void deletingNothingIsNotFound() throws Exception {
        register("alice", "sip:alice@192.0.2.10:5062", "sip:alice@192.0.2.10:5062", udp(), "access");

        HttpResponse<String> noAor = send(admin("/admin/registrations?aor=carol").DELETE());
        assertThat(noAor.statusCode()).isEqualTo(404);
        assertThat(noAor.body()).isEqualTo("{\"error\":\"no such binding\"}\n");
        HttpResponse<String> noKey = send(admin("/admin/registrations?aor=alice&key=sip%3Aother%40192.0.2.99")
                .DELETE());
        assertThat(noKey.statusCode()).isEqualTo(404);
        assertThat(noKey.body()).isEqualTo("{\"error\":\"no such binding\"}\n");
        assertThat(list("?aor=alice")).hasSize(1);
        assertThat(metrics.count("dropped.ADMIN")).isZero();
    }

    @Test
    void deletingWithoutAnAorOrWithAnEmptyKeyIsABadRequest() throws Exception {
        register("alice", "sip:alice@192.0.2.10:5062", "sip:alice@192.0.2.10:5062", udp(), "access");

        for (String query : List.of("", "?aor=", "?key=sip%3Aalice%40192.0.2.10%3A5062")) {
            HttpResponse<String> response = send(admin("/admin/registrations" + query).DELETE());
            assertThat(response.statusCode()).as(query).isEqualTo(400);
            assertThat(response.body()).as(query).isEqualTo("{\"error\":\"aor is required\"}\n");
        }
        HttpResponse<String> emptyKey = send(admin("/admin/registrations?aor=alice&key=").DELETE());
        assertThat(emptyKey.statusCode()).isEqualTo(400);
        assertThat(emptyKey.body()).isEqualTo("{\"error\":\"key must not be empty\"}\n");
        assertThat(list("?aor=alice")).as("nothing removed").hasSize(1);
    }

    @Test
    void aRegistrarThatDoesNotAnswerInTimeIsUnavailable() throws Exception {
        register("alice", "sip:alice@192.0.2.10:5062", "sip:alice@192.0.2.10:5062", udp(), "access");
        CountDownLatch release = new CountDownLatch(1);
        executor.execute(() -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try {
            long started = System.nanoTime();
            HttpResponse<String> response = send(admin("/admin/registrations?aor=alice").DELETE());
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(Duration.ofNanos(System.nanoTime() - started))
                    .isGreaterThanOrEqualTo(Duration.ofMillis(RegistrationAdminApi.REMOVE_TIMEOUT_MILLIS));
        } finally {
            release.countDown();
        }
    }

    @Test
    void theRoutesNeedTheBearerTokenAndDoNotExistWithoutOne() throws Exception {
        register("alice", "sip:alice@192.0.2.10:5062", "sip:alice@192.0.2.10:5062", udp(), "access");

        assertThat(send(at(server, "/admin/registrations")).statusCode()).isEqualTo(401);
        assertThat(send(at(server, "/admin/registrations").header("Authorization", "Bearer wrong-token-of-a-length"))
                .statusCode()).isEqualTo(401);
        HttpResponse<String> denied = send(at(server, "/admin/registrations?aor=alice").DELETE());
        assertThat(denied.statusCode()).isEqualTo(401);
        assertThat(denied.body()).doesNotContain("alice");
        assertThat(send(admin("/admin/registrations").POST(HttpRequest.BodyPublishers.noBody())).statusCode())
                .as("a method the API does not offer").isEqualTo(405);

        tokenless = ManagementServer.start(new ManagementConfig("127.0.0.1", 0, null), () -> "", () -> true);
        new RegistrationAdminApi(registrar).register(tokenless);
        HttpResponse<String> absent = send(at(tokenless, "/admin/registrations")
                .header("Authorization", "Bearer " + TOKEN));
        assertThat(absent.statusCode()).isEqualTo(404);
        assertThat(absent.body()).doesNotContain("alice");
        assertThat(send(at(tokenless, "/admin/registrations?aor=alice").header("Authorization", "Bearer " + TOKEN)
                .DELETE()).statusCode()).isEqualTo(404);
        assertThat(list("?aor=alice")).as("nothing removed").hasSize(1);
    }

    // ------------------------------------------------------------------------------------------- helpers

    /** Registers one contact for an hour (granted the transport's cap) and waits for the 200. */
    private void register(String aor, String contact, String key, SipFlow flow, String zone) throws Exception {
        javax.sip.address.URI uri = new AddressFactoryImpl().createURI(contact);
        CompletableFuture<RegisterResult> result = new CompletableFuture<>();
        registrar.register(new RegisterRequest(aor, "call-" + aor + "-" + key, 1, false,
                List.of(new RequestedContact(uri, key, 3600)), false, flow, zone), result::complete);
        assertThat(result.get(5, TimeUnit.SECONDS).status()).isEqualTo(200);
    }

    private JsonNode list(String query) throws Exception {
        HttpResponse<String> response = send(admin("/admin/registrations" + query));
        assertThat(response.statusCode()).isEqualTo(200);
        return json.readTree(response.body()).get("registrations");
    }

    private static JsonNode byAor(JsonNode list, String aor) {
        for (JsonNode binding : list) {
            if (binding.get("aor").asText().equals(aor)) {
                return binding;
            }
        }
        throw new AssertionError("no binding of " + aor + " in " + list);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return client.send(request.timeout(TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder admin(String pathAndQuery) {
        return at(server, pathAndQuery).header("Authorization", "Bearer " + TOKEN);
    }

    private static HttpRequest.Builder at(ManagementServer target, String pathAndQuery) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + pathAndQuery));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    private static TestFlow udp() {
        return TestFlow.udp("198.51.100.7", 40000);
    }
}
