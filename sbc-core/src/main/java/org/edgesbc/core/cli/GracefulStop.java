package org.edgesbc.core.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.edgesbc.core.management.Drainable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@code sbc run} stops the SBC: the first SIGTERM drains it (calls in progress end first), a second SIGTERM
 * stops it at once, and so do SIGINT and {@code System.exit} through the shutdown hook. A drain however started (the
 * admin API too) stops the SBC once it is over. Whatever asks, the SBC is closed once, on the thread that waits in
 * {@link #closeWhenAsked}, which is what writes the state files.
 */
final class GracefulStop {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private final AutoCloseable daemon;
    private final CountDownLatch asked = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger terms = new AtomicInteger();

    GracefulStop(AutoCloseable daemon) {
        this.daemon = daemon;
        if (daemon instanceof Drainable drainable) {
            drainable.drained().thenRun(asked::countDown);
        }
    }

    /** SIGTERM: the first one drains (or stops an SBC that cannot drain), the next one stops at once. */
    void terminate() {
        if (terms.incrementAndGet() == 1 && daemon instanceof Drainable drainable) {
            LOG.info("SIGTERM: draining before stopping; a second SIGTERM stops at once");
            drainable.drain("SIGTERM");
        } else {
            LOG.info("SIGTERM: stopping now");
            asked.countDown();
        }
    }

    /** The shutdown hook: stop now, and return only once closed, since the JVM halts when its hooks return. */
    void stopFromShutdownHook() {
        asked.countDown();
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Waits until something asks the SBC to stop, then closes it; a failing close is logged, not thrown. */
    void closeWhenAsked() throws InterruptedException {
        asked.await();
        try {
            daemon.close();
        } catch (Exception e) {
            LOG.error("the SBC did not stop cleanly: {}", e.getMessage() == null ? e.toString() : e.getMessage(), e);
        } finally {
            closed.countDown();
        }
    }
}
