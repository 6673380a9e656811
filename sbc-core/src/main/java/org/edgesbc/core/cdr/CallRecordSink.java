package org.edgesbc.core.cdr;

/** Where the relay's call detail records go: {@link CdrWriter} in the daemon. Must not block the caller. */
@FunctionalInterface
public interface CallRecordSink {
    void write(CallRecord record);
}
