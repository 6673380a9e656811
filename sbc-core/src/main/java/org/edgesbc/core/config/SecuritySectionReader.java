package org.edgesbc.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.policy.scan.ScannerFingerprint;
import org.edgesbc.policy.scan.ScannerFingerprints;

/**
 * Binds the optional {@code security} section: digest users and algorithms, failed-authentication bans, scanner
 * fingerprints and the rate limits before and after parsing.
 */
final class SecuritySectionReader {
    private static final String SECTION = "security";
    private static final Set<String> SECTION_KEYS = Set.of("realm", "users", "nonce-lifetime", "auth-failures",
            "bans", "scanner-fingerprints", "rate-limits", "digest-algorithms", "extension-sweep");
    private static final Set<String> SWEEP_KEYS = Set.of("threshold", "window");
    private static final Set<String> USER_KEYS = Set.of("user", "ha1-md5", "ha1-sha256", "enabled",
            "allowed-sources", "digest-algorithms");
    private static final Set<String> SCANNER_KEYS = Set.of("shipped", "fingerprints");
    private static final Set<String> FINGERPRINT_KEYS = Set.of("header", "contains", "tool");
    private static final Set<String> AUTH_FAILURE_KEYS = Set.of("threshold", "window");
    private static final Set<String> BAN_KEYS = Set.of("duration", "escalation", "max-duration", "max",
            "state-file");
    private static final Set<String> RATE_LIMIT_KEYS = Set.of("packets-per-second", "packet-burst",
            "peer-packets-per-second", "global-packets-per-second", "flood-ban-after", "new-invites-per-second",
            "requests-per-second");
    private static final Set<String> METHOD_CLASS_KEYS = Set.of("register", "invite", "options", "other");

    private final ConfigReader reader;

    SecuritySectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    /**
     * @param root the document; the section is optional
     * @param dataDir the folder the ban state file is relative to
     */
    SecurityConfig read(YamlTree.Mapping root, Path dataDir) {
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, SECTION_KEYS);
        String realm = reader.string(section, SECTION, "realm", "sbc.local", false);
        List<DigestUser> users = users(section);
        YamlTree.Mapping authFailures = reader.optionalMapping(section, SECTION, "auth-failures",
                AUTH_FAILURE_KEYS);
        YamlTree.Mapping bans = reader.optionalMapping(section, SECTION, "bans", BAN_KEYS);
        YamlTree.Mapping rateLimits = reader.optionalMapping(section, SECTION, "rate-limits", RATE_LIMIT_KEYS);
        ScannerFingerprints scannerFingerprints = scannerFingerprints(section);
        List<DigestAlgorithm> digestAlgorithms = digestAlgorithms(section);
        String banStateFile = reader.string(bans, "security.bans", "state-file", "bans.tsv", false);
        Duration nonceLifetime = reader.duration(section, SECTION, "nonce-lifetime", Duration.ofMinutes(5),
                Duration.ofSeconds(10), Duration.ofHours(1));
        int authFailureThreshold = reader.integer(authFailures, "security.auth-failures", "threshold", 10, 1, 10_000);
        Duration authFailureWindow = reader.duration(authFailures, "security.auth-failures", "window",
                Duration.ofMinutes(10), Duration.ofSeconds(1), Duration.ofDays(1));
        Duration banDuration = reader.duration(bans, "security.bans", "duration", Duration.ofHours(1),
                Duration.ofSeconds(1), Duration.ofDays(30));
        int banEscalation = reader.integer(bans, "security.bans", "escalation", 4, 1, 100);
        Duration maxBanDuration = reader.duration(bans, "security.bans", "max-duration", Duration.ofDays(7),
                Duration.ofSeconds(1), Duration.ofDays(365));
        int maxBans = reader.integer(bans, "security.bans", "max", 100_000, 10, 10_000_000);
        String limitsPath = "security.rate-limits";
        int packetsPerSecond = reader.integer(rateLimits, limitsPath, "packets-per-second", 50, 1, 1_000_000);
        int packetBurst = reader.integer(rateLimits, limitsPath, "packet-burst", 200, 1, 1_000_000);
        int peerPacketsPerSecond = reader.integer(rateLimits, limitsPath, "peer-packets-per-second", 20_000, 1,
                10_000_000);
        int globalPacketsPerSecond = reader.integer(rateLimits, limitsPath, "global-packets-per-second", 100_000, 1,
                100_000_000);
        Map<String, Integer> requestsPerSecond = requestBudgets(reader.optionalMapping(rateLimits, limitsPath,
                "requests-per-second", METHOD_CLASS_KEYS));
        int floodBanAfter = reader.integer(rateLimits, limitsPath, "flood-ban-after", 1_000, 1, 100_000_000);
        int newInvitesPerSecond = reader.integer(rateLimits, limitsPath, "new-invites-per-second", 5_000, 1,
                1_000_000);
        return new SecurityConfig(realm, List.copyOf(users), nonceLifetime, authFailureThreshold, authFailureWindow,
                banDuration, banEscalation, maxBanDuration, maxBans, dataDir.resolve(banStateFile).normalize(),
                scannerFingerprints, packetsPerSecond, packetBurst, peerPacketsPerSecond, globalPacketsPerSecond,
                requestsPerSecond, floodBanAfter, newInvitesPerSecond, digestAlgorithms, extensionSweep(section));
    }

    private SecurityConfig.ExtensionSweep extensionSweep(YamlTree.Mapping section) {
        String path = SECTION + ".extension-sweep";
        YamlTree.Mapping sweep = reader.optionalMapping(section, SECTION, "extension-sweep", SWEEP_KEYS);
        SecurityConfig.ExtensionSweep defaults = SecurityConfig.ExtensionSweep.DEFAULT;
        int threshold = reader.integer(sweep, path, "threshold", defaults.threshold(), 0,
                SecurityConfig.ExtensionSweep.MAX_THRESHOLD);
        if (threshold == 1) {
            // One numeric user is any phone's call: it takes two at least to be a sweep.
            reader.error(sweep.entries().get("threshold").keyLine(), path + ".threshold", "1",
                    "must be 0 (no sweep detection) or at least 2");
        }
        return new SecurityConfig.ExtensionSweep(threshold, reader.duration(sweep, path, "window", defaults.window(),
                Duration.ofSeconds(1), Duration.ofHours(1)));
    }

    private List<DigestUser> users(YamlTree.Mapping section) {
        List<DigestUser> users = new ArrayList<>();
        Set<String> names = new HashSet<>();
        reader.forEachMapping(section, SECTION, "users", false, USER_KEYS, (user, path) -> {
            String name = reader.string(user, path, "user", null, true);
            Map<DigestAlgorithm, String> ha1 = new EnumMap<>(DigestAlgorithm.class);
            reader.ha1(user, path, "ha1-md5", 32).ifPresent(hash -> ha1.put(DigestAlgorithm.MD5, hash));
            reader.ha1(user, path, "ha1-sha256", 64).ifPresent(hash -> ha1.put(DigestAlgorithm.SHA_256, hash));
            if (ha1.isEmpty() && user.entries().containsKey("user")) {
                reader.error(user.line(), path, name,
                        "needs ha1-md5 or ha1-sha256 (make them with: sbc hash-password)");
            }
            List<Cidr> allowedSources = allowedSources(user, path);
            List<DigestAlgorithm> algorithms = digestAlgorithms(reader, user, path);
            for (DigestAlgorithm algorithm : algorithms) {
                if (!ha1.isEmpty() && !ha1.containsKey(algorithm)) {
                    reader.error(user.entries().get("digest-algorithms").keyLine(), path + ".digest-algorithms",
                            algorithm.token(), "needs the account's ha1-" + (algorithm == DigestAlgorithm.MD5
                                    ? "md5" : "sha256") + " (make it with: sbc hash-password)");
                }
            }
            if (name != null && !names.add(name)) {
                reader.error(user.line(), path + ".user", name, "two users share this name");
            }
            if (name != null) {
                users.add(new DigestUser(name, Map.copyOf(ha1), reader.bool(user, path, "enabled", true),
                        List.copyOf(allowedSources), algorithms));
            }
        });
        return users;
    }

    private List<Cidr> allowedSources(YamlTree.Mapping user, String path) {
        List<Cidr> sources = new ArrayList<>();
        List<YamlTree> networks = reader.sequence(user, path, "allowed-sources", false);
        for (int index = 0; index < networks.size(); index++) {
            if (networks.get(index) instanceof YamlTree.Scalar network && !network.isNull()) {
                Cidr cidr = reader.parsed(new ConfigReader.Scalar(network.text(), network.line(),
                        path + ".allowed-sources[" + index + "]"), Cidr::parse);
                if (cidr != null) {
                    sources.add(cidr);
                }
            }
        }
        return sources;
    }

    /**
     * The scanner fingerprints: the shipped list followed by the operator's, or the operator's alone when
     * {@code shipped: false}.
     */
    private ScannerFingerprints scannerFingerprints(YamlTree.Mapping section) {
        String path = "security.scanner-fingerprints";
        YamlTree.Mapping scanners = reader.optionalMapping(section, SECTION, "scanner-fingerprints", SCANNER_KEYS);
        boolean shipped = reader.bool(scanners, path, "shipped", true);
        List<ScannerFingerprint> own = new ArrayList<>();
        reader.forEachMapping(scanners, path, "fingerprints", false, FINGERPRINT_KEYS, (entry, entryPath) -> {
            ConfigReader.Scalar header = reader.scalar(entry, entryPath, "header", true);
            ScannerFingerprint.Header parsed = header == null ? null : ScannerFingerprint.Header.fromKey(header.text());
            if (header != null && parsed == null) {
                reader.error(header.line(), header.path(), header.text(), "must be one of user-agent, from, to, "
                        + "contact, via, call-id");
            }
            String contains = reader.string(entry, entryPath, "contains", null, true);
            if (contains != null && contains.isBlank()) {
                reader.error(entry.line(), entryPath + ".contains", contains, "must not be blank");
            }
            String tool = reader.string(entry, entryPath, "tool", "operator's list", false);
            if (parsed != null && contains != null && !contains.isBlank()) {
                own.add(new ScannerFingerprint(parsed, contains, tool));
            }
        });
        if (!shipped && own.isEmpty() && scanners != null) {
            reader.error(scanners.line(), path + ".shipped", "false", "replaces the shipped list with nothing: "
                    + "list fingerprints, or keep the shipped ones");
        }
        return shipped ? ScannerFingerprints.shipped().and(own) : new ScannerFingerprints(own);
    }

    /** The SBC's digest algorithms: the configured list, or the default when the key is absent. */
    private List<DigestAlgorithm> digestAlgorithms(YamlTree.Mapping section) {
        List<DigestAlgorithm> algorithms = digestAlgorithms(reader, section, SECTION);
        return algorithms.isEmpty() ? SecurityConfig.DEFAULT_DIGEST_ALGORITHMS : algorithms;
    }

    /**
     * The {@code digest-algorithms} list of a mapping (the security section, an account, a zone), in order: at
     * least one, each once, each one the SBC implements. Empty when the key is absent (or after an error).
     */
    static List<DigestAlgorithm> digestAlgorithms(ConfigReader reader, YamlTree.Mapping mapping, String mappingPath) {
        if (mapping == null || !mapping.entries().containsKey("digest-algorithms")) {
            return List.of();
        }
        String path = (mappingPath.isEmpty() ? "" : mappingPath + ".") + "digest-algorithms";
        List<YamlTree> items = reader.sequence(mapping, mappingPath, "digest-algorithms", false);
        List<DigestAlgorithm> algorithms = new ArrayList<>();
        for (YamlTree item : items) {
            String token = item instanceof YamlTree.Scalar given && !given.isNull() ? given.text() : null;
            DigestAlgorithm algorithm = token == null ? null : DigestAlgorithm.fromToken(token);
            if (algorithm == null) {
                reader.error(item.line(), path, token, "must be SHA-256 or MD5");
            } else if (algorithms.contains(algorithm)) {
                reader.error(item.line(), path, token, "is listed twice");
            } else {
                algorithms.add(algorithm);
            }
        }
        if (items.isEmpty()) {
            reader.error(mapping.entries().get("digest-algorithms").keyLine(), path, null,
                    "needs at least one algorithm (SHA-256, MD5)");
        }
        return List.copyOf(algorithms);
    }

    /** Requests per second per source and method class, for access zones after parsing. */
    private Map<String, Integer> requestBudgets(YamlTree.Mapping budgets) {
        String path = "security.rate-limits.requests-per-second";
        return Map.of("register", reader.integer(budgets, path, "register", 2, 1, 100_000),
                "invite", reader.integer(budgets, path, "invite", 5, 1, 100_000),
                "options", reader.integer(budgets, path, "options", 5, 1, 100_000),
                "other", reader.integer(budgets, path, "other", 20, 1, 100_000));
    }
}
