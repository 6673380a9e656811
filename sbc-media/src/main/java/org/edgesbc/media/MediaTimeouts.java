package org.edgesbc.media;

import java.time.Duration;
import java.util.Objects;

/**
 * What of the media relay can change while it runs: how long a session may stay silent before it is reported dead.
 * Immutable; {@link MediaRelay#replaceTimeouts} swaps it whole. Everything else of {@link MediaConfig} (addresses,
 * the port range, quarantine, threads) is fixed at start.
 *
 * @param timeout no packet relayed in either direction for this long reports the session dead
 * @param holdTimeout the same while the call is on hold
 */
public record MediaTimeouts(Duration timeout, Duration holdTimeout) {
    /** @throws IllegalArgumentException when either timeout is not positive */
    public MediaTimeouts {
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(holdTimeout, "holdTimeout");
        if (timeout.isNegative() || timeout.isZero() || holdTimeout.isNegative() || holdTimeout.isZero()) {
            throw new IllegalArgumentException("media timeouts must be positive: " + timeout + ", " + holdTimeout);
        }
    }
}
