package org.edgesbc.policy.ban;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.edgesbc.policy.AtomicFile;
import org.edgesbc.policy.Cidr;

/**
 * Bans on disk so that a restart does not release them: one ban per line, tab-separated
 * ({@code address reason created expires offences counters detail}, counters as {@code name=value,name=value}),
 * written to a temporary file, synced and moved over the old one atomically. Reading skips expired bans and reports
 * corrupt lines instead of failing; lines of the earlier six-field format (without counters) are still read.
 */
public final class BanStateFile {
    private static final int FIELDS = 7;
    private static final int FIELDS_WITHOUT_COUNTERS = 6;

    private final Path file;

    public BanStateFile(Path file) {
        this.file = file;
    }

    public void write(List<Ban> bans) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Ban ban : bans) {
            lines.add(ban.source().getHostAddress() + '\t' + ban.reason() + '\t' + ban.created() + '\t'
                    + ban.expires() + '\t' + ban.offences() + '\t' + counters(ban.counters()) + '\t'
                    + ban.detail().replace('\t', ' ').replace('\n', ' ').replace('\r', ' '));
        }
        AtomicFile.write(file, "edge SBC bans: address, reason, created, expires, offences, counters, detail", lines);
    }

    private static String counters(Map<String, Long> counters) {
        StringBuilder out = new StringBuilder();
        counters.forEach((name, value) -> {
            out.append(out.length() == 0 ? "" : ",").append(name.replaceAll("[,=\\s]", "_")).append('=').append(value);
        });
        return out.toString();
    }

    private static Map<String, Long> parseCounters(String text) {
        Map<String, Long> counters = new LinkedHashMap<>();
        if (text.isEmpty()) {
            return counters;
        }
        for (String pair : text.split(",", -1)) {
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("counter '" + pair + "' is not name=value");
            }
            counters.put(pair.substring(0, eq), Long.parseLong(pair.substring(eq + 1)));
        }
        return counters;
    }

    /** What a read found: the bans still active, and one message per line that could not be used. */
    public record Loaded(List<Ban> bans, List<String> problems) { }

    public Loaded read(Instant now) throws IOException {
        List<Ban> bans = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        if (!Files.exists(file)) {
            return new Loaded(bans, problems);
        }
        int number = 0;
        for (String line : AtomicFile.readAllLines(file)) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", FIELDS);
            try {
                Ban ban;
                if (f.length == FIELDS) {
                    ban = new Ban(Cidr.address(f[0]), BanReason.valueOf(f[1]), f[6], parseCounters(f[5]),
                            Instant.parse(f[2]), Instant.parse(f[3]), Integer.parseInt(f[4]));
                } else if (f.length == FIELDS_WITHOUT_COUNTERS) {
                    ban = new Ban(Cidr.address(f[0]), BanReason.valueOf(f[1]), f[5], Instant.parse(f[2]),
                            Instant.parse(f[3]), Integer.parseInt(f[4]));
                } else {
                    throw new IllegalArgumentException("expected " + FIELDS + " tab-separated fields, found "
                            + f.length);
                }
                if (ban.activeAt(now)) {
                    bans.add(ban);
                }
            } catch (IllegalArgumentException | DateTimeParseException e) {
                problems.add(file + ":" + number + ": " + e.getMessage());
            }
        }
        return new Loaded(bans, problems);
    }
}
