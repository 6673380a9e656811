package org.edgesbc.core.cli;

import ch.qos.logback.classic.LoggerContext;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import org.edgesbc.core.SbcDaemon;
import org.edgesbc.core.SbcVersion;
import org.edgesbc.core.config.ConfigException;
import org.edgesbc.core.config.ConfigLoader;
import org.edgesbc.core.config.SbcConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code sbc} command line. Exit codes: 0 success, 1 invalid configuration, 2 usage error, 3 runtime failure
 * (such as a port that cannot be bound, or an SBC the admin subcommands cannot reach), 4 the admin API refused
 * (no such call, a bad filter, a wrong token).
 */
@Command(name = "sbc", mixinStandardHelpOptions = true, versionProvider = SbcCommand.Version.class,
        description = "Edge SIP session border controller.")
public final class SbcCommand implements Runnable {
    /** Netty's system property for its buffer leak detector's level. */
    private static final String LEAK_DETECTION = "io.netty.leakDetection.level";
    static final int CONFIG_INVALID = 1;
    static final int USAGE_ERROR = CommandLine.ExitCode.USAGE;
    static final int RUNTIME_FAILURE = 3;
    static final int ADMIN_REFUSED = 4;

    private static final Logger LOG = LoggerFactory.getLogger(SbcCommand.class);

    private final DaemonLauncher launcher;
    private final Consumer<Thread> shutdownHooks;
    private final Consumer<Runnable> termSignals;

    @Spec
    CommandSpec spec;

    /**
     * A command whose {@code run} starts the SBC with {@code launcher}, drains it on SIGTERM (a second SIGTERM stops
     * it at once) and stops it on SIGINT.
     */
    public SbcCommand(DaemonLauncher launcher) {
        this(launcher, Runtime.getRuntime()::addShutdownHook, TermSignal::handle);
    }

    /** For tests: {@code shutdownHooks} receives the thread that the JVM would run on SIGINT. */
    SbcCommand(DaemonLauncher launcher, Consumer<Thread> shutdownHooks) {
        this(launcher, shutdownHooks, handler -> { });
    }

    /**
     * For tests and embedding: {@code shutdownHooks} receives the thread that the JVM would run on SIGINT or
     * {@code System.exit}, {@code termSignals} the handler to run on each SIGTERM.
     */
    public SbcCommand(DaemonLauncher launcher, Consumer<Thread> shutdownHooks, Consumer<Runnable> termSignals) {
        this.launcher = launcher;
        this.shutdownHooks = shutdownHooks;
        this.termSignals = termSignals;
    }

    public static void main(String[] args) {
        if (System.getProperty(LEAK_DETECTION) == null) {
            // Netty's default tracks one buffer in 128 with a stack trace, which was 1.2 % of the SBC's CPU at 3,000
            // calls/s (docs/performance.md), for a report nobody reads in production. Set before Netty reads it;
            // -Dio.netty.leakDetection.level=simple (or paranoid, as bench/fuzz.sh runs) brings it back.
            System.setProperty(LEAK_DETECTION, "disabled");
        }
        System.exit(new SbcCommand(SbcDaemon::warmUpAndStart).commandLine().execute(args));
    }

