package org.edgesbc.core;

/** Counts the records a {@link JsonLinesWriter} could not write (Micrometer in the daemon). Thread-safe. */
public interface RecordMetrics {
    /** The files of records, each with its own counters. */
    enum RecordFile { SECURITY_EVENTS, CDR }

    /** Why a record was lost: the writer's queue was full, or the file could not be written. */
    enum Drop { QUEUE_FULL, WRITE_FAILED }

    void dropped(Drop drop, int records);

    RecordMetrics NONE = (drop, records) -> { };
}
