package org.edgesbc.core.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Callable;
import org.edgesbc.core.config.ManagementConfig;
import org.edgesbc.core.config.SbcConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code sbc reload}: asks the running SBC to reload its configuration file, through {@code POST /admin/reload} on
 * the management listener the file names, with the file's admin token. The file is checked here first, so an
 * invalid one is reported with every problem without bothering the daemon; the daemon checks it again itself, whole,
 * and also refuses changes that need a restart. Prints the daemon's JSON answer.
 *
 * <p>Exit codes: 0 the new configuration is live; 1 it is invalid or needs a restart (nothing changed); 3 the
 * daemon cannot be reached or answered something else.
 */
@Command(name = "reload", description = "Reload the configuration of the running SBC (as SIGHUP does); changes "
        + "that need a restart are refused and nothing changes.")
final class ReloadCommand implements Callable<Integer> {
    @CommandLine.Mixin
    SbcCommand.ConfigFile config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException, InterruptedException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        SbcConfig loaded = config.load(err, "; nothing was reloaded");
        if (loaded == null) {
            return SbcCommand.CONFIG_INVALID;
        }
        ManagementConfig management = loaded.management();
        if (management.token() == null) {
            err.println("management.token is not set in " + config.path + ": the admin API is off; send SIGHUP to "
                    + "the SBC's process instead");
            err.flush();
            return SbcCommand.USAGE_ERROR;
        }
        URI base = URI.create("http://" + hostOf(management.address()) + ":" + management.port());
        AdminClient.Answer response;
        try {
            response = new AdminClient(base, management.token()).send("POST", "reload", Map.of());
        } catch (IOException e) {
            err.println(e.getMessage() + " (is the SBC running with this configuration?)");
            err.flush();
            return SbcCommand.RUNTIME_FAILURE;
        }
        (response.status() == 200 ? out : err).print(response.body());
        out.flush();
        err.flush();
        return switch (response.status()) {
            case 200 -> 0;
            case 409, 422 -> SbcCommand.CONFIG_INVALID;
            default -> SbcCommand.RUNTIME_FAILURE;
        };
    }

    /** A wildcard bind address is reached on loopback; an IPv6 literal needs brackets in a URI. */
    private static String hostOf(String address) {
        if (address.equals("0.0.0.0")) {
            return "127.0.0.1";
        }
        if (address.equals("::") || address.equals("[::]")) {
            return "[::1]";
        }
        return address.contains(":") && !address.startsWith("[") ? "[" + address + "]" : address;
    }
}
