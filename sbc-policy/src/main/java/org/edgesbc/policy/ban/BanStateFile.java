package org.edgesbc.policy.ban;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.policy.AtomicFile;
import org.edgesbc.policy.Cidr;

/**
 * Bans on disk so that a restart does not release them: one ban per line, tab-separated
 * ({@code address reason created expires offences detail}), written to a temporary file, synced and moved over the
 * old one atomically. Reading skips expired bans and reports corrupt lines instead of failing.
 */
public final class BanStateFile {
    private final Path file;

    public BanStateFile(Path file) {
        this.file = file;
    }

    public void write(List<Ban> bans) throws IOException {
        List<String> lines = new ArrayList<>();
        for (Ban ban : bans) {
            lines.add(ban.source().getHostAddress() + '\t' + ban.reason() + '\t' + ban.created() + '\t'
                    + ban.expires() + '\t' + ban.offences() + '\t'
                    + ban.detail().replace('\t', ' ').replace('\n', ' '));
        }
        AtomicFile.write(file, "edge SBC bans: address, reason, created, expires, offences, detail", lines);
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
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            number++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t", 6);
            try {
                if (f.length != 6) {
                    throw new IllegalArgumentException("expected 6 tab-separated fields");
                }
                Ban ban = new Ban(Cidr.address(f[0]), BanReason.valueOf(f[1]), f[5], Instant.parse(f[2]),
                        Instant.parse(f[3]), Integer.parseInt(f[4]));
                if (ban.expires().isAfter(now)) {
                    bans.add(ban);
                }
            } catch (IllegalArgumentException | java.time.format.DateTimeParseException e) {
                problems.add(file + ":" + number + ": " + e.getMessage());
            }
        }
        return new Loaded(bans, problems);
    }
}
