package org.edgesbc.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGHUP and SIGTERM as an operator or systemd sends them: {@code sbc run} in a process of its own, {@code kill} to
 * that process. The process starts under {@code env --default-signal=SIG} or {@code --ignore-signal=SIG}, so the test
 * does not depend on what this JVM inherited (under {@code nohup} it inherits SIGHUP ignored, and so would a child
 * started plainly).
 */
class SignalsIT {
    private static final String TOKEN = "hangup-test-token-0123456789";
    private static final String FILE = """
            data-dir: .
            sip:
              listeners:
                - {name: udp, transport: udp, address: 127.0.0.1, port: 0}
            media: {enabled: false}
            zones:
              - {name: trunk, role: trunk, networks: [127.0.0.2/32], peer: {host: 127.0.0.2}}
              - {name: pbx, role: pbx, networks: [127.0.0.3/32], peer: {host: 127.0.0.3}}
            management: {address: 127.0.0.1, port: %d, token: %s}
            """;
    private static final long STARTUP_SECONDS = 60;
    private static final long RELOAD_SECONDS = 15;

    @TempDir
    Path dir;
    private Process sbc;
    private int managementPort;

    @AfterEach
    void stop() throws InterruptedException {
        if (sbc != null) {
            sbc.destroyForcibly();
            sbc.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void sighupReloadsTheFileTheDaemonStartedFrom() throws Exception {
        Path file = start("--default-signal=HUP");
        Files.writeString(file, Files.readString(file).replace("peer: {host: 127.0.0.3}",
                "peer: {host: 127.0.0.3, port: 5070}"));
        signal("HUP");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(RELOAD_SECONDS);
        while (!metrics().contains("sbc_config_generation 2.0") && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(20);
        }
        assertThat(metrics()).contains("sbc_config_generation 2.0", "sbc_config_reload_total{result=\"ok\"} 1.0");
        assertThat(log()).doesNotContain("SIGHUP is ignored");
    }

    @Test
    void aSighupWhileTheDaemonStartsReloadsOnceItRuns() throws Exception {
        Path file = launch("--default-signal=HUP");
        awaitLog("warming up the message path");
        Files.writeString(file, Files.readString(file).replace("peer: {host: 127.0.0.3}",
                "peer: {host: 127.0.0.3, port: 5070}"));
        signal("HUP");
        awaitMetrics("sbc_config_generation 2.0");
        assertThat(log()).contains("SIGHUP came while the SBC started: reloading the configuration now");
    }

    @Test
    void aSigtermWhileTheDaemonStartsStopsItCleanlyOnceItRuns() throws Exception {
        launch("--default-signal=TERM");
        awaitLog("warming up the message path");
        signal("TERM");
        assertThat(sbc.waitFor(STARTUP_SECONDS, TimeUnit.SECONDS)).as("sbc run ended:\n" + log()).isTrue();
        assertThat(sbc.exitValue()).as("exit status, not the JVM's 143:\n" + log()).isZero();
        assertThat(log()).contains("SIGTERM came while the SBC started: stopping it now", "SBC stopped");
    }

    @Test
    void aDaemonStartedWithSighupIgnoredSaysSoAndReloadsThroughTheAdminApi() throws Exception {
        Path file = start("--ignore-signal=HUP");
        assertThat(log()).contains("SIGHUP is ignored by this process", "reload with 'sbc reload' or POST /admin/reload");
        Files.writeString(file, Files.readString(file).replace("peer: {host: 127.0.0.3}",
                "peer: {host: 127.0.0.3, port: 5070}"));
        signal("HUP");
        // The POST below is answered after the reload; had SIGHUP been taken it would be the second one.
        HttpResponse<String> reload = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + managementPort + "/admin/reload"))
                        .header("Authorization", "Bearer " + TOKEN).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(reload.statusCode()).isEqualTo(200);
        assertThat(sbc.isAlive()).as("an ignored SIGHUP does not end it either").isTrue();
        assertThat(metrics()).contains("sbc_config_generation 2.0", "sbc_config_reload_total{result=\"ok\"} 1.0");
    }

    /**
     * Starts {@code sbc run} from this JVM's class path under {@code env signalOption}, its output in a file, and
     * waits until it serves metrics; returns its configuration file.
     */
    private Path start(String signalOption) throws Exception {
        Path file = launch(signalOption);
        awaitMetrics("sbc_config_generation 1.0");
        return file;
    }

    /** Starts {@code sbc run} as {@link #start} does, without waiting; returns its configuration file. */
    private Path launch(String signalOption) throws Exception {
        try (ServerSocket probe = new ServerSocket(0)) {
            managementPort = probe.getLocalPort();
        }
        Path file = Files.writeString(dir.resolve("sbc.yaml"), FILE.formatted(managementPort, TOKEN));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        sbc = new ProcessBuilder("env", signalOption, java, "-cp", System.getProperty("java.class.path"),
                SbcCommand.class.getName(), "run", "--config", file.toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("sbc.log").toFile())
                .start();
        return file;
    }

    private void awaitMetrics(String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STARTUP_SECONDS);
        while (System.nanoTime() < deadline && sbc.isAlive()) {
            try {
                if (metrics().contains(line)) {
                    return;
                }
            } catch (IOException notYetListening) {
                // not serving yet
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("sbc run did not serve " + line + " within " + STARTUP_SECONDS + " s:\n" + log());
    }

    private void awaitLog(String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(STARTUP_SECONDS);
        while (!log().contains(text)) {
            assertThat(System.nanoTime() < deadline && sbc.isAlive()).as("sbc run logs " + text + ":\n" + log())
                    .isTrue();
            TimeUnit.MILLISECONDS.sleep(20);
        }
    }

    private void signal(String name) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(sbc.pid())).inheritIO().start();
        assertThat(kill.waitFor(5, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + name).isTrue();
    }

    private String metrics() throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + managementPort + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
    }

    private String log() throws IOException {
        return Files.readString(dir.resolve("sbc.log"));
    }
}
