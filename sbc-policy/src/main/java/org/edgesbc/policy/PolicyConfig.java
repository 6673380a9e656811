package org.edgesbc.policy;

import java.time.Duration;
import org.edgesbc.policy.ban.AuthFailureTracker;
import org.edgesbc.policy.ban.BanSettings;
import org.edgesbc.policy.limit.PacketBudgets;
import org.edgesbc.policy.limit.RequestBudgets;
import org.edgesbc.policy.scan.ScannerFingerprints;

/**
 * Every setting of the {@link PolicyEngine}, validated as a whole when built; {@link #DEFAULTS} is what an operator
 * gets without configuring anything.
 *
 * @param bans ban table: 100,000 entries, 1 hour, ×4 per repeat within 7 days, at most 7 days
 * @param authFailures 10 failures from a source in 10 minutes ban it; 20 against one account raise an alert and
 *     tighten that account's per-source threshold to 3
 * @param packets before parsing: 50 packets/s (burst 200) per access source, 20,000 per known peer, 100,000 for
 *     all access sources together
 * @param requests after parsing: 2/5/5/20 requests/s per source for REGISTER/INVITE/OPTIONS/other, burst four
 *     seconds' worth, ×50 for known peers
 * @param scanners scanner fingerprints ({@link ScannerFingerprints#defaults()})
 * @param floodBanAfter drops over budget within {@code floodWindow} that ban an access source (default 1,000)
 * @param floodWindow the flood counting window (default 1 minute)
 * @param newInvitesPerSecond new INVITEs per second over all sources before 503 (default 5,000; burst the same)
 * @param maxServerTransactions concurrent server transactions (reported by the caller) at which new INVITEs get 503
 *     (default 50,000)
 * @param retryAfter the Retry-After of a 503 (RFC 3261 §20.33; default 5 seconds, whole seconds, at least 1)
 * @param autoBanKnownPeers whether trunk, PBX and office sources may be banned automatically (default false: an
 *     office's re-registration storm after an outage is not an attack)
 */
public record PolicyConfig(BanSettings bans, AuthFailureTracker.Settings authFailures, PacketBudgets packets,
        RequestBudgets requests, ScannerFingerprints scanners, int floodBanAfter, Duration floodWindow,
        double newInvitesPerSecond, int maxServerTransactions, Duration retryAfter, boolean autoBanKnownPeers) {
    public static final PolicyConfig DEFAULTS = new PolicyConfig(BanSettings.DEFAULTS,
            AuthFailureTracker.Settings.DEFAULTS, PacketBudgets.DEFAULTS, RequestBudgets.DEFAULTS,
            ScannerFingerprints.defaults(), 1_000, Duration.ofMinutes(1), 5_000, 50_000, Duration.ofSeconds(5), false);

    public PolicyConfig {
        if (floodBanAfter < 1 || floodWindow.isNegative() || floodWindow.isZero()) {
            throw new IllegalArgumentException("flood-ban-after must be at least 1 and the flood window positive");
        }
        if (!(newInvitesPerSecond >= 1) || maxServerTransactions < 1) {
            throw new IllegalArgumentException("new-invites-per-second and max-server-transactions must be at least"
                    + " 1, got " + newInvitesPerSecond + " and " + maxServerTransactions);
        }
        if (retryAfter.toSeconds() < 1 || retryAfter.toNanos() % 1_000_000_000L != 0) {
            throw new IllegalArgumentException("retry-after must be whole seconds, at least 1, got " + retryAfter);
        }
    }
}
