package org.edgesbc.core;

/**
 * Counts the writes a {@link JsonLinesWriter}'s file refused and the records it could not write (Micrometer in the
 * daemon). Thread-safe.
 */
public interface RecordMetrics {
    /** The files of records, each with its own counters. */
    enum RecordFile { SECURITY_EVENTS, CDR }

    /** Why a record was lost: the writer's queue was full, or the file could not be written before the stop. */
    enum Drop { QUEUE_FULL, WRITE_FAILED }

    void dropped(Drop drop, int records);

    /** One write of a batch that the file refused; the batch is kept and tried again. */
    void writeFailed();

    RecordMetrics NONE = new RecordMetrics() {
        @Override
        public void dropped(Drop drop, int records) {
        }

        @Override
        public void writeFailed() {
        }
    };
}
