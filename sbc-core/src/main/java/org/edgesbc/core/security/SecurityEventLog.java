package org.edgesbc.core.security;

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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Security events as JSON lines in their own file, written by one background thread so that a flood of decisions
 * never blocks a relay thread on the disk. The queue is bounded: when a flood outruns the disk, further events are
 * counted as lost rather than buffered without end (the metrics still count every decision).
 */
public final class SecurityEventLog implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(SecurityEventLog.class);
    private static final int QUEUE = 10_000;

    private final Path file;
    private final BlockingQueue<String> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong lost = new AtomicLong();
    private final Thread writer;
    private volatile boolean running = true;

    public SecurityEventLog(Path file) throws IOException {
        this.file = file;
        Files.createDirectories(file.toAbsolutePath().getParent());
        this.writer = new Thread(this::drain, "sbc-security-events");
        writer.setDaemon(true);
        writer.start();
    }

    public void emit(SecurityEvent event) {
        if (!queue.offer(event.toJson())) {
            lost.incrementAndGet();
        }
    }

    public Path file() {
        return file;
    }

    public long lost() {
        return lost.get();
    }

    private void drain() {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            while (running || !queue.isEmpty()) {
                String line = queue.poll(200, TimeUnit.MILLISECONDS);
                if (line == null) {
                    continue;
                }
                out.write(line);
                out.write('\n');
                if (queue.isEmpty()) {
                    out.flush();
                }
            }
        } catch (IOException e) {
            LOG.error("security event log {} failed: {}; events are now only counted", file, e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
