package org.edgesbc.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class SbcCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cli = SbcCommand.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        return cli.execute(args);
    }

    @Test
    void checkAcceptsTheShippedConfiguration() {
        assertThat(run("check", "--config", "../config/sbc.yaml")).isZero();
        assertThat(out.toString()).startsWith("OK: ../config/sbc.yaml: 3 zones, 3 listeners");
    }

    @Test
    void checkPrintsEveryProblemAndExitsOne() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "sip:\n  listeners: []\n  workers: 3\nzones: []\n");
        assertThat(run("check", "--config", bad.toString())).isEqualTo(SbcCommand.CONFIG_INVALID);
        assertThat(err.toString()).contains(bad + ":3: sip.workers: unknown key")
                .contains("needs exactly one zone with role trunk").contains("problem(s) in " + bad);
    }

    @Test
    void runRefusesAnInvalidConfigurationWithoutStarting() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "zones: 5\n");
        assertThat(run("run", "--config", bad.toString())).isEqualTo(SbcCommand.CONFIG_INVALID);
        assertThat(err.toString()).contains("the SBC did not start");
    }

    @Test
    void usageErrorsAndVersion() {
        assertThat(run("check")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option");
        assertThat(run("--version")).isZero();
        assertThat(out.toString()).startsWith("sbc ");
    }
}
