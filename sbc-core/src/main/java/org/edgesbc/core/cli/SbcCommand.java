package org.edgesbc.core.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.edgesbc.core.SbcDaemon;
import org.edgesbc.core.config.ConfigException;
import org.edgesbc.core.config.ConfigLoader;
import org.edgesbc.core.config.SbcConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code sbc} command line. Exit codes: 0 success, 1 invalid configuration, 2 usage error, 3 runtime failure
 * (such as a port that cannot be bound).
 */
@Command(name = "sbc", mixinStandardHelpOptions = true, versionProvider = SbcCommand.Version.class,
        description = "Edge SIP session border controller.",
        subcommands = {SbcCommand.Run.class, SbcCommand.Check.class, CommandLine.HelpCommand.class})
public final class SbcCommand implements Runnable {
    static final int CONFIG_INVALID = 1;
    static final int RUNTIME_FAILURE = 3;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new SbcCommand());
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: run, check or help");
    }

    @Command(name = "run", description = "Run the SBC in the foreground until SIGTERM or SIGINT.")
    static final class Run implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the sbc.yaml file")
        Path config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws InterruptedException {
            PrintWriter err = spec.commandLine().getErr();
            SbcConfig loaded;
            try {
                loaded = ConfigLoader.load(config);
            } catch (ConfigException e) {
                e.problems().forEach(err::println);
                err.println("configuration invalid: " + e.problems().size() + " problem(s); the SBC did not start");
                err.flush();
                return CONFIG_INVALID;
            }
            SbcDaemon daemon;
            try {
                daemon = SbcDaemon.start(loaded);
            } catch (Exception e) {
                err.println("the SBC could not start: " + e.getMessage());
                err.flush();
                return RUNTIME_FAILURE;
            }
            CountDownLatch stopped = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                daemon.close();
                stopped.countDown();
            }, "sbc-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            stopped.await();
            return 0;
        }
    }

    @Command(name = "check", description = "Validate a configuration without binding anything; print every problem.")
    static final class Check implements Callable<Integer> {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the sbc.yaml file")
        Path config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try {
                SbcConfig loaded = ConfigLoader.load(config);
                spec.commandLine().getOut().println("OK: " + config + ": " + loaded.zones().size() + " zones, "
                        + loaded.sip().listeners().size() + " listeners");
                return 0;
            } catch (ConfigException e) {
                PrintWriter err = spec.commandLine().getErr();
                e.problems().forEach(err::println);
                err.println(e.problems().size() + " problem(s) in " + config);
                return CONFIG_INVALID;
            }
        }
    }

    /** The version from the jar manifest, "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = SbcCommand.class.getPackage().getImplementationVersion();
            return new String[] {"sbc " + (version == null ? "dev" : version)};
        }
    }
}
