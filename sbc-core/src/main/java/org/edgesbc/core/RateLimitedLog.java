package org.edgesbc.core;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logging for anything a remote peer can trigger: at most one line per key per interval, and the next line says how
 * many were suppressed. A flood of bad messages thus costs a counter increment, not a disk write.
 */
public final class RateLimitedLog {
    private static final long INTERVAL_NANOS = 10_000_000_000L;

    private final Logger log;

    private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

    /** @param name the logger's name; keys are a small fixed set per call site, so the table stays small */
    public RateLimitedLog(String name) {
        this.log = LoggerFactory.getLogger(name);
    }

    public void info(String key, String format, Object... args) {
        if (log.isInfoEnabled()) {
            String prefix = admit(key);
            if (prefix != null) {
                log.info(prefix + format, args);
            }
        }
    }

    public void warn(String key, String format, Object... args) {
        String prefix = admit(key);
        if (prefix != null) {
            log.warn(prefix + format, args);
        }
    }

    public void error(String key, String format, Object... args) {
        String prefix = admit(key);
        if (prefix != null) {
            log.error(prefix + format, args);
        }
    }

    /** Returns the line prefix when this key may log now, null when the line is suppressed. */
    private String admit(String key) {
        Window window = windows.computeIfAbsent(key, k -> new Window());
        long now = System.nanoTime();
        long opened = window.openedNanos.get();
        if (now - opened < INTERVAL_NANOS && opened != 0) {
            window.suppressed.incrementAndGet();
            return null;
        }
        if (!window.openedNanos.compareAndSet(opened, now)) {
            window.suppressed.incrementAndGet();
            return null;
        }
        long suppressed = window.suppressed.getAndSet(0);
        return suppressed == 0 ? "[" + key + "] " : "[" + key + ", " + suppressed + " similar suppressed] ";
    }

    private static final class Window {
        final AtomicLong openedNanos = new AtomicLong();
        final AtomicLong suppressed = new AtomicLong();
    }
}
