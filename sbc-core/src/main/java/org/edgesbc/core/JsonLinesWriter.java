package org.edgesbc.core;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Appends records as JSON lines from one background thread, so that relay threads never wait on the disk. The
 * queue is bounded: records that do not fit are counted as lost rather than buffered without end. Each record
 * names its file ({@code fileOf}), so a writer can rotate by day; the open file changes when that name does.
 *
 * @param <T> the record type
 */
public final class JsonLinesWriter<T> implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JsonLinesWriter.class);

    private final Function<T, String> json;
    private final Function<T, Path> fileOf;
    private final BlockingQueue<T> queue;
    private final AtomicLong lost = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    public JsonLinesWriter(String name, int capacity, Function<T, String> json, Function<T, Path> fileOf) {
        this.json = json;
        this.fileOf = fileOf;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.writer = new Thread(this::drain, name);
        writer.setDaemon(true);
        writer.start();
    }

    public void write(T record) {
        if (!queue.offer(record)) {
            lost.incrementAndGet();
        }
    }

    public long lost() {
        return lost.get();
    }

    private void drain() {
        Path current = null;
        BufferedWriter out = null;
        try {
            while (running || !queue.isEmpty()) {
                T record = queue.poll(200, TimeUnit.MILLISECONDS);
                if (record == null) {
                    continue;
                }
                Path file = fileOf.apply(record);
                if (!file.equals(current)) {
                    if (out != null) {
                        out.close();
                    }
                    Files.createDirectories(file.toAbsolutePath().getParent());
                    out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
                    current = file;
                }
                out.write(json.apply(record));
                out.write('\n');
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            LOG.error("writing {} failed: {}; further records are only counted", current, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (out != null) {
                try {
                    out.close();
                } catch (IOException e) {
                    LOG.error("closing {} failed: {}", current, e.getMessage());
                }
            }
        }
    }

    /** Writes what is queued (for up to two seconds) and stops. */
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
