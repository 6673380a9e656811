package org.edgesbc.policy.ban;

import java.net.InetAddress;
import java.time.Duration;
import java.time.InstantSource;

/**
 * Failed digest authentications counted per source and per user, each in fixed windows, in bounded tables.
 *
 * <p>The lockout decision: failures ban the <em>source</em>, never the account. Were the account locked, anyone
 * could lock a real user out of the user's own phone by guessing from elsewhere. Failures against one account (from
 * any number of sources) therefore only raise an alert at every multiple of {@code userAlertThreshold}, and while an
 * account is under attack, failures that name it ban a source sooner ({@code tightenedSourceThreshold}). A
 * successful login never consults the per-user count, so the real user keeps registering from the user's own
 * network throughout.
 *
 * <p>Shared by relay threads, hence the concurrent {@link FailureCounter}s.
 */
public final class AuthFailureTracker {
    /**
     * @param sourceThreshold failures from one source within the window that ban it (default 10)
     * @param window the counting window (default 10 minutes)
     * @param userAlertThreshold failures against one configured user within the window that raise an alert
     *     (default 20)
     * @param tightenedSourceThreshold the source threshold for failures naming a user under attack (default 3)
     * @param maxSources bound of the per-source table (default 100,000; when full, new sources count as at the
     *     threshold, so an attacker cannot hide by filling it)
     * @param maxUsers bound of the per-user table (default 10,000)
     */
    public record Settings(int sourceThreshold, Duration window, int userAlertThreshold, int tightenedSourceThreshold,
            int maxSources, int maxUsers) {
        public static final Settings DEFAULTS = new Settings(10, Duration.ofMinutes(10), 20, 3, 100_000, 10_000);

        public Settings {
            if (sourceThreshold < 1 || userAlertThreshold < 1 || tightenedSourceThreshold < 1
                    || tightenedSourceThreshold > sourceThreshold) {
                throw new IllegalArgumentException("thresholds must be at least 1, the tightened one at most the"
                        + " source threshold");
            }
            if (window.isNegative() || window.isZero() || maxSources < 1 || maxUsers < 1) {
                throw new IllegalArgumentException("the window must be positive and the bounds at least 1");
            }
        }
    }

    /**
     * What one failure amounted to.
     *
     * @param sourceFailures failures of the source in its window, this one included
     * @param sourceThreshold the threshold that applied (tightened when the user is under attack)
     * @param banSource whether the source reached it (the counter restarts)
     * @param userFailures failures against the named user in its window; 0 when no configured user was named
     * @param userAlert whether this failure crossed a multiple of the user alert threshold
     */
    public record Outcome(int sourceFailures, int sourceThreshold, boolean banSource, int userFailures,
            boolean userAlert) { }

    private final Settings settings;
    private final FailureCounter<InetAddress> sources;
    private final FailureCounter<String> users;

    public AuthFailureTracker(Settings settings, InstantSource clock) {
        this.settings = settings;
        this.sources = new FailureCounter<>(settings.window(), settings.maxSources(), clock);
        this.users = new FailureCounter<>(settings.window(), settings.maxUsers(), clock);
    }

    /**
     * Records a failure from {@code source}.
     *
     * @param configuredUser the username the credentials named if it is a configured account, else null (names
     *     that are not accounts are not tracked: an attacker could otherwise fill the table with invented names)
     */
    public Outcome recordFailure(InetAddress source, String configuredUser) {
        int userFailures = configuredUser == null ? 0 : users.record(configuredUser);
        boolean userAlert = userFailures != Integer.MAX_VALUE && userFailures > 0
                && userFailures % settings.userAlertThreshold() == 0;
        int threshold = userFailures >= settings.userAlertThreshold() ? settings.tightenedSourceThreshold()
                : settings.sourceThreshold();
        int sourceFailures = sources.record(source);
        boolean ban = sourceFailures >= threshold;
        if (ban) {
            sources.reset(source);
        }
        return new Outcome(sourceFailures, threshold, ban, userFailures, userAlert);
    }

    /** A successful authentication from {@code source} clears its failures (the per-user count is untouched). */
    public void recordSuccess(InetAddress source) {
        sources.reset(source);
    }

    public Settings settings() {
        return settings;
    }

    /** Sources with a failure window open, for a gauge. */
    public int trackedSources() {
        return sources.size();
    }

    /** Users with a failure window open, for a gauge. */
    public int trackedUsers() {
        return users.size();
    }
}
