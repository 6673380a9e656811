package org.edgesbc.policy;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/**
 * A clock the test moves by hand: a wall clock and its monotonic twin ({@link #nanos}). {@link #advance} moves
 * both, as time passing does; {@link #stepWall} moves the wall clock alone, as NTP or an operator setting the date.
 */
public final class ManualClock implements InstantSource {
    private Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private long nanos;

    @Override
    public Instant instant() {
        return now;
    }

    public long nanos() {
        return nanos;
    }

    public void advance(Duration by) {
        now = now.plus(by);
        nanos += by.toNanos();
    }

    /** The wall clock set forward (or back, for a negative step) while no time passes. */
    public void stepWall(Duration by) {
        now = now.plus(by);
    }
}
