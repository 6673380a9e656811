package org.edgesbc.core.security;

import java.nio.file.Path;
import org.edgesbc.core.JsonLinesWriter;
import org.edgesbc.core.RecordMetrics;
import org.edgesbc.core.config.RollingFileConfig;

/**
 * Security events as JSON lines in their own file, written in the background (see {@link JsonLinesWriter}): a
 * flood of decisions never blocks a relay thread, and the metrics still count every decision when the file falls
 * behind.
 */
public final class SecurityEventLog implements AutoCloseable {
    /** Records per write under load: a flood of them costs a system call per batch, not per record. */
    private static final int BATCH = 256;
    private static final int QUEUE = 10_000;

    private final JsonLinesWriter<SecurityEvent> writer;

    /** @param file the active file, {@code <data-dir>/security-events.jsonl} */
    public SecurityEventLog(Path file, RollingFileConfig rolling, RecordMetrics metrics) {
        this.writer = new JsonLinesWriter<>("sbc-security-events", QUEUE, BATCH, SecurityEvent::toJson, file, rolling,
                metrics);
    }

    public void emit(SecurityEvent event) {
        writer.write(event);
    }

    @Override
    public void close() {
        writer.close();
    }
}
