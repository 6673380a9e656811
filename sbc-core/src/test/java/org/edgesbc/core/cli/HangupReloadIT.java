package org.edgesbc.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.SbcDaemon;
import org.edgesbc.core.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** SIGHUP, raised in this very process, reloads the running daemon's file as {@code kill -HUP} would. */
class HangupReloadIT {
    private static final String FILE = """
            data-dir: .
            sip:
              listeners:
                - {name: udp, transport: udp, address: 127.0.0.1, port: 0}
            media: {enabled: false}
            zones:
              - {name: trunk, role: trunk, networks: [127.0.0.2/32], peer: {host: 127.0.0.2}}
              - {name: pbx, role: pbx, networks: [127.0.0.3/32], peer: {host: 127.0.0.3}}
            management: {address: 127.0.0.1, port: 0}
            """;

    @TempDir
    Path dir;

    private static String metrics(SbcDaemon sbc) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + sbc.managementPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
    }

    @Test
    void sighupReloadsTheFileTheDaemonStartedFrom() throws Exception {
        Path file = Files.writeString(dir.resolve("sbc.yaml"), FILE);
        try (SbcDaemon sbc = SbcDaemon.start(ConfigLoader.load(file))) {
            assertThat(metrics(sbc)).contains("sbc_config_generation 1.0");
            Files.writeString(file, FILE.replace("peer: {host: 127.0.0.3}", "peer: {host: 127.0.0.3, port: 5070}"));
            SignalHandler previous = HangupReload.install(sbc::reload);
            assertThat(previous).as("SIGHUP can be taken on this JVM").isNotNull();
            try {
                // To the process, as an operator's kill -HUP sends it: Signal.raise targets the calling thread, and a
                // test thread whose signal mask an earlier native call left blocking SIGHUP never sees it.
                Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(ProcessHandle.current().pid()))
                        .inheritIO().start();
                assertThat(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -HUP").isTrue();
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (!metrics(sbc).contains("sbc_config_generation 2.0") && System.nanoTime() < deadline) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
                assertThat(metrics(sbc)).contains("sbc_config_generation 2.0",
                        "sbc_config_reload_total{result=\"ok\"} 1.0");
            } finally {
                Signal.handle(HangupReload.HUP, previous);
            }
        }
    }
}
