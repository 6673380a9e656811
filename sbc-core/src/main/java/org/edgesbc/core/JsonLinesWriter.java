package org.edgesbc.core;

import ch.qos.logback.core.ContextBase;
import ch.qos.logback.core.encoder.EncoderBase;
import ch.qos.logback.core.recovery.RecoveryListener;
import ch.qos.logback.core.recovery.ResilientOutputStreamBase;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.util.FileSize;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.edgesbc.core.config.RollingFileConfig;

/**
 * Appends records as JSON lines, one per line, from one background thread, so that relay threads never wait on the
 * disk. The file is rolled by Logback at each UTC day and at a size ({@link RollingFileConfig}): the active file
 * keeps its name ({@code security-events.jsonl}), rolled ones carry the day and a counter
 * ({@code security-events.2026-12-03.0.jsonl.gz}), and the oldest are deleted past the retention.
 *
 * <p>No record is lost silently. A batch the file refuses (disk full, folder gone) is kept and written again, the
 * file reopened, every {@link #RETRY_NANOS} until it is written: records are the SBC's account of calls and attacks,
 * and an operator who frees the disk expects them there. Meanwhile new records wait in the bounded queue; a record
 * that does not fit is dropped. Each refused write and each dropped record is counted in {@link RecordMetrics} and
 * reported through a rate-limited log line, as are Logback's own warnings (a rollover or compression that failed).
 *
 * <p>Logback's appender runs in a context of its own, apart from the application's logging configuration: records
 * are not log lines, and neither {@code logback.xml} nor a test's configuration may redirect or drop them.
 *
 * @param <T> the record type
 */
public final class JsonLinesWriter<T> implements AutoCloseable {
    private static final String ROLLED_DAY = ".%d{yyyy-MM-dd,UTC}.%i";
    /** How long a batch the file refused waits before the file is reopened and the batch written again. */
    static final long RETRY_NANOS = 1_000_000_000L;
    /**
     * How long the writer lets records gather after a write that emptied the queue. Without the pause a record
     * every few hundred microseconds (a CDR per call at thousands of calls per second) costs a wake-up of this thread,
     * one of the relay thread that queued it, and a write and flush each; with it they cost one per pause. A record
     * reaches the file at most this much later, which no reader of these files notices. A tenth of a second, not
     * less: on a virtual machine each wake-up of a thread costs tens of microseconds of CPU, more than a record's
     * JSON (docs/performance.md, "The record writers' wake-ups").
     */
    static final long GATHER_NANOS = 100_000_000L;
    /** Queued by {@link #close} so that a writer waiting for records wakes and sees that it is to stop. */
    private static final Object STOP = new Object();

    private final String name;
    private final Function<T, String> json;
    /** Records, and {@link #STOP} once closed. */
    private final BlockingQueue<Object> queue;
    private final int batch;
    private final RecordMetrics metrics;
    private final RateLimitedLog log = new RateLimitedLog("org.edgesbc.records");
    private final AtomicLong dropped = new AtomicLong();
    private final ContextBase context = new ContextBase();
    private final WatchedAppender appender = new WatchedAppender();
    private final Thread writer;
    private volatile boolean running = true;
    /** Set when {@link #close} gives up waiting: the writer thread then appends nothing more. */
    private volatile boolean abandoned;

    /**
     * Opens (or creates, with its folders) {@code file} and starts the writer thread.
     *
     * @param name the thread's name and the prefix of log lines about this file
     * @param capacity records that may wait for the disk; more are dropped and counted
     * @param batch at most this many waiting records go to the file in one write: under a flood of records, one
     *     system call per record would take the CPU the relay needs; a file rolls only between writes, so it may
     *     pass its size by up to one batch
     * @param file the active file; its name must end in {@code .jsonl}
     */
    public JsonLinesWriter(String name, int capacity, int batch, Function<T, String> json, Path file,
            RollingFileConfig rolling, RecordMetrics metrics) {
        String active = file.toAbsolutePath().toString();
        if (!active.endsWith(".jsonl")) {
            throw new IllegalArgumentException("a JSON-lines file must end in .jsonl: " + active);
        }
        this.name = name;
        this.json = json;
        this.metrics = metrics;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.batch = batch;
        context.setName(name);
        context.getStatusManager().add(this::report);
        SizeAndTimeBasedRollingPolicy<String> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(active.substring(0, active.length() - ".jsonl".length()) + ROLLED_DAY + ".jsonl"
                + (rolling.compress() ? ".gz" : ""));
        policy.setMaxFileSize(new FileSize(rolling.maxFileBytes()));
        policy.setMaxHistory(rolling.maxHistoryDays());
        policy.setTotalSizeCap(new FileSize(rolling.totalSizeCapBytes()));
        policy.setCleanHistoryOnStart(true);
        appender.setContext(context);
        appender.setName(name);
        appender.setFile(active);
        appender.setEncoder(new LineEncoder());
        // The policy triggers the rolls too: Logback takes it as the triggering policy as well.
        appender.setRollingPolicy(policy);
        policy.start();
        appender.start();
        this.writer = new Thread(this::drain, name);
        writer.setDaemon(true);
        writer.start();
    }

    /** Queues {@code record}; never blocks. */
    public void write(T record) {
        if (!queue.offer(record)) {
            drop(RecordMetrics.Drop.QUEUE_FULL, 1);
        }
    }

    /** Records dropped since the start, for any reason. */
    public long dropped() {
        return dropped.get();
    }

