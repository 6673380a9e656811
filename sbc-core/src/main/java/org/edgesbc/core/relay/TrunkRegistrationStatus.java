package org.edgesbc.core.relay;

import java.time.Instant;

/**
 * The SBC's registration at one trunk, as the admin API shows it.
 *
 * @param zone the trunk zone
 * @param user the user the SBC registers as
 * @param state what the registration is doing now
 * @param registeredUntil when the granted registration lapses; null unless {@link State#REGISTERED}
 * @param nextAttempt when the next REGISTER goes (refresh or retry); null while one is in flight or stopped
 * @param failures failed attempts in a row
 * @param lastStatus the status of the last final answer, 0 for none or a timeout
 */
public record TrunkRegistrationStatus(String zone, String user, State state, Instant registeredUntil,
        Instant nextAttempt, int failures, int lastStatus) {

    /** Where a trunk registration stands. */
    public enum State { REGISTERING, REGISTERED, BACKING_OFF, UNREGISTERED }
}