    /**
     * This command with its subcommands, ready to {@code execute}; an exception escaping a subcommand is printed as
     * one line and exits with {@link #RUNTIME_FAILURE}.
     */
    public CommandLine commandLine() {
        CommandLine cli = new CommandLine(this)
                .addSubcommand(new Run(launcher, shutdownHooks, termSignals))
                .addSubcommand(new Check())
                .addSubcommand(new HashPassword())
                .addSubcommand(new ReloadCommand());
        AdminCommands.addTo(cli);
        cli.addSubcommand(new CommandLine.HelpCommand());
        cli.setExecutionExceptionHandler((e, failed, parsed) -> {
            failed.getErr().println("sbc " + failed.getCommandName() + " failed: " + describe(e));
            failed.getErr().flush();
            return RUNTIME_FAILURE;
        });
        return cli;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command: run, check, reload, "
                + "hash-password, calls, bans, registrations, drain or help");
    }

    private static String describe(Throwable e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * The {@code --config FILE} and {@code --data-dir DIR} options both commands take, and loading the file with
     * every problem printed.
     */
    static final class ConfigFile {
        @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE", description = "the sbc.yaml file")
        Path path;

        @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${env:SBC_DATA_DIR}",
                description = "the folder for state files, security events and CDRs, replacing the file's data-dir "
                        + "(default: the environment variable SBC_DATA_DIR, else the file's data-dir)")
        Path dataDir;

        /** The configuration, or null after printing every problem and {@code verdict}. */
        SbcConfig load(PrintWriter err, String verdict) {
            try {
                return ConfigLoader.load(path, dataDir);
            } catch (ConfigException e) {
                e.problems().forEach(err::println);
                err.println(e.problems().size() + " problem(s) in " + path + verdict);
                err.flush();
                return null;
            }
        }
    }

    @Command(name = "run", description = "Run the SBC in the foreground: SIGHUP reloads the configuration, SIGTERM "
            + "drains it and exits 0 (a second SIGTERM stops at once), SIGINT stops it at once.")
    static final class Run implements Callable<Integer> {
        private final DaemonLauncher launcher;
        private final Consumer<Thread> shutdownHooks;
        private final Consumer<Runnable> termSignals;

        @CommandLine.Mixin
        ConfigFile config;

        @Option(names = "--log-format", paramLabel = "FORMAT", defaultValue = "${env:SBC_LOG_FORMAT:-text}",
                converter = LogFormatConverter.class,
                description = "text or json: log lines on standard output as text, or as one JSON object per line "
                        + "(default: the environment variable SBC_LOG_FORMAT, else text)")
        LogFormat logFormat;

        @Spec
        CommandSpec spec;

        Run(DaemonLauncher launcher, Consumer<Thread> shutdownHooks, Consumer<Runnable> termSignals) {
            this.launcher = launcher;
            this.shutdownHooks = shutdownHooks;
            this.termSignals = termSignals;
        }

        /** Blocks until the SBC is closed (drained, signalled or shut down); returns 0 then. */
        @Override
        public Integer call() throws InterruptedException {
            PrintWriter err = spec.commandLine().getErr();
            if (LoggerFactory.getILoggerFactory() instanceof LoggerContext logback && !logFormat.applyTo(logback)) {
                LOG.warn("--log-format {} not applied: the Logback configuration in use has no {} appender on the "
                        + "root logger", logFormat.name().toLowerCase(Locale.ROOT), LogFormat.STDOUT_APPENDER);
            }
            SbcConfig loaded = config.load(err, "; the SBC did not start");
            if (loaded == null) {
                return CONFIG_INVALID;
            }
            HangupReload hangups = HangupReload.install();
            GracefulStop stop = new GracefulStop();
            termSignals.accept(stop::terminate);
            AutoCloseable daemon;
            try {
                daemon = launcher.start(loaded);
            } catch (Exception e) {
                err.println("the SBC could not start: " + describe(e));
                err.flush();
                LOG.debug("start failed", e);
                return RUNTIME_FAILURE;
            }
            if (hangups != null && daemon instanceof SbcDaemon running) {
                hangups.started(running::reload);
            }
            stop.started(daemon);
            shutdownHooks.accept(new Thread(stop::stopFromShutdownHook, "sbc-shutdown"));
            stop.closeWhenAsked();
            return 0;
        }
    }

    @Command(name = "check", description = "Validate a configuration without binding anything; print every problem.")
    static final class Check implements Callable<Integer> {
        @CommandLine.Mixin
        ConfigFile config;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            SbcConfig loaded = config.load(spec.commandLine().getErr(), "");
            if (loaded == null) {
                return CONFIG_INVALID;
            }
            spec.commandLine().getOut().println("OK: " + config.path + ": " + loaded.zones().size() + " zones, "
                    + loaded.sip().listeners().size() + " listeners");
            return 0;
        }
    }

    @Command(name = "hash-password", description = "Print the HA1 hashes of a user's password for security.users "
            + "(the password is read from the console without echo, or from standard input).")
    static final class HashPassword implements Callable<Integer> {
        @Option(names = {"-u", "--user"}, required = true, description = "the user name, e.g. 1001")
        String user;

        @Option(names = {"-r", "--realm"}, defaultValue = "sbc.local", description = "the digest realm "
                + "(security.realm; default: ${DEFAULT-VALUE})")
        String realm;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() throws java.io.IOException {
            String password;
            java.io.Console console = System.console();
            if (console != null) {
                char[] typed = console.readPassword("password for %s: ", user);
                password = typed == null ? "" : new String(typed);
            } else {
                String line = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                        java.nio.charset.StandardCharsets.UTF_8)).readLine();
                password = line == null ? "" : line;
            }
            if (password.length() < 8) {
                spec.commandLine().getErr().println("refused: a SIP password needs at least 8 characters");
                return USAGE_ERROR;
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("    - user: \"" + user + "\"");
            out.println("      ha1-md5: " + org.edgesbc.policy.auth.DigestAuthenticator.ha1(
                    org.edgesbc.policy.auth.DigestAlgorithm.MD5, user, realm, password));
            out.println("      ha1-sha256: " + org.edgesbc.policy.auth.DigestAuthenticator.ha1(
                    org.edgesbc.policy.auth.DigestAlgorithm.SHA_256, user, realm, password));
            out.flush();
            return 0;
        }
    }

    /** {@code text} or {@code json}, in any case; anything else is a usage error naming the two. */
    static final class LogFormatConverter implements CommandLine.ITypeConverter<LogFormat> {
        @Override
        public LogFormat convert(String value) {
            for (LogFormat format : LogFormat.values()) {
                if (format.name().equalsIgnoreCase(value)) {
                    return format;
                }
            }
            throw new CommandLine.TypeConversionException("'" + value + "' is not a log format: text or json");
        }
    }

    /** The version from the jar manifest, "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"sbc " + SbcVersion.current()};
        }
    }
}