    /** Waits for records without a timeout: an idle writer costs no wake-ups; {@link #close} wakes it. */
    @SuppressWarnings("unchecked")
    private void drain() {
        List<Object> taken = new ArrayList<>(batch);
        StringBuilder lines = new StringBuilder();
        try {
            while ((running || !queue.isEmpty()) && !abandoned) {
                taken.add(queue.take());
                queue.drainTo(taken, batch - 1);
                int records = 0;
                for (Object item : taken) {
                    if (item != STOP) {
                        lines.append(json.apply((T) item)).append('\n');
                        records++;
                    }
                }
                taken.clear();
                if (records > 0) {
                    appendUntilWritten(lines.toString(), records);
                    lines.setLength(0);
                }
                if (records < batch && running) {
                    TimeUnit.NANOSECONDS.sleep(GATHER_NANOS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Appends one batch, reopening the file and trying again while it refuses (Logback alone would skip writes for
     * up to minutes between its own reopen attempts). Gives up only when the writer is stopped; the batch is then
     * counted as lost.
     */
    private void appendUntilWritten(String lines, int records) throws InterruptedException {
        boolean refused = false;
        while (true) {
            if (refused || !appender.isStarted()) {
                reopen();
            }
            if (appender.isStarted() && appender.written(lines)) {
                if (refused) {
                    log.info(name + "-back", "{}: the file takes writes again; {} record(s) kept meanwhile written",
                            name, records + queue.size());
                }
                return;
            }
            refused = true;
            metrics.writeFailed();
            log.error(name + "-write-failed", "{}: cannot write {}; {} record(s) kept, {} waiting, trying again "
                    + "every second", name, appender.getFile(), records, queue.size());
            if (!running || abandoned) {
                drop(RecordMetrics.Drop.WRITE_FAILED, records);
                return;
            }
            try {
                TimeUnit.NANOSECONDS.sleep(RETRY_NANOS);
            } catch (InterruptedException e) {
                drop(RecordMetrics.Drop.WRITE_FAILED, records);
                throw e;
            }
        }
    }

    private void reopen() {
        if (!appender.isStarted()) {
            // The file could not be opened at the start (its folder was missing or not writable).
            appender.start();
            return;
        }
        try {
            appender.openFile(appender.getFile());
        } catch (IOException e) {
            // Counted and logged as a refused write by the caller; Logback reports the cause through its status.
        }
    }

    private void drop(RecordMetrics.Drop drop, int records) {
        long total = dropped.addAndGet(records);
        metrics.dropped(drop, records);
        log.error(name + "-" + drop.name().toLowerCase(Locale.ROOT), "{}: {} record(s) dropped ({}); {} dropped "
                + "since start, {} waiting", name, records, drop == RecordMetrics.Drop.QUEUE_FULL
                        ? "the queue is full: the disk is slower than the records come, or refuses them"
                        : "the file could not be written", total, queue.size());
    }

    /** Logback's warnings and errors about the file (open, write, rollover, compression) reach the operator. */
    private void report(Status status) {
        if (status.getLevel() >= Status.WARN) {
            Throwable cause = status.getThrowable();
            log.warn(name + "-file", "{}: {}{}", name, status.getMessage(), cause == null ? ""
                    : ": " + cause.getMessage());
        }
    }

    /**
     * Writes what is queued (for up to two seconds), closes the file and stops. Records still queued after that are
     * reported as lost: a stop must not wait without end on a disk that does not answer.
     */
    @Override
    public void close() {
        running = false;
        // A full queue means a writer busy with it, which sees the flag before it waits again.
        queue.offer(STOP);
        try {
            writer.join(2_000);
            if (writer.isAlive()) {
                abandoned = true;
                writer.interrupt();
                writer.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.remove(STOP);
        int unwritten = queue.size();
        if (unwritten > 0) {
            dropped.addAndGet(unwritten);
            metrics.dropped(RecordMetrics.Drop.WRITE_FAILED, unwritten);
            log.error(name + "-close", "{}: {} records were still waiting for the disk at stop and are lost", name,
                    unwritten);
        }
        appender.stop();
        context.stop();
    }

    /** Lines, each a JSON text and a newline, in UTF-8. */
    private static final class LineEncoder extends EncoderBase<String> {
        @Override
        public byte[] headerBytes() {
            return null;
        }

        @Override
        public byte[] encode(String lines) {
            return lines.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] footerBytes() {
            return null;
        }
    }

    /**
     * Logback's file appender swallows write errors: its stream marks itself failed, skips every write until a reopen
     * works (the write that reopens it is skipped too), and reports only the first few errors. This appender listens
     * to each stream it opens, so that the writer knows whether the record it just appended reached the file: not
     * when the stream was failed before it, nor when its own write or flush failed.
     */
    private static final class WatchedAppender extends RollingFileAppender<String> implements RecoveryListener {
        /** Whether the current stream is failed and skipping writes; touched only by the writer thread. */
        private boolean failed;
        private boolean failedNow;

        WatchedAppender() {
            // One write and flush per batch: a failure is seen with the records it concerns.
            setImmediateFlush(true);
        }

        /** Appends {@code lines} in one write and tells whether they reached the file. */
        boolean written(String lines) {
            boolean failedBefore = failed;
            failedNow = false;
            doAppend(lines);
            return isStarted() && !failedBefore && !failedNow;
        }

        @Override
        public void setOutputStream(OutputStream stream) {
            failed = false;
            if (stream instanceof ResilientOutputStreamBase resilient) {
                resilient.addRecoveryListener(this);
            }
            super.setOutputStream(stream);
        }

        @Override
        public void newFailure(IOException e) {
            failed = true;
            failedNow = true;
        }

        @Override
        public void recoveryOccured() {
            failed = false;
        }
    }
}
