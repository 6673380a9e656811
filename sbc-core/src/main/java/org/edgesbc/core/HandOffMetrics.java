package org.edgesbc.core;

/** Counts the hand-offs that failed (Micrometer in the daemon). Thread-safe. */
public interface HandOffMetrics {
    /** Why a hand-off failed: the receiving queue was full (or shut down), or the task threw. */
    enum Failure { REJECTED, THREW }

    void failed(HandOff handOff, Failure failure);

    HandOffMetrics NONE = (handOff, failure) -> { };
}
