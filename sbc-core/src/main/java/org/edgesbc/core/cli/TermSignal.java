package org.edgesbc.core.cli;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM handled by the SBC itself instead of the JVM's shutdown sequence: that sequence runs once, so a second
 * SIGTERM could not stop a drain that takes minutes. {@code sun.misc.Signal} (module {@code jdk.unsupported}) is
 * the JDK's only way to see each signal.
 */
final class TermSignal {
    private static final Logger LOG = LoggerFactory.getLogger(TermSignal.class);

    private TermSignal() { }

    /**
     * Runs {@code handler} on every SIGTERM, on the JVM's signal thread; it must return quickly. Where the platform
     * or the JVM (run with {@code -Xrs}) does not let the process see SIGTERM, SIGTERM keeps stopping the SBC at
     * once through the shutdown hook, and a warning says so.
     */
    static void handle(Runnable handler) {
        try {
            Signal.handle(new Signal("TERM"), signal -> handler.run());
        } catch (IllegalArgumentException e) {
            LOG.warn("SIGTERM cannot be handled here ({}): it stops the SBC at once; drain with `sbc drain` first",
                    e.getMessage());
        }
    }
}
