package org.edgesbc.core.relay;

import java.time.Duration;
import java.util.SplittableRandom;

/**
 * When the SBC's registration at a trunk is sent again: a refresh at a random point between 50 % and 80 % of the
 * granted expiry (well before it lapses, and spread so that SBCs restarted together do not refresh together), and
 * after a failure an exponential back-off from {@link #FIRST_RETRY} doubling up to {@link #MAX_RETRY}, each with up
 * to a fifth taken off at random. Pure: the randomness is given.
 */
final class RegistrationSchedule {
    static final Duration FIRST_RETRY = Duration.ofSeconds(30);
    static final Duration MAX_RETRY = Duration.ofMinutes(15);

    private RegistrationSchedule() { }

    /** Milliseconds until the refresh of a registration granted for {@code grantedSeconds}. */
    static long refreshMillis(long grantedSeconds, SplittableRandom random) {
        long granted = grantedSeconds * 1000;
        return granted / 2 + (long) (random.nextDouble() * (granted * 3 / 10));
    }

    /** Milliseconds until the next try after {@code failures} failures in a row (1 for the first). */
    static long retryMillis(int failures, SplittableRandom random) {
        long delay = FIRST_RETRY.toMillis();
        for (int i = 1; i < failures && delay < MAX_RETRY.toMillis(); i++) {
            delay *= 2;
        }
        delay = Math.min(delay, MAX_RETRY.toMillis());
        return delay - (long) (random.nextDouble() * (delay / 5));
    }
}
