package org.edgesbc.core.security;

import java.nio.file.Path;
import org.edgesbc.core.JsonLinesWriter;

/**
 * Security events as JSON lines in their own file, written in the background (see {@link JsonLinesWriter}): a
 * flood of decisions never blocks a relay thread, and the metrics still count every decision when the file falls
 * behind.
 */
public final class SecurityEventLog implements AutoCloseable {
    private static final int QUEUE = 10_000;

    private final JsonLinesWriter<SecurityEvent> writer;

    public SecurityEventLog(Path file) {
        this.writer = new JsonLinesWriter<>("sbc-security-events", QUEUE, SecurityEvent::toJson, event -> file);
    }

    public void emit(SecurityEvent event) {
        writer.write(event);
    }

    @Override
    public void close() {
        writer.close();
    }
}
