package org.edgesbc.core.security;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.time.ManualClock;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestUser;

/** Settings and zones the security unit tests share: small budgets and thresholds, so that a few calls trip them. */
final class SecurityTestSupport {
    static final String REALM = "sbc.test";

    private SecurityTestSupport() { }

    /** A Wednesday morning in Berlin. */
    static ManualClock clock() {
        return new ManualClock(Instant.parse("2026-11-18T09:00:00Z"), ZoneId.of("Europe/Berlin"));
    }

    /**
     * Three failures ban, packets 50/s with a burst of 200 per access source and 20,000/s per peer, 100,000/s for
     * all access sources, requests 2/5/5/20 per second, 10 packets over budget ban for flooding, 1,000 new INVITEs/s.
     */
    static SecurityConfig config(Path dir, List<DigestUser> users, double newInvitesPerSecond) {
        return new SecurityConfig(REALM, users, Duration.ofMinutes(5), 3, Duration.ofMinutes(10),
                Duration.ofHours(1), 4, Duration.ofDays(7), 100, dir.resolve("bans.tsv"),
                org.edgesbc.policy.scan.ScannerFingerprints.shipped(), 50, 200, 20_000, 100_000,
                Map.of("register", 2, "invite", 5, "options", 5, "other", 20), 10, newInvitesPerSecond,
                SecurityConfig.DEFAULT_DIGEST_ALGORITHMS);
    }

    /** Phones in 10.0.0.0/8 (an office when {@code office}), the trunk at 192.0.2.0/24, the PBX at 198.51.100.0/24. */
    static List<ZoneConfig> zones(boolean office) {
        return List.of(
                new ZoneConfig("phones", ZoneConfig.ZoneRole.ACCESS, List.of(Cidr.parse("10.0.0.0/8")), null,
                        SrtpPolicy.OFF, office),
                new ZoneConfig("trunk", ZoneConfig.ZoneRole.TRUNK, List.of(Cidr.parse("192.0.2.0/24")), null,
                        SrtpPolicy.OFF),
                new ZoneConfig("pbx", ZoneConfig.ZoneRole.PBX, List.of(Cidr.parse("198.51.100.0/24")), null,
                        SrtpPolicy.OFF));
    }
}
