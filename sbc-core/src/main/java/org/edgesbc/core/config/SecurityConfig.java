package org.edgesbc.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.policy.scan.ScannerFingerprints;

/**
 * Edge security settings.
 *
 * @param realm digest realm of the access zone
 * @param users accounts of the access zone (HA1 hashes, never passwords)
 * @param nonceLifetime how long a digest nonce stays fresh; older ones get stale=true
 * @param authFailureThreshold failed authentications from one source within {@code authFailureWindow} that ban it
 * @param authFailureWindow the window those failures are counted in
 * @param banDuration first ban of a source; repeat offenders get {@code banEscalation} times the last, up to
 *     {@code maxBanDuration}
 * @param banEscalation multiplier for repeat offenders
 * @param maxBanDuration longest automatic ban
 * @param maxBans bound of the ban table
 * @param banStateFile where bans survive restarts
 * @param scannerFingerprints header substrings of known scanners (the shipped list, extended or replaced by the
 *     operator's): their requests are dropped and their sources banned
 * @param packetsPerSecond per-source packet budget before parsing, for sources of access zones
 * @param packetBurst burst of that budget
 * @param peerPacketsPerSecond per-source budget of trunk, PBX and office sources (never banned automatically)
 * @param globalPacketsPerSecond budget of all access-zone sources together before parsing
 * @param requestsPerSecond per-source budgets after parsing, by method class (register, invite, options, other);
 *     the burst is four seconds' worth
 * @param floodBanAfter packets dropped over budget from one source before it is banned for flooding
 * @param newInvitesPerSecond new INVITEs per second over all sources; beyond it new calls get 503 + Retry-After
 * @param digestAlgorithms the digest algorithms challenged with, in this order (phones that read only the first
 *     challenge take the first); credentials in any other are refused
 * @param extensionSweep when a source naming many numeric users is banned as a scanner
 */
public record SecurityConfig(
        String realm,
        List<DigestUser> users,
        Duration nonceLifetime,
        int authFailureThreshold,
        Duration authFailureWindow,
        Duration banDuration,
        double banEscalation,
        Duration maxBanDuration,
        int maxBans,
        Path banStateFile,
        ScannerFingerprints scannerFingerprints,
        double packetsPerSecond,
        double packetBurst,
        double peerPacketsPerSecond,
        double globalPacketsPerSecond,
        java.util.Map<String, Integer> requestsPerSecond,
        int floodBanAfter,
        double newInvitesPerSecond,
        List<DigestAlgorithm> digestAlgorithms,
        ExtensionSweep extensionSweep) {

    /** RFC 7616 §3.7: SHA-256 first, MD5 for the phones that know nothing else. */
    public static final List<DigestAlgorithm> DEFAULT_DIGEST_ALGORITHMS = List.of(DigestAlgorithm.SHA_256,
            DigestAlgorithm.MD5);

    /**
     * An extension sweep: a source of an access zone (not an office) that names {@code threshold} distinct numeric
     * users in To within {@code window} without authenticating in between is banned as a scanner.
     *
     * @param threshold 0: no sweep detection
     */
    public record ExtensionSweep(int threshold, Duration window) {
        public static final ExtensionSweep DEFAULT = new ExtensionSweep(20, Duration.ofMinutes(1));
        /** The highest threshold: each tracked source remembers this many users at most. */
        public static final int MAX_THRESHOLD = 1_000;

        public boolean enabled() {
            return threshold > 0;
        }
    }

    /** Settings with the default extension-sweep detection. */
    public SecurityConfig(String realm, List<DigestUser> users, Duration nonceLifetime, int authFailureThreshold,
            Duration authFailureWindow, Duration banDuration, double banEscalation, Duration maxBanDuration,
            int maxBans, Path banStateFile, ScannerFingerprints scannerFingerprints, double packetsPerSecond,
            double packetBurst, double peerPacketsPerSecond, double globalPacketsPerSecond,
            java.util.Map<String, Integer> requestsPerSecond, int floodBanAfter, double newInvitesPerSecond,
            List<DigestAlgorithm> digestAlgorithms) {
        this(realm, users, nonceLifetime, authFailureThreshold, authFailureWindow, banDuration, banEscalation,
                maxBanDuration, maxBans, banStateFile, scannerFingerprints, packetsPerSecond, packetBurst,
                peerPacketsPerSecond, globalPacketsPerSecond, requestsPerSecond, floodBanAfter, newInvitesPerSecond,
                digestAlgorithms, ExtensionSweep.DEFAULT);
    }
}
