package org.edgesbc.core.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.core.config.ConfigLoader;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.fixtures.time.ManualClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The reload's all-or-nothing rule, with the daemon's swaps replaced by a recorder. */
class ConfigReloaderTest {
    private static final String FILE = """
            sip:
              listeners:
                - {name: udp, transport: udp, address: 127.0.0.1, port: 5060}
            zones:
              - {name: trunk, role: trunk, networks: [192.0.2.0/24], peer: {host: 192.0.2.10}}
              - {name: pbx, role: pbx, networks: [198.51.100.7/32], peer: {host: 198.51.100.7}}
            """;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-03T10:00:00Z"), ZoneOffset.UTC);
    private final List<String> events = new ArrayList<>();
    private final ReloadMetrics metrics = new ReloadMetrics() {
        @Override
        public void reloadAttempt(ConfigReloader.Result result) {
            events.add("attempt " + result);
        }

        @Override
        public void generationLive(long generation, Instant loadedAt) {
            events.add("generation " + generation + " at " + loadedAt.getEpochSecond());
        }

        @Override
        public void tlsCertificateExpiry(Instant notAfter) {
            events.add("tls " + notAfter);
        }
    };
    private Path file;
    private SbcConfig started;

    @BeforeEach
    void start() throws Exception {
        file = Files.writeString(dir.resolve("sbc.yaml"), FILE);
        started = ConfigLoader.load(file);
    }

    /** Live settings that record what they were given and swap by recording too. */
    private ConfigReloader.LiveSettings recording(List<SbcConfig> swapped) {
        return next -> () -> swapped.add(next);
    }

    @Test
    void aValidFileIsSwappedInAsTheNextGeneration() throws Exception {
        List<SbcConfig> swapped = new ArrayList<>();
        ConfigReloader reloader = new ConfigReloader(started, recording(swapped), metrics, clock);
        Files.writeString(file, FILE.replace("peer: {host: 198.51.100.7}", "peer: {host: 198.51.100.7, port: 5080}"));
        clock.advance(Duration.ofSeconds(30));
        ConfigReloader.Outcome outcome = reloader.reload();
        assertThat(outcome.result()).isEqualTo(ConfigReloader.Result.OK);
        assertThat(outcome.generation()).isEqualTo(2);
        assertThat(outcome.problems()).isEmpty();
        assertThat(swapped).singleElement().satisfies(c -> assertThat(c.zone("pbx").peer().port()).isEqualTo(5080));
        assertThat(reloader.current()).isSameAs(swapped.get(0));
        long start = clock.instant().minusSeconds(30).getEpochSecond();
        assertThat(events).containsExactly("generation 1 at " + start, "generation 2 at " + (start + 30),
                "attempt OK");
    }

    @Test
    void keyMaterialThatCannotBeReadChangesNothing() throws Exception {
        List<SbcConfig> swapped = new ArrayList<>();
        ConfigReloader reloader = new ConfigReloader(started, next -> {
            throw new IOException("sbc-key.pem: no PEM private key found");
        }, metrics, clock);
        ConfigReloader.Outcome outcome = reloader.reload();
        assertThat(outcome.result()).isEqualTo(ConfigReloader.Result.FAILED);
        assertThat(outcome.generation()).isEqualTo(1);
        assertThat(outcome.problems()).containsExactly(file + ": sbc-key.pem: no PEM private key found");
        assertThat(reloader.current()).isSameAs(started);
        assertThat(swapped).isEmpty();
        assertThat(events).endsWith("attempt FAILED");
    }

    @Test
    void anInvalidOrRestartOnlyFileIsNeverPrepared() throws Exception {
        List<SbcConfig> prepared = new ArrayList<>();
        ConfigReloader reloader = new ConfigReloader(started, next -> {
            prepared.add(next);
            return () -> { };
        }, metrics, clock);
        Files.writeString(file, FILE.replace("port: 5060", "port: many"));
        ConfigReloader.Outcome invalid = reloader.reload();
        assertThat(invalid.result()).isEqualTo(ConfigReloader.Result.FAILED);
        assertThat(invalid.problems()).singleElement().asString().startsWith(file + ":3: sip.listeners[0].port");

        Files.writeString(file, FILE.replace("port: 5060", "port: 5070"));
        ConfigReloader.Outcome refused = reloader.reload();
        assertThat(refused.result()).isEqualTo(ConfigReloader.Result.REFUSED);
        assertThat(refused.problems()).containsExactly("sip.listeners[udp].port: '5060' -> '5070' needs a restart");
        assertThat(refused.generation()).isEqualTo(1);
        assertThat(prepared).isEmpty();
        assertThat(reloader.current()).isSameAs(started);
        assertThat(events).endsWith("attempt FAILED", "attempt REFUSED");
        assertThat(ConfigReloadApi.answer(refused).status()).isEqualTo(409);
        assertThat(ConfigReloadApi.answer(invalid).status()).isEqualTo(422);
        assertThat(ConfigReloadApi.answer(refused).body()).contains("\"result\":\"refused\"",
                "\"problems\":[\"sip.listeners[udp].port: '5060' -> '5070' needs a restart\"]");
    }
}
