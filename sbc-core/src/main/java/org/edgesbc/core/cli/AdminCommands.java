package org.edgesbc.core.cli;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The operator's subcommands, each a thin client of one admin API request (see {@link AdminClient}): {@code calls},
 * {@code bans}, {@code registrations} and {@code drain}. They print the API's JSON answer as it is.
 */
final class AdminCommands {
    private AdminCommands() { }

    /** Adds the admin subcommands to {@code sbc}. */
    static void addTo(CommandLine sbc) {
        sbc.addSubcommand(new CommandLine(new Calls()).addSubcommand(new ListCalls()).addSubcommand(new ShowCall())
                .addSubcommand(new EndCall()));
        sbc.addSubcommand(new CommandLine(new Bans()).addSubcommand(new ListBans()).addSubcommand(new AddBan())
                .addSubcommand(new RemoveBan()));
        sbc.addSubcommand(new CommandLine(new Registrations()).addSubcommand(new ListRegistrations())
                .addSubcommand(new RemoveRegistration()));
        sbc.addSubcommand(new Drain());
    }

    /** A group of subcommands run without one of them: a usage error naming them. */
    abstract static class Group implements Runnable {
        @Spec
        CommandSpec spec;

        @Override
        public void run() {
            throw new CommandLine.ParameterException(spec.commandLine(), "name a command: "
                    + String.join(", ", spec.subcommands().keySet()));
        }
    }

    /** A subcommand that sends one request. */
    abstract static class Request implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Spec
        CommandSpec spec;

        int send(String method, String path, Map<String, String> query) throws IOException, InterruptedException {
            return admin.call(spec, method, path, query);
        }

        static Map<String, String> query(String... namesAndValues) {
            Map<String, String> query = new LinkedHashMap<>();
            for (int i = 0; i < namesAndValues.length; i += 2) {
                query.put(namesAndValues[i], namesAndValues[i + 1]);
            }
            return query;
        }
    }

    // ----------------------------------------------------------------------------------------------- calls

    @Command(name = "calls", description = "List, show and end calls in progress.")
    static final class Calls extends Group { }

    @Command(name = "list", description = "Calls in progress, oldest first.")
    static final class ListCalls extends Request {
        @Option(names = "--zone", description = "calls with a leg in this zone")
        String zone;

        @Option(names = "--account", description = "calls placed under this account (phone user or PBX account)")
        String account;

        @Option(names = "--number", description = "calls whose calling or called number contains these digits")
        String number;

        @Option(names = "--min-age", paramLabel = "SECONDS", description = "calls at least this many seconds old")
        Long minAge;

        @Option(names = "--limit", description = "at most this many calls (1-10000; default 100)")
        Integer limit;

        @Override
        public Integer call() throws IOException, InterruptedException {
            return send("GET", "calls", query("zone", zone, "account", account, "number", number,
                    "min-age", minAge == null ? null : minAge.toString(),
                    "limit", limit == null ? null : limit.toString()));
        }
    }

    @Command(name = "show", description = "One call: both legs' Call-IDs and tags, media addresses and counters, "
            + "the toll-fraud decision.")
    static final class ShowCall extends Request {
        @Parameters(paramLabel = "CALL-ID", description = "the call's id, or either leg's Call-ID")
        String id;

        @Override
        public Integer call() throws IOException, InterruptedException {
            return send("GET", "calls/" + AdminClient.segment(id), Map.of());
        }
    }

    @Command(name = "end", description = "End a call: BYE to both sides, or CANCEL to the callee while it rings.")
    static final class EndCall extends Request {
        @Parameters(paramLabel = "CALL-ID", description = "the call's id, or either leg's Call-ID")
        String id;

        @Override
        public Integer call() throws IOException, InterruptedException {
            return send("POST", "calls/" + AdminClient.segment(id) + "/end", Map.of());
        }
    }

    // ------------------------------------------------------------------------------------------------ bans

    @Command(name = "bans", description = "List, add and lift bans of source addresses.")
    static final class Bans extends Group { }

    @Command(name = "list", description = "Active bans with reason, counters and expiry.")
    static final class ListBans extends Request {
        @Override
        public Integer call() throws IOException, InterruptedException {
            return send("GET", "bans", Map.of());
        }
    }

    @Command(name = "add", description = "Ban a source address.")
    static final class AddBan extends Request {
        @Parameters(paramLabel = "ADDRESS", description = "an IP literal")
        String address;

        @Option(names = "--duration", paramLabel = "SECONDS", description = "how long (default: 3600)")
        Long duration;

        @Option(names = "--note", description = "why, for the ban list and the security event")
        String note;

        @Override
        public Integer call() throws IOException, InterruptedException {
            return send("POST", "bans", query("address", address,
                    "duration", duration == null ? null : duration.toString(), "note", note));
        }
    }

    @Command(name = "remove", description = "Lift the ban of a source address.")
    static final class RemoveBan extends Request {
        @Parameters(paramLabel = "ADDRESS", description = "an IP literal")
        String address;

        @Override
        public Integer call() throws IOException, InterruptedException {
            return send("DELETE", "bans", query("address", address));
        }
    }

    // --------------------------------------------------------------------------------------- registrations

    @Command(name = "registrations", description = "List and remove registrations of phones.")
    static final class Registrations extends Group { }

    @Command(name = "list", description = "Bindings of phones: contact, transport, source, expiry.")
    static final class ListRegistrations extends Request {
        @Option(names = "--aor", description = "only this address-of-record's bindings")
        String aor;

        @Override
        public Integer call() throws IOException, InterruptedException {
            return send("GET", "registrations", query("aor", aor));
        }
    }

    @Command(name = "remove", description = "Remove one binding of an address-of-record, or all of them.")
    static final class RemoveRegistration extends Request {
        @Option(names = "--aor", required = true, description = "the address-of-record")
        String aor;

        @Option(names = "--key", description = "the binding's key (default: every binding of the AOR)")
        String key;

        @Override
        public Integer call() throws IOException, InterruptedException {
            return send("DELETE", "registrations", query("aor", aor, "key", key));
        }
    }

    // ----------------------------------------------------------------------------------------------- drain

    @Command(name = "drain", description = "Drain the SBC: refuse new calls, let calls in progress end (at most "
            + "management.drain-timeout), then stop with exit code 0. With --status, only show where a drain stands.")
    static final class Drain extends Request {
        @Option(names = "--status", description = "show the drain's phase and the calls left; start nothing")
        boolean status;

        @Override
        public Integer call() throws IOException, InterruptedException {
            return send(status ? "GET" : "POST", "drain", Map.of());
        }
    }
}
