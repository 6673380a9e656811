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
 *
 * <p>SIGTERM is taken from before the start, which takes seconds (the warm-up runs before the listeners open): until
 * then the JVM's own handler would end the process with status 143 and without the SBC's close, so a {@code
 * systemctl stop} just after a start left the unit failed. A SIGTERM taken while the SBC starts is acted on as soon
 * as it runs: it drains at once, having no call, and stops.
 */
final class GracefulStop {
    private static final Logger LOG = LoggerFactory.getLogger(GracefulStop.class);

    private final CountDownLatch asked = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final AtomicInteger terms = new AtomicInteger();
    /** The running SBC; null while it starts. */
    private AutoCloseable daemon;
    private int termsWhileStarting;

    /** The SBC is running: from now on SIGTERM acts on it, and so do those taken while it started. */
    void started(AutoCloseable running) {
        int pending;
        synchronized (this) {
            daemon = running;
            pending = termsWhileStarting;
        }
        if (running instanceof Drainable drainable) {
            drainable.drained().thenRun(asked::countDown);
        }
        if (pending > 0) {
            LOG.info("SIGTERM came while the SBC started: stopping it now");
        }
        for (int i = 0; i < pending; i++) {
            terminate(running);
        }
    }

    /**
     * SIGTERM: the first one drains (or stops an SBC that cannot drain), the next one stops at once; while the SBC
     * starts, kept for {@link #started}.
     */
    void terminate() {
        AutoCloseable running;
        synchronized (this) {
            if (daemon == null) {
                termsWhileStarting++;
                return;
            }
            running = daemon;
        }
        terminate(running);
    }

    private void terminate(AutoCloseable running) {
        if (terms.incrementAndGet() == 1 && running instanceof Drainable drainable) {
            LOG.info("SIGTERM: draining before stopping; a second SIGTERM stops at once");
            drainable.drain("SIGTERM");
        } else {
            LOG.info("SIGTERM: stopping now");
            asked.countDown();
        }
    }

    /**
     * The shutdown hook, installed once the SBC runs: stop now, and return only once closed, since the JVM halts when
     * its hooks return.
     */
    void stopFromShutdownHook() {
        asked.countDown();
        try {
            closed.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Once {@link #started}: waits until something asks the SBC to stop, then closes it; a failing close is logged,
     * not thrown.
     */
    void closeWhenAsked() throws InterruptedException {
        asked.await();
        AutoCloseable running;
        synchronized (this) {
            running = daemon;
        }
        try {
            running.close();
        } catch (Exception e) {
            LOG.error("the SBC did not stop cleanly: {}", e.getMessage() == null ? e.toString() : e.getMessage(), e);
        } finally {
            closed.countDown();
        }
    }
}
