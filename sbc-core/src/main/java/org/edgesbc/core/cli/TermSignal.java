package org.edgesbc.core.cli;

import sun.misc.Signal;

/**
 * SIGTERM handled by the SBC itself instead of the JVM's shutdown sequence: that sequence runs once, so a second
 * SIGTERM could not stop a drain that takes minutes. {@code sun.misc.Signal} (module {@code jdk.unsupported}) is
 * the JDK's only way to see each signal.
 */
final class TermSignal {
    private TermSignal() { }

    /** Runs {@code handler} on every SIGTERM, on the JVM's signal thread; it must return quickly. */
    static void handle(Runnable handler) {
        Signal.handle(new Signal("TERM"), signal -> handler.run());
    }
}
