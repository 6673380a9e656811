package org.edgesbc.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.edgesbc.core.config.SbcConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SbcCommandTest {
    private static final String SHIPPED = "../config/sbc.yaml";

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final BlockingQueue<Thread> hooks = new LinkedBlockingQueue<>();

    private DaemonLauncher launcher = config -> {
        throw new AssertionError("this test must not start the SBC");
    };

    private CommandLine cli() {
        CommandLine cli = new SbcCommand(config -> launcher.start(config), hooks::add).commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli;
    }

    private int run(String... args) {
        return cli().execute(args);
    }

    @Test
    void checkAcceptsTheShippedConfiguration() {
        assertThat(run("check", "--config", SHIPPED)).isZero();
        assertThat(out.toString()).isEqualTo("OK: " + SHIPPED + ": 3 zones, 3 listeners" + System.lineSeparator());
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void checkPrintsEveryProblemAndExitsOne() throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "sip:\n  listeners: []\n  workers: 3\nzones: []\n");
        assertThat(run("check", "--config", bad.toString())).isEqualTo(SbcCommand.CONFIG_INVALID);
        assertThat(err.toString()).contains(bad + ":3: sip.workers: unknown key")
                .contains(bad + ":2: sip.listeners: needs at least one listener")
                .contains("needs at least one zone with role trunk").contains("needs at least one zone with role pbx")
                .contains("problem(s) in " + bad);
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void checkReportsAMissingFileAsAnInvalidConfiguration() {
        Path missing = dir.resolve("nowhere.yaml");
        assertThat(run("check", "--config", missing.toString())).isEqualTo(SbcCommand.CONFIG_INVALID);
        assertThat(err.toString()).contains(missing + ": cannot read configuration");
    }

    @Test
    void runRefusesAnInvalidConfigurationWithoutStarting() throws IOException {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "zones: 5\n");
        assertThat(run("run", "--config", bad.toString())).isEqualTo(SbcCommand.CONFIG_INVALID);
        assertThat(err.toString()).contains(bad + ":1: zones: must be a list").contains("the SBC did not start");
        assertThat(hooks).isEmpty();
    }

    @Test
    void runExitsThreeWhenTheSbcCannotStart() {
        launcher = config -> {
            throw new IOException("cannot bind udp 127.0.0.1:5060: Address already in use");
        };
        assertThat(run("run", "--config", SHIPPED)).isEqualTo(SbcCommand.RUNTIME_FAILURE);
        assertThat(err.toString())
                .contains("the SBC could not start: cannot bind udp 127.0.0.1:5060: Address already in use");
        assertThat(hooks).isEmpty();
    }

    @Test
    void dataDirOptionReplacesTheFilesDataDir() {
        AtomicReference<SbcConfig> started = new AtomicReference<>();
        launcher = config -> {
            started.set(config);
            throw new IOException("stop here");
        };
        Path state = dir.resolve("var-lib-sbc");
        assertThat(run("run", "--config", SHIPPED, "--data-dir", state.toString()))
                .isEqualTo(SbcCommand.RUNTIME_FAILURE);
        assertThat(started.get().dataDir()).isEqualTo(state.toAbsolutePath());
        assertThat(started.get().security().banStateFile()).isEqualTo(state.toAbsolutePath().resolve("bans.tsv"));
        assertThat(run("check", "--config", SHIPPED, "--data-dir", state.toString())).isZero();
    }

    @Test
    void anUnknownLogFormatIsAUsageError() {
        assertThat(run("run", "--config", SHIPPED, "--log-format", "xml")).isEqualTo(SbcCommand.USAGE_ERROR);
        assertThat(err.toString()).contains("'xml' is not a log format: text or json");
    }

    @Test
    void runServesUntilTheShutdownHookClosesTheSbc() throws Exception {
        AtomicReference<SbcConfig> started = new AtomicReference<>();
        AtomicBoolean closed = new AtomicBoolean();
        launcher = config -> {
            started.set(config);
            return () -> closed.set(true);
        };
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> run("run", "--config", SHIPPED));
        Thread hook = hooks.poll(10, TimeUnit.SECONDS);
        assertThat(hook).as("shutdown hook registered").isNotNull();
        assertThat(started.get().zones()).hasSize(3);
        assertThat(started.get().dataDir()).as("without --data-dir or SBC_DATA_DIR, the file's data-dir")
                .isEqualTo(Path.of(SHIPPED).toAbsolutePath().getParent().resolve("../data").normalize());
        assertThat(exit).isNotDone();
        assertThat(closed).isFalse();

        hook.run();

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(closed).isTrue();
    }

    @Test
    void aFailingCloseStillLetsRunReturn() throws Exception {
        launcher = config -> () -> {
            throw new IllegalStateException("media threads did not stop");
        };
        CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> run("run", "--config", SHIPPED));
        Thread hook = hooks.poll(10, TimeUnit.SECONDS);
        assertThat(hook).as("shutdown hook registered").isNotNull();
        hook.run();
        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void usageErrorsExitTwo() {
        assertThat(run("check")).isEqualTo(SbcCommand.USAGE_ERROR);
        assertThat(err.toString()).contains("Missing required option");
        assertThat(run("frobnicate")).isEqualTo(SbcCommand.USAGE_ERROR);
        assertThat(run()).isEqualTo(SbcCommand.USAGE_ERROR);
        assertThat(err.toString()).contains("name a command");
    }

    @Test
    void adminSubcommandsNeedATokenAndAReachableSbc() throws IOException {
        assertThat(run("calls", "list", "--token-file", dir.resolve("missing").toString()))
                .isEqualTo(SbcCommand.RUNTIME_FAILURE);
        assertThat(err.toString()).contains("sbc list failed: no token file " + dir.resolve("missing"));
        Path token = Files.writeString(dir.resolve("token"), "0123456789abcdef");
        try (java.net.ServerSocket closedPort = new java.net.ServerSocket(0)) {
            String nobody = "http://127.0.0.1:" + closedPort.getLocalPort();
            closedPort.close();
            err.getBuffer().setLength(0);
            assertThat(run("drain", "--url", nobody, "--token-file", token.toString()))
                    .isEqualTo(SbcCommand.RUNTIME_FAILURE);
            assertThat(err.toString()).startsWith("sbc drain failed: cannot reach the admin API at " + nobody);
        }
        assertThat(run("calls")).as("a group needs a command").isEqualTo(SbcCommand.USAGE_ERROR);
        assertThat(err.toString()).contains("name a command: list, show, end");
    }

    @Test
    void helpAndVersion() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run").contains("check").contains("hash-password").contains("calls")
                .contains("bans").contains("registrations").contains("drain");
        out.getBuffer().setLength(0);
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).isEqualTo("sbc dev" + System.lineSeparator());
    }
}
