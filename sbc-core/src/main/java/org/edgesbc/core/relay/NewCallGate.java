package org.edgesbc.core.relay;

import java.time.Duration;
import java.util.function.Predicate;

/**
 * Whether the relay takes new calls: open until the SBC starts draining, then shut for good, except for calls to an
 * emergency number. Shut once by the drain (any thread), read by every relay shard on each initial INVITE; the one
 * field is volatile because that is all the sharing there is.
 */
final class NewCallGate {
    /** Why and how new calls are refused; null while the gate is open. */
    private record Shut(long retryAfterSeconds, Predicate<String> emergencyNumber) { }

    private volatile Shut shut;

    /**
     * Refuses new calls from now on.
     *
     * @param retryAfter the Retry-After of the refusal (RFC 3261 §21.5.4), whole seconds
     * @param emergencyNumber whether a dialled number (the Request-URI's user part) reaches emergency services; those
     *     calls still go through
     */
    void shut(Duration retryAfter, Predicate<String> emergencyNumber) {
        shut = new Shut(Math.max(1, retryAfter.toSeconds()), emergencyNumber);
    }

    boolean open() {
        return shut == null;
    }

    /** The Retry-After seconds of the 503 refusing a new call to {@code dialled}, or 0 when the call may go on. */
    long refusal(String dialled) {
        Shut current = shut;
        if (current == null || (dialled != null && current.emergencyNumber().test(dialled))) {
            return 0;
        }
        return current.retryAfterSeconds();
    }
}
