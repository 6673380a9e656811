package org.edgesbc.core.management;

import java.util.concurrent.CompletableFuture;

/** A running SBC that can drain before it stops (see {@link DrainCoordinator}). */
public interface Drainable extends AutoCloseable {
    /**
     * Starts draining, unless a drain already runs.
     *
     * @param why what asked for it, for the log
     * @return {@link #drained()}
     */
    CompletableFuture<Void> drain(String why);

    /** Completes when a drain, however started (signal, admin API), is over; the owner then closes the SBC. */
    CompletableFuture<Void> drained();
}
