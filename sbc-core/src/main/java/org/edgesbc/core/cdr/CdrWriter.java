package org.edgesbc.core.cdr;

import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.edgesbc.core.JsonLinesWriter;

/**
 * Call detail records as JSON lines, one file per UTC day ({@code cdr-YYYY-MM-DD.jsonl}, by the call's end),
 * written in the background (see {@link JsonLinesWriter}).
 */
public final class CdrWriter implements CallRecordSink, AutoCloseable {
    private static final int QUEUE = 50_000;

    private final JsonLinesWriter<CallRecord> writer;

    public CdrWriter(Path folder) {
        this.writer = new JsonLinesWriter<>("sbc-cdr", QUEUE, CallRecord::toJson, record -> folder.resolve(
                "cdr-" + LocalDate.ofInstant(record.end() != null ? record.end() : record.start(), ZoneOffset.UTC)
                        + ".jsonl"));
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
