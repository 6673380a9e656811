package org.edgesbc.core.cli;

import org.edgesbc.core.config.SbcConfig;

/**
 * Starts the SBC for {@code sbc run}. The production launcher is {@code SbcDaemon::start}; tests pass their own so
 * that the command's exit codes and shutdown can be checked without binding sockets.
 */
@FunctionalInterface
public interface DaemonLauncher {
    /**
     * Starts everything the configuration describes and returns once it serves.
     *
     * @return the running SBC; closing it stops it and releases every socket and thread
     * @throws Exception when the SBC cannot start (a port that cannot be bound, unreadable key material); nothing is
     *     left running then
     */
    AutoCloseable start(SbcConfig config) throws Exception;
}
