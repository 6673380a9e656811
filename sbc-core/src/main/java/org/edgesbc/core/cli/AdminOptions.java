package org.edgesbc.core.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options every admin subcommand takes: where the management listener is and where the bearer token comes from
 * (a file or the {@value #TOKEN_VARIABLE} environment variable, never the command line, which other users of the
 * machine can read). {@link #call} sends one request and prints the answer: the JSON body on standard output when it
 * succeeded, the status and body on standard error otherwise.
 */
public final class AdminOptions {
    static final String TOKEN_VARIABLE = "SBC_ADMIN_TOKEN";

    @Option(names = "--url", defaultValue = "http://127.0.0.1:9090", paramLabel = "URL",
            description = "the management listener (default: ${DEFAULT-VALUE})")
    URI url;

    @Option(names = "--token-file", paramLabel = "FILE", description = "file holding the admin token "
            + "(management.token); default: the " + TOKEN_VARIABLE + " environment variable")
    Path tokenFile;

    /** A client for the options given. */
    public AdminClient client() throws IOException {
        String token;
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
            } catch (NoSuchFileException e) {
                throw new IOException("no token file " + tokenFile, e);
            }
        } else {
            token = System.getenv(TOKEN_VARIABLE);
        }
        if (token == null || token.isEmpty()) {
            throw new IOException("no admin token: give --token-file or set " + TOKEN_VARIABLE);
        }
        return new AdminClient(url, token);
    }

    /**
     * Sends one request and prints its answer.
     *
     * @return 0 when the SBC did it, {@link SbcCommand#ADMIN_REFUSED} when it refused (4xx: no such call, bad
     *     filter, wrong token), {@link SbcCommand#RUNTIME_FAILURE} when it could not (5xx)
     * @throws IOException when the SBC cannot be reached (the command line reports it as a runtime failure)
     */
    public int call(CommandSpec spec, String method, String path, Map<String, String> query) throws IOException,
            InterruptedException {
        AdminClient.Answer answer = client().send(method, path, query);
        CommandLine cli = spec.commandLine();
        if (answer.ok()) {
            PrintWriter out = cli.getOut();
            out.print(answer.body());
            out.flush();
            return 0;
        }
        PrintWriter err = cli.getErr();
        err.println("sbc " + spec.qualifiedName().replaceFirst("^sbc ", "") + ": HTTP " + answer.status() + " "
                + answer.body().strip());
        err.flush();
        return answer.status() < 500 ? SbcCommand.ADMIN_REFUSED : SbcCommand.RUNTIME_FAILURE;
    }
}
