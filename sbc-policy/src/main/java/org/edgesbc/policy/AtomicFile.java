package org.edgesbc.policy;

import java.io.IOException;
import java.io.Writer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Replaces a state file so that a crash leaves either the old or the new content, never a mix: written to a
 * temporary file in the same folder, synced, then moved over the old one atomically.
 */
public final class AtomicFile {
    private AtomicFile() { }

    public static void write(Path file, String header, List<String> lines) throws IOException {
        Path folder = file.toAbsolutePath().getParent();
        Files.createDirectories(folder);
        Path temp = Files.createTempFile(folder, ".state-", ".tmp");
        try {
            try (Writer out = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                out.write("# " + header + "\n");
                for (String line : lines) {
                    out.write(line);
                    out.write('\n');
                }
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The file's lines without comments and blank lines; empty when it does not exist. */
    public static List<String> read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return List.of();
        }
        return readAllLines(file).stream().filter(line -> !line.isBlank() && !line.startsWith("#")).toList();
    }

    /**
     * Every line of a state file. A file that cannot be read as text at all (not UTF-8, a directory, unreadable) is
     * an error that names the file: the caller decides whether to go on without it.
     */
    public static List<String> readAllLines(Path file) throws IOException {
        try {
            return Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IOException(file + ": cannot be read as a state file (" + e
                    + "); move it aside to start without it, or restore it from a backup", e);
        }
    }
}
