package org.edgesbc.core.cdr;

import java.nio.file.Path;
import org.edgesbc.core.JsonLinesWriter;
import org.edgesbc.core.RecordMetrics;
import org.edgesbc.core.config.RollingFileConfig;

/**
 * Call detail records as JSON lines in {@code cdr.jsonl}, written in the background and rolled at each UTC day and
 * at a size (see {@link JsonLinesWriter}): a day's records end up in {@code cdr.YYYY-MM-DD.N.jsonl.gz}.
 */
public final class CdrWriter implements CallRecordSink, AutoCloseable {
    /** Records per write under load: a flood of them costs a system call per batch, not per record. */
    private static final int BATCH = 256;
    private static final int QUEUE = 50_000;

    private final JsonLinesWriter<CallRecord> writer;

    /** @param folder {@code <data-dir>/cdr} */
    public CdrWriter(Path folder, RollingFileConfig rolling, RecordMetrics metrics) {
        this.writer = new JsonLinesWriter<>("sbc-cdr", QUEUE, BATCH, CallRecord::toJson, folder.resolve("cdr.jsonl"),
                rolling, metrics);
    }

    @Override
    public void write(CallRecord record) {
        writer.write(record);
    }

    @Override
    public void close() {
        writer.close();
    }
}
