package org.edgesbc.core.cdr;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes call detail records as JSON lines, one file per UTC day ({@code cdr-YYYY-MM-DD.jsonl}), from one
 * background thread so that relay threads never wait on the disk. The queue is bounded; records that do not fit
 * are counted as lost rather than buffered without end.
 */
public final class CdrWriter implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CdrWriter.class);
    private static final int QUEUE = 50_000;

    private final Path folder;
    private final BlockingQueue<CallRecord> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong lost = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    public CdrWriter(Path folder) throws IOException {
        this.folder = folder;
        Files.createDirectories(folder);
        this.writer = new Thread(this::drain, "sbc-cdr");
        writer.setDaemon(true);
        writer.start();
    }

    public void write(CallRecord record) {
        if (!queue.offer(record)) {
            lost.incrementAndGet();
        }
    }

    public long lost() {
        return lost.get();
    }

    /** The file records of {@code day} (UTC) go to. */
    public Path fileFor(LocalDate day) {
        return folder.resolve("cdr-" + day + ".jsonl");
    }

    private void drain() {
        LocalDate day = null;
        BufferedWriter out = null;
        try {
            while (running || !queue.isEmpty()) {
                CallRecord record = queue.poll(200, TimeUnit.MILLISECONDS);
                if (record == null) {
                    continue;
                }
                LocalDate recordDay = LocalDate.ofInstant(record.end() != null ? record.end() : record.start(),
                        ZoneOffset.UTC);
                if (!recordDay.equals(day)) {
                    if (out != null) {
                        out.close();
                    }
                    day = recordDay;
                    out = Files.newBufferedWriter(fileFor(day), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                }
                out.write(record.toJson());
                out.write('\n');
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            LOG.error("CDR file in {} failed: {}; further records are lost", folder, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    LOG.error("closing the CDR file failed: {}", e.getMessage());
                }
            }
        }
    }

    @Override
    public void close() {
        running = false;
        try {
            writer.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
