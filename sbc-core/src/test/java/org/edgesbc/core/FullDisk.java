package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;

/** A full disk under one file, for the record writers' tests: the file is a link to /dev/full. */
final class FullDisk {
    private FullDisk() {
    }

    /**
     * {@code file} (its folders created) as a link to /dev/full, where every write fails with ENOSPC. Logback rolls
     * an active file last modified on an earlier UTC day away at its first write, and the link's time is
     * /dev/full's (the machine's boot, or whenever it was last touched): it is set to now, so that the writes meet
     * the full disk whatever the day.
     */
    static Path under(Path file) throws IOException {
        Path full = Path.of("/dev/full");
        assertThat(Files.isWritable(full)).as("needs /dev/full, where every write fails with ENOSPC").isTrue();
        Files.setLastModifiedTime(full, FileTime.from(Instant.now()));
        Files.createDirectories(file.getParent());
        return Files.createSymbolicLink(file, full);
    }
}
