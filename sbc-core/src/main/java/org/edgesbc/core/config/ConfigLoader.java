package org.edgesbc.core.config;

import java.io.IOException;
import java.io.Reader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.policy.fraud.AnomalyDetector;
import org.edgesbc.policy.fraud.DestinationClass;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.FraudRules;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.TransportConfig;

/**
 * Reads {@code sbc.yaml} into an immutable {@link SbcConfig}: binds, validates every key and every whole-config
 * rule, and reports all problems at once. Defaults for omitted keys are the ones {@code config/sbc.yaml} documents.
 */
public final class ConfigLoader {
    private static final Set<String> TOP = Set.of("data-dir", "sip", "media", "security", "registration",
            "fraud", "zones", "management");
    private static final Set<String> FRAUD = Set.of("country-code", "national-prefix", "international-prefix",
            "emergency-numbers", "prefixes", "prefix-files", "default-rules", "accounts", "rates", "default-rate",
            "anomalies",
            "webhook", "webhook-timeout");
    private static final Set<String> ANOMALIES = Set.of("spike-factor", "spike-minimum", "spike", "new-country",
            "unusual-hour", "throttle-calls-per-minute", "action-duration");
    private static final Set<String> RULES = Set.of("allowed-classes", "max-concurrent-calls", "calls-per-minute",
            "daily-spend-cap", "weekend-spend-cap", "allowed-prefixes", "blocked-prefixes", "days", "hours",
            "class-caps", "max-call-duration");
    private static final Set<String> ACCOUNT = Set.of("account", "allowed-classes", "max-concurrent-calls",
            "calls-per-minute", "daily-spend-cap", "weekend-spend-cap", "allowed-prefixes", "blocked-prefixes",
            "days", "hours", "class-caps", "max-call-duration");
    private static final Set<String> SECURITY = Set.of("realm", "users", "nonce-lifetime", "auth-failures", "bans",
            "scanner-user-agents", "rate-limits", "digest-algorithms");
    private static final Set<String> USER = Set.of("user", "ha1-md5", "ha1-sha256", "enabled", "allowed-sources");
    private static final Set<String> AUTH_FAILURES = Set.of("threshold", "window");
    private static final Set<String> BANS = Set.of("duration", "escalation", "max-duration", "max", "state-file");
    private static final Set<String> RATE_LIMITS = Set.of("packets-per-second", "packet-burst",
            "peer-packets-per-second", "global-packets-per-second", "flood-ban-after", "new-invites-per-second",
            "requests-per-second");
    private static final Set<String> METHOD_CLASSES = Set.of("register", "invite", "options", "other");
    private static final Set<String> MEDIA = Set.of("enabled", "address", "advertised-address", "port-min", "port-max",
            "quarantine", "timeout", "hold-timeout", "threads");
    private static final Set<String> REGISTRATION = Set.of("udp-expires", "stream-expires", "min-expires",
            "expires-jitter", "pbx-expires", "keepalive-interval", "max-bindings", "max-contacts-per-aor");
    private static final Set<String> SIP = Set.of("advertised-host", "listeners", "tls", "udp-receive-buffer-bytes",
            "io-threads", "worker-threads", "gate", "connections", "timers", "max-transactions", "max-dialogs",
            "max-call-duration");
    private static final Set<String> LISTENER = Set.of("name", "transport", "address", "port");
    private static final Set<String> TLS = Set.of("certificate", "private-key", "trusted-certificates",
            "require-client-certificate", "verify-peers");
    private static final Set<String> GATE = Set.of("max-message-bytes", "max-start-line-bytes",
            "max-header-line-bytes", "max-headers", "max-vias");
    private static final Set<String> CONNECTIONS = Set.of("max-total", "max-per-source", "idle-timeout",
            "connect-timeout");
    private static final Set<String> TIMERS = Set.of("t1", "t2", "t4");
    private static final Set<String> ZONE = Set.of("name", "role", "networks", "peer", "srtp", "office");
    private static final Set<String> PEER = Set.of("host", "port", "transport");
    private static final Set<String> MANAGEMENT = Set.of("address", "port", "token");
    private static final int MIN_TOKEN_LENGTH = 16;

    private ConfigLoader() { }

    /**
     * Reads, binds and validates {@code file}. Relative paths in it (data-dir, TLS files, prefix files) resolve
     * against the file's folder. Binds nothing and starts nothing, so {@code sbc check} can call it on a live host.
     *
     * @throws ConfigException with every problem found, each as {@code file:line: key.path = 'value': rule}
     */
    public static SbcConfig load(Path file) throws ConfigException {
        String name = file.toString();
        YamlTree tree;
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            tree = YamlTree.read(reader);
        } catch (YamlTree.SyntaxException e) {
            throw new ConfigException(List.of(name + ":" + e.line() + ": " + e.getMessage()));
        } catch (IOException e) {
            throw new ConfigException(List.of(name + ": cannot read configuration: " + e.getMessage()));
        }
        Path folder = file.toAbsolutePath().getParent();
        ConfigReader r = new ConfigReader(name, folder);
        SbcConfig config = bind(r, tree, file, folder);
        if (!r.errors().isEmpty()) {
            throw new ConfigException(r.errors());
        }
        return config;
    }

    private static SbcConfig bind(ConfigReader r, YamlTree tree, Path file, Path folder) {
        YamlTree.Mapping root = r.mapping(tree, "(document)");
        if (root == null) {
            return null;
        }
        r.onlyKeys(root, "", TOP);
        Path dataDir = folder.resolve(r.string(root, "", "data-dir", "data", false)).normalize();
        SipConfig sip = sip(r, r.optionalMapping(root, "", "sip"), root, folder);
        MediaSettings media = media(r, r.optionalMapping(root, "", "media"), sip);
        SecurityConfig security = security(r, r.optionalMapping(root, "", "security"), dataDir);
        RegistrationConfig registration = registration(r, r.optionalMapping(root, "", "registration"));
        FraudConfig fraud = fraud(r, r.optionalMapping(root, "", "fraud"));
        List<ZoneConfig> zones = zones(r, root);
        ManagementConfig management = management(r, r.optionalMapping(root, "", "management"));
        if (sip != null) {
            crossCheck(r, root, sip, zones);
        }
        return new SbcConfig(file, dataDir, sip, media, security, fraud, zones, management, registration);
    }

    private static SipConfig sip(ConfigReader r, YamlTree.Mapping m, YamlTree.Mapping root, Path folder) {
        if (m == null) {
            r.error(root.line(), "sip", null, "is required (at least sip.listeners)");
            return null;
        }
        r.onlyKeys(m, "sip", SIP);
        String advertised = r.parsed(r.scalar(m, "sip", "advertised-host", false), ConfigLoader::ipLiteral);
        List<SipConfig.ListenerConfig> listeners = new ArrayList<>();
        List<YamlTree> items = r.sequence(m, "sip", "listeners", true);
        if (items.isEmpty() && m.entries().containsKey("listeners")) {
            r.error(m.entries().get("listeners").keyLine(), "sip.listeners", null, "needs at least one listener");
        }
        for (int i = 0; i < items.size(); i++) {
            String path = "sip.listeners[" + i + "]";
            YamlTree.Mapping l = r.mapping(items.get(i), path);
            if (l == null) {
                continue;
            }
            r.onlyKeys(l, path, LISTENER);
            String name = r.string(l, path, "name", null, true);
            SipTransport transport = r.enumValue(l, path, "transport", SipTransport.class, null, true);
            String address = r.parsed(r.scalar(l, path, "address", true), ConfigLoader::ipLiteral);
            int port = r.integer(l, path, "port", transport == SipTransport.TLS ? 5061 : 5060, 0, 65_535);
            if (name != null && transport != null && address != null) {
                listeners.add(new SipConfig.ListenerConfig(name, transport, address, port));
            }
        }
        SipConfig.TlsConfig tls = tls(r, r.optionalMapping(m, "sip", "tls"), folder);
        int rcvbuf = r.integer(m, "sip", "udp-receive-buffer-bytes", 4 << 20, 65_536, 1 << 30);
        int io = r.integer(m, "sip", "io-threads", 1, 1, 64);
        int workers = r.integer(m, "sip", "worker-threads", 2, 1, 64);
        YamlTree.Mapping g = r.optionalMapping(m, "sip", "gate");
        if (g != null) {
            r.onlyKeys(g, "sip.gate", GATE);
        }
        TransportConfig.GateLimits d = TransportConfig.GateLimits.DEFAULTS;
        TransportConfig.GateLimits gate = new TransportConfig.GateLimits(
                r.integer(g, "sip.gate", "max-message-bytes", d.maxMessageBytes(), 1_024, 65_507),
                r.integer(g, "sip.gate", "max-start-line-bytes", d.maxStartLineBytes(), 64, 8_192),
                r.integer(g, "sip.gate", "max-header-line-bytes", d.maxHeaderLineBytes(), 128, 16_384),
                r.integer(g, "sip.gate", "max-headers", d.maxHeaders(), 8, 256),
                r.integer(g, "sip.gate", "max-vias", d.maxVias(), 1, 70));
        YamlTree.Mapping c = r.optionalMapping(m, "sip", "connections");
        if (c != null) {
            r.onlyKeys(c, "sip.connections", CONNECTIONS);
        }
        TransportConfig.ConnectionLimits cd = TransportConfig.ConnectionLimits.DEFAULTS;
        TransportConfig.ConnectionLimits connections = new TransportConfig.ConnectionLimits(
                r.integer(c, "sip.connections", "max-total", cd.maxTotal(), 1, 1_000_000),
                r.integer(c, "sip.connections", "max-per-source", cd.maxPerSource(), 1, 100_000),
                r.duration(c, "sip.connections", "idle-timeout", cd.idleTimeout(), Duration.ofSeconds(10),
                        Duration.ofDays(1)),
                r.duration(c, "sip.connections", "connect-timeout", cd.connectTimeout(), Duration.ofMillis(100),
                        Duration.ofMinutes(1)));
        YamlTree.Mapping t = r.optionalMapping(m, "sip", "timers");
        if (t != null) {
            r.onlyKeys(t, "sip.timers", TIMERS);
        }
        SipConfig.TimerConfig rfc = SipConfig.TimerConfig.RFC3261;
        SipConfig.TimerConfig timers = new SipConfig.TimerConfig(
                r.duration(t, "sip.timers", "t1", rfc.t1(), Duration.ofMillis(50), Duration.ofSeconds(5)),
                r.duration(t, "sip.timers", "t2", rfc.t2(), Duration.ofMillis(500), Duration.ofSeconds(60)),
                r.duration(t, "sip.timers", "t4", rfc.t4(), Duration.ofMillis(500), Duration.ofSeconds(60)));
        if (timers.t2().compareTo(timers.t1()) < 0) {
            r.error(t == null ? m.line() : t.line(), "sip.timers.t2", ConfigReader.format(timers.t2()),
                    "must not be shorter than t1 (" + ConfigReader.format(timers.t1()) + ")");
        }
        int maxTransactions = r.integer(m, "sip", "max-transactions", 200_000, 100, 10_000_000);
        int maxDialogs = r.integer(m, "sip", "max-dialogs", 100_000, 10, 10_000_000);
        Duration maxCall = r.duration(m, "sip", "max-call-duration", Duration.ofHours(4), Duration.ofMinutes(1),
                Duration.ofDays(2));
        return new SipConfig(advertised, listeners, tls, rcvbuf, io, workers, gate, connections, timers,
                maxTransactions, maxDialogs, maxCall);
    }

    private static MediaSettings media(ConfigReader r, YamlTree.Mapping m, SipConfig sip) {
        if (m != null) {
            r.onlyKeys(m, "media", MEDIA);
        }
        String fallbackAddress = sip == null || sip.listeners().isEmpty() ? "127.0.0.1"
                : sip.listeners().get(0).address();
        String address = r.parsed(r.scalar(m, "media", "address", false), ConfigLoader::ipLiteral);
        address = address == null ? fallbackAddress : address;
        String advertised = r.parsed(r.scalar(m, "media", "advertised-address", false), ConfigLoader::ipLiteral);
        int portMin = r.integer(m, "media", "port-min", 10_000, 1_024, 65_534);
        int portMax = r.integer(m, "media", "port-max", 20_000, 1_025, 65_535);
        if (portMax - portMin < 3) {
            r.error(m == null ? 1 : m.line(), "media.port-max", Integer.toString(portMax),
                    "must leave room for at least two RTP/RTCP pairs above port-min " + portMin);
        }
        Duration timeout = r.duration(m, "media", "timeout", Duration.ofSeconds(60), Duration.ofSeconds(5),
                Duration.ofHours(1));
        Duration holdTimeout = r.duration(m, "media", "hold-timeout", Duration.ofHours(2), Duration.ofSeconds(5),
                Duration.ofDays(1));
        return new MediaSettings(r.bool(m, "media", "enabled", true), address,
                advertised == null ? address : advertised, portMin, portMax,
                r.duration(m, "media", "quarantine", Duration.ofSeconds(10), Duration.ZERO, Duration.ofMinutes(10)),
                timeout, holdTimeout, r.integer(m, "media", "threads", 1, 1, 64));
    }

    private static RegistrationConfig registration(ConfigReader r, YamlTree.Mapping m) {
        if (m != null) {
            r.onlyKeys(m, "registration", REGISTRATION);
        }
        RegistrationConfig d = RegistrationConfig.DEFAULTS;
        Duration udpExpires = r.duration(m, "registration", "udp-expires", d.udpExpires(), Duration.ofSeconds(10),
                Duration.ofHours(1));
        Duration streamExpires = r.duration(m, "registration", "stream-expires", d.streamExpires(),
                Duration.ofSeconds(10), Duration.ofDays(1));
        Duration minExpires = r.duration(m, "registration", "min-expires", d.minExpires(), Duration.ofSeconds(1),
                Duration.ofHours(1));
        if (minExpires.compareTo(udpExpires) > 0 || minExpires.compareTo(streamExpires) > 0) {
            YamlTree.Entry given = m == null ? null : m.entries().get("min-expires");
            r.error(given != null ? given.keyLine() : m == null ? 1 : m.line(), "registration.min-expires",
                    ConfigReader.format(minExpires), "must not exceed udp-expires (" + ConfigReader.format(udpExpires)
                            + ") nor stream-expires (" + ConfigReader.format(streamExpires) + ")");
        }
        return new RegistrationConfig(udpExpires, streamExpires, minExpires,
                r.integer(m, "registration", "expires-jitter", d.expiresJitterPercent(), 0, 50),
                r.duration(m, "registration", "pbx-expires", d.pbxExpires(), Duration.ofSeconds(60),
                        Duration.ofDays(1)),
                r.duration(m, "registration", "keepalive-interval", d.keepaliveInterval(), Duration.ofSeconds(10),
                        Duration.ofHours(1)),
                r.integer(m, "registration", "max-bindings", d.maxBindings(), 10, 10_000_000),
                r.integer(m, "registration", "max-contacts-per-aor", d.maxContactsPerAor(), 1, 100));
    }

    private static FraudConfig fraud(ConfigReader r, YamlTree.Mapping m) {
        if (m != null) {
            r.onlyKeys(m, "fraud", FRAUD);
        }
        String country = digits(r, r.scalar(m, "fraud", "country-code", false), "49", 1, 3);
        String national = digits(r, r.scalar(m, "fraud", "national-prefix", false), "0", 0, 2);
        String international = digits(r, r.scalar(m, "fraud", "international-prefix", false), "00", 1, 4);
        Set<String> emergency = new HashSet<>();
        if (m != null && m.entries().containsKey("emergency-numbers")) {
            for (YamlTree item : r.sequence(m, "fraud", "emergency-numbers", false)) {
                if (item instanceof YamlTree.Scalar s && !s.isNull()) {
                    emergency.add(digits(r, new ConfigReader.Scalar(s.text(), s.line(), "fraud.emergency-numbers"),
                            "", 2, 6));
                }
            }
        } else {
            emergency.addAll(List.of("112", "110"));
        }
        Map<String, DestinationClass> prefixes = new java.util.LinkedHashMap<>();
        YamlTree.Mapping p = r.optionalMapping(m, "fraud", "prefixes");
        if (p != null) {
            for (Map.Entry<String, YamlTree.Entry> entry : p.entries().entrySet()) {
                String path = "fraud.prefixes." + entry.getKey();
                if (!entry.getKey().chars().allMatch(Character::isDigit) || entry.getKey().isEmpty()) {
                    r.error(entry.getValue().keyLine(), path, entry.getKey(), "a prefix is E.164 digits");
                    continue;
                }
                DestinationClass value = r.enumValue(p, "fraud.prefixes", entry.getKey(), DestinationClass.class,
                        null, true);
                if (value != null) {
                    prefixes.put(entry.getKey(), value);
                }
            }
        }
        for (YamlTree item : r.sequence(m, "fraud", "prefix-files", false)) {
            if (!(item instanceof YamlTree.Scalar s) || s.isNull()) {
                r.error(item.line(), "fraud.prefix-files", null, "entries are file paths");
                continue;
            }
            Path file = r.folder().resolve(s.text()).normalize();
            try (java.io.InputStream in = Files.newInputStream(file)) {
                List<String> problems = new ArrayList<>();
                org.edgesbc.policy.fraud.DestinationClassifier.parse(in, file.toString(), problems)
                        .forEach(prefixes::putIfAbsent);
                problems.forEach(p2 -> r.error(item.line(), "fraud.prefix-files", s.text(), p2));
            } catch (IOException e) {
                r.error(item.line(), "fraud.prefix-files", s.text(), "cannot read " + file + ": " + e.getMessage());
            }
        }
        YamlTree.Mapping d = r.optionalMapping(m, "fraud", "default-rules");
        if (d != null) {
            r.onlyKeys(d, "fraud.default-rules", RULES);
        }
        FraudRules defaults = rules(r, d, "fraud.default-rules", FraudRules.DEFAULT);
        Map<String, FraudRules> accounts = new java.util.LinkedHashMap<>();
        List<YamlTree> items = r.sequence(m, "fraud", "accounts", false);
        for (int i = 0; i < items.size(); i++) {
            String path = "fraud.accounts[" + i + "]";
            YamlTree.Mapping a = r.mapping(items.get(i), path);
            if (a == null) {
                continue;
            }
            r.onlyKeys(a, path, ACCOUNT);
            String account = r.string(a, path, "account", null, true);
            if (account != null && accounts.put(account, rules(r, a, path, defaults)) != null) {
                r.error(a.line(), path + ".account", account, "two entries for the same account");
            }
        }
        Map<String, Long> rates = new java.util.LinkedHashMap<>();
        YamlTree.Mapping rt = r.optionalMapping(m, "fraud", "rates");
        if (rt != null) {
            for (Map.Entry<String, YamlTree.Entry> entry : rt.entries().entrySet()) {
                if (entry.getKey().isEmpty() || !entry.getKey().chars().allMatch(Character::isDigit)) {
                    r.error(entry.getValue().keyLine(), "fraud.rates." + entry.getKey(), entry.getKey(),
                            "a rate prefix is E.164 digits");
                    continue;
                }
                rates.put(entry.getKey(), money(r, r.scalar(rt, "fraud.rates", entry.getKey(), true), 0));
            }
        }
        YamlTree.Mapping an = r.optionalMapping(m, "fraud", "anomalies");
        if (an != null) {
            r.onlyKeys(an, "fraud.anomalies", ANOMALIES);
        }
        FraudConfig.Anomalies base = FraudConfig.Anomalies.DEFAULTS;
        Map<AnomalyDetector.Kind, FraudConfig.Action> actions = new java.util.EnumMap<>(AnomalyDetector.Kind.class);
        actions.put(AnomalyDetector.Kind.SPIKE, r.enumValue(an, "fraud.anomalies", "spike", FraudConfig.Action.class,
                base.actions().get(AnomalyDetector.Kind.SPIKE), false));
        actions.put(AnomalyDetector.Kind.NEW_COUNTRY, r.enumValue(an, "fraud.anomalies", "new-country",
                FraudConfig.Action.class, base.actions().get(AnomalyDetector.Kind.NEW_COUNTRY), false));
        actions.put(AnomalyDetector.Kind.UNUSUAL_HOUR, r.enumValue(an, "fraud.anomalies", "unusual-hour",
                FraudConfig.Action.class, base.actions().get(AnomalyDetector.Kind.UNUSUAL_HOUR), false));
        FraudConfig.Anomalies anomalies = new FraudConfig.Anomalies(
                r.integer(an, "fraud.anomalies", "spike-factor", (int) base.spikeFactor(), 2, 1_000),
                r.integer(an, "fraud.anomalies", "spike-minimum", base.spikeMinimum(), 1, 100_000),
                Map.copyOf(actions),
                r.integer(an, "fraud.anomalies", "throttle-calls-per-minute", base.throttleCallsPerMinute(), 1, 10_000),
                r.duration(an, "fraud.anomalies", "action-duration", base.actionDuration(), Duration.ofMinutes(1),
                        Duration.ofDays(30)));
        java.net.URI webhook = r.parsed(r.scalar(m, "fraud", "webhook", false), text -> {
            java.net.URI uri = java.net.URI.create(text);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
                throw new IllegalArgumentException("must be an http or https URL");
            }
            return uri;
        });
        return new FraudConfig(new DialPlan(country, national, international, Set.copyOf(emergency)),
                Map.copyOf(prefixes), defaults, Map.copyOf(accounts), Map.copyOf(rates),
                money(r, r.scalar(m, "fraud", "default-rate", false), 0), anomalies, webhook,
                r.duration(m, "fraud", "webhook-timeout", Duration.ofSeconds(2), Duration.ofMillis(100),
                        Duration.ofMinutes(1)));
    }

    /** A decimal amount (at most 6 decimals, not negative) as micro-units; {@code fallback} when absent. */
    private static long money(ConfigReader r, ConfigReader.Scalar s, long fallback) {
        if (s == null) {
            return fallback;
        }
        try {
            java.math.BigDecimal amount = new java.math.BigDecimal(s.text().trim());
            if (amount.signum() < 0 || amount.scale() > 6
                    || amount.compareTo(java.math.BigDecimal.valueOf(1_000_000_000)) > 0) {
                throw new NumberFormatException();
            }
            return amount.movePointRight(6).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            r.error(s.line(), s.path(), s.text(), "must be an amount such as 0.05 or 250 (at most 6 decimals)");
            return fallback;
        }
    }

    private static FraudRules rules(ConfigReader r, YamlTree.Mapping m, String path, FraudRules fallback) {
        Set<DestinationClass> classes = fallback.allowedClasses();
        if (m != null && m.entries().containsKey("allowed-classes")) {
            Set<DestinationClass> chosen = java.util.EnumSet.noneOf(DestinationClass.class);
            for (YamlTree item : r.sequence(m, path, "allowed-classes", false)) {
                if (item instanceof YamlTree.Scalar s && !s.isNull()) {
                    try {
                        chosen.add(DestinationClass.valueOf(s.text().toUpperCase(java.util.Locale.ROOT)
                                .replace('-', '_')));
                    } catch (IllegalArgumentException e) {
                        r.error(s.line(), path + ".allowed-classes", s.text(), "not a destination class (local, "
                                + "national, mobile, international, premium, satellite, shared_cost, high_risk)");
                    }
                }
            }
            classes = Set.copyOf(chosen);
        }
        Set<java.time.DayOfWeek> days = fallback.days();
        if (m != null && m.entries().containsKey("days")) {
            Set<java.time.DayOfWeek> chosen = java.util.EnumSet.noneOf(java.time.DayOfWeek.class);
            for (YamlTree item : r.sequence(m, path, "days", false)) {
                java.time.DayOfWeek day = item instanceof YamlTree.Scalar s && !s.isNull() ? dayOf(s.text()) : null;
                if (day == null) {
                    r.error(item.line(), path + ".days", item instanceof YamlTree.Scalar s ? s.text() : null,
                            "must be a day: mon, tue, wed, thu, fri, sat, sun");
                } else {
                    chosen.add(day);
                }
            }
            days = Set.copyOf(chosen);
        }
        java.time.LocalTime[] hours = {fallback.from(), fallback.until()};
        ConfigReader.Scalar window = r.scalar(m, path, "hours", false);
        if (window != null) {
            java.util.regex.Matcher hm = java.util.regex.Pattern.compile("(\\d{2}):(\\d{2})-(\\d{2}):(\\d{2})")
                    .matcher(window.text().trim());
            try {
                if (!hm.matches()) {
                    throw new java.time.DateTimeException("format");
                }
                hours[0] = java.time.LocalTime.of(Integer.parseInt(hm.group(1)), Integer.parseInt(hm.group(2)));
                hours[1] = java.time.LocalTime.of(Integer.parseInt(hm.group(3)), Integer.parseInt(hm.group(4)));
            } catch (java.time.DateTimeException e) {
                r.error(window.line(), window.path(), window.text(), "must be a window such as 08:00-18:00");
            }
        }
        return new FraudRules(classes,
                r.integer(m, path, "max-concurrent-calls", fallback.maxConcurrentCalls(), 1, 100_000),
                r.integer(m, path, "calls-per-minute", fallback.callsPerMinute(), 1, 100_000),
                money(r, r.scalar(m, path, "daily-spend-cap", false), fallback.dailySpendCap()),
                money(r, r.scalar(m, path, "weekend-spend-cap", false), fallback.weekendSpendCap()),
                prefixList(r, m, path, "allowed-prefixes", fallback.allowedPrefixes()),
                prefixList(r, m, path, "blocked-prefixes", fallback.blockedPrefixes()), days, hours[0], hours[1],
                classCaps(r, m, path, fallback.classCaps()),
                m != null && m.entries().containsKey("max-call-duration") ? r.duration(m, path, "max-call-duration",
                        null, Duration.ofMinutes(1), Duration.ofDays(2)) : fallback.maxCallDuration());
    }

    private static Map<DestinationClass, Integer> classCaps(ConfigReader r, YamlTree.Mapping m, String path,
            Map<DestinationClass, Integer> fallback) {
        YamlTree.Mapping caps = r.optionalMapping(m, path, "class-caps");
        if (caps == null) {
            return fallback;
        }
        Map<DestinationClass, Integer> out = new java.util.EnumMap<>(DestinationClass.class);
        for (String key : caps.entries().keySet()) {
            try {
                DestinationClass destination = DestinationClass.valueOf(key.toUpperCase(java.util.Locale.ROOT)
                        .replace('-', '_'));
                out.put(destination, r.integer(caps, path + ".class-caps", key, 1, 0, 100_000));
            } catch (IllegalArgumentException e) {
                r.error(caps.entries().get(key).keyLine(), path + ".class-caps." + key, key,
                        "not a destination class");
            }
        }
        return Map.copyOf(out);
    }

    private static java.time.DayOfWeek dayOf(String text) {
        for (java.time.DayOfWeek day : java.time.DayOfWeek.values()) {
            if (day.name().substring(0, 3).equalsIgnoreCase(text.trim())) {
                return day;
            }
        }
        return null;
    }

    private static Set<String> prefixList(ConfigReader r, YamlTree.Mapping m, String path, String key,
            Set<String> fallback) {
        if (m == null || !m.entries().containsKey(key)) {
            return fallback;
        }
        Set<String> prefixes = new HashSet<>();
        for (YamlTree item : r.sequence(m, path, key, false)) {
            String text = item instanceof YamlTree.Scalar s && !s.isNull() ? s.text().trim() : "";
            if (text.isEmpty() || !text.chars().allMatch(Character::isDigit)) {
                r.error(item.line(), path + "." + key, text, "a prefix is E.164 digits");
            } else {
                prefixes.add(text);
            }
        }
        return Set.copyOf(prefixes);
    }

    private static String digits(ConfigReader r, ConfigReader.Scalar s, String fallback, int min, int max) {
        if (s == null) {
            return fallback;
        }
        String text = s.text().trim();
        if (text.length() < min || text.length() > max || !text.chars().allMatch(Character::isDigit)) {
            r.error(s.line(), s.path(), s.text(), "must be " + min + " to " + max + " digits");
            return fallback;
        }
        return text;
    }

    private static SecurityConfig security(ConfigReader r, YamlTree.Mapping m, Path dataDir) {
        if (m != null) {
            r.onlyKeys(m, "security", SECURITY);
        }
        String realm = r.string(m, "security", "realm", "sbc.local", false);
        List<DigestUser> users = new ArrayList<>();
        Set<String> names = new HashSet<>();
        List<YamlTree> items = r.sequence(m, "security", "users", false);
        for (int i = 0; i < items.size(); i++) {
            String path = "security.users[" + i + "]";
            YamlTree.Mapping u = r.mapping(items.get(i), path);
            if (u == null) {
                continue;
            }
            r.onlyKeys(u, path, USER);
            String name = r.string(u, path, "user", null, true);
            Map<DigestAlgorithm, String> ha1 = new java.util.EnumMap<>(DigestAlgorithm.class);
            ha1Value(r, u, path, "ha1-md5", 32).ifPresent(h -> ha1.put(DigestAlgorithm.MD5, h));
            ha1Value(r, u, path, "ha1-sha256", 64).ifPresent(h -> ha1.put(DigestAlgorithm.SHA_256, h));
            if (ha1.isEmpty() && u.entries().containsKey("user")) {
                r.error(u.line(), path, name, "needs ha1-md5 or ha1-sha256 (make them with: sbc hash-password)");
            }
            List<Cidr> sources = new ArrayList<>();
            List<YamlTree> nets = r.sequence(u, path, "allowed-sources", false);
            for (int n = 0; n < nets.size(); n++) {
                if (nets.get(n) instanceof YamlTree.Scalar s && !s.isNull()) {
                    Cidr cidr = r.parsed(new ConfigReader.Scalar(s.text(), s.line(), path + ".allowed-sources[" + n
                            + "]"), Cidr::parse);
                    if (cidr != null) {
                        sources.add(cidr);
                    }
                }
            }
            if (name != null && !names.add(name)) {
                r.error(u.line(), path + ".user", name, "two users share this name");
            }
            if (name != null) {
                users.add(new DigestUser(name, Map.copyOf(ha1), r.bool(u, path, "enabled", true),
                        List.copyOf(sources)));
            }
        }
        YamlTree.Mapping f = r.optionalMapping(m, "security", "auth-failures");
        if (f != null) {
            r.onlyKeys(f, "security.auth-failures", AUTH_FAILURES);
        }
        YamlTree.Mapping b = r.optionalMapping(m, "security", "bans");
        if (b != null) {
            r.onlyKeys(b, "security.bans", BANS);
        }
        YamlTree.Mapping l = r.optionalMapping(m, "security", "rate-limits");
        if (l != null) {
            r.onlyKeys(l, "security.rate-limits", RATE_LIMITS);
        }
        List<String> scanners = new ArrayList<>();
        if (m != null && m.entries().containsKey("scanner-user-agents")) {
            for (YamlTree item : r.sequence(m, "security", "scanner-user-agents", false)) {
                if (item instanceof YamlTree.Scalar s && !s.isNull() && !s.text().isBlank()) {
                    scanners.add(s.text().toLowerCase(java.util.Locale.ROOT));
                } else {
                    r.error(item.line(), "security.scanner-user-agents", null, "entries must be non-empty text");
                }
            }
        } else {
            scanners.addAll(SecurityConfig.DEFAULT_SCANNERS);
        }
        List<DigestAlgorithm> algorithms = digestAlgorithms(r, m);
        String stateFile = r.string(b, "security.bans", "state-file", "bans.tsv", false);
        return new SecurityConfig(realm, List.copyOf(users),
                r.duration(m, "security", "nonce-lifetime", Duration.ofMinutes(5), Duration.ofSeconds(10),
                        Duration.ofHours(1)),
                r.integer(f, "security.auth-failures", "threshold", 10, 1, 10_000),
                r.duration(f, "security.auth-failures", "window", Duration.ofMinutes(10), Duration.ofSeconds(1),
                        Duration.ofDays(1)),
                r.duration(b, "security.bans", "duration", Duration.ofHours(1), Duration.ofSeconds(1),
                        Duration.ofDays(30)),
                r.integer(b, "security.bans", "escalation", 4, 1, 100),
                r.duration(b, "security.bans", "max-duration", Duration.ofDays(7), Duration.ofSeconds(1),
                        Duration.ofDays(365)),
                r.integer(b, "security.bans", "max", 100_000, 10, 10_000_000),
                dataDir.resolve(stateFile).normalize(),
                List.copyOf(scanners),
                r.integer(l, "security.rate-limits", "packets-per-second", 50, 1, 1_000_000),
                r.integer(l, "security.rate-limits", "packet-burst", 200, 1, 1_000_000),
                r.integer(l, "security.rate-limits", "peer-packets-per-second", 20_000, 1, 10_000_000),
                r.integer(l, "security.rate-limits", "global-packets-per-second", 100_000, 1, 100_000_000),
                requestBudgets(r, r.optionalMapping(l, "security.rate-limits", "requests-per-second")),
                r.integer(l, "security.rate-limits", "flood-ban-after", 1_000, 1, 100_000_000),
                r.integer(l, "security.rate-limits", "new-invites-per-second", 5_000, 1, 1_000_000),
                algorithms);
    }

    /** The digest algorithms offered, in order: at least one, each once, each one the SBC implements. */
    private static List<DigestAlgorithm> digestAlgorithms(ConfigReader r, YamlTree.Mapping m) {
        if (m == null || !m.entries().containsKey("digest-algorithms")) {
            return SecurityConfig.DEFAULT_DIGEST_ALGORITHMS;
        }
        String path = "security.digest-algorithms";
        List<YamlTree> items = r.sequence(m, "security", "digest-algorithms", false);
        List<DigestAlgorithm> algorithms = new ArrayList<>();
        for (YamlTree item : items) {
            String token = item instanceof YamlTree.Scalar s && !s.isNull() ? s.text() : null;
            DigestAlgorithm algorithm = token == null ? null : DigestAlgorithm.fromToken(token);
            if (algorithm == null) {
                r.error(item.line(), path, token, "must be SHA-256 or MD5");
            } else if (algorithms.contains(algorithm)) {
                r.error(item.line(), path, token, "is listed twice");
            } else {
                algorithms.add(algorithm);
            }
        }
        if (items.isEmpty()) {
            r.error(m.entries().get("digest-algorithms").keyLine(), path, null,
                    "needs at least one algorithm (SHA-256, MD5)");
        }
        return algorithms.isEmpty() ? SecurityConfig.DEFAULT_DIGEST_ALGORITHMS : List.copyOf(algorithms);
    }

    /** Requests per second per source and method class, for access zones after parsing. */
    private static Map<String, Integer> requestBudgets(ConfigReader r, YamlTree.Mapping m) {
        String path = "security.rate-limits.requests-per-second";
        if (m != null) {
            r.onlyKeys(m, path, METHOD_CLASSES);
        }
        return Map.of("register", r.integer(m, path, "register", 2, 1, 100_000),
                "invite", r.integer(m, path, "invite", 5, 1, 100_000),
                "options", r.integer(m, path, "options", 5, 1, 100_000),
                "other", r.integer(m, path, "other", 20, 1, 100_000));
    }

    private static java.util.Optional<String> ha1Value(ConfigReader r, YamlTree.Mapping u, String path, String key,
            int hexLength) {
        ConfigReader.Scalar s = r.scalar(u, path, key, false);
        if (s == null) {
            return java.util.Optional.empty();
        }
        String value = s.text().toLowerCase(java.util.Locale.ROOT);
        if (value.length() != hexLength || !value.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            r.error(s.line(), s.path(), s.text(), "must be " + hexLength + " hex digits (an HA1 hash, not a "
                    + "password; make it with: sbc hash-password)");
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(value);
    }

    private static SipConfig.TlsConfig tls(ConfigReader r, YamlTree.Mapping m, Path folder) {
        if (m == null) {
            return new SipConfig.TlsConfig(null, null, null, false, true);
        }
        r.onlyKeys(m, "sip.tls", TLS);
        ConfigReader.Scalar certificateKey = r.scalar(m, "sip.tls", "certificate", false);
        ConfigReader.Scalar privateKeyKey = r.scalar(m, "sip.tls", "private-key", false);
        if ((certificateKey == null) != (privateKeyKey == null)) {
            r.error(m.line(), "sip.tls", null, "certificate and private-key go together: give both or neither "
                    + "(neither generates a self-signed certificate in the data directory)");
        }
        Path certificate = existingFile(r, certificateKey, folder);
        Path key = existingFile(r, privateKeyKey, folder);
        Path trusted = existingFile(r, r.scalar(m, "sip.tls", "trusted-certificates", false), folder);
        return new SipConfig.TlsConfig(certificate, key, trusted,
                r.bool(m, "sip.tls", "require-client-certificate", false),
                r.bool(m, "sip.tls", "verify-peers", true));
    }

    private static Path existingFile(ConfigReader r, ConfigReader.Scalar s, Path folder) {
        if (s == null) {
            return null;
        }
        Path path = folder.resolve(s.text()).normalize();
        if (!Files.isReadable(path)) {
            r.error(s.line(), s.path(), s.text(), "no readable file at " + path);
            return null;
        }
        return path;
    }

    private static List<ZoneConfig> zones(ConfigReader r, YamlTree.Mapping root) {
        List<ZoneConfig> zones = new ArrayList<>();
        List<YamlTree> items = r.sequence(root, "", "zones", true);
        for (int i = 0; i < items.size(); i++) {
            String path = "zones[" + i + "]";
            YamlTree.Mapping z = r.mapping(items.get(i), path);
            if (z == null) {
                continue;
            }
            r.onlyKeys(z, path, ZONE);
            String name = r.string(z, path, "name", null, true);
            ZoneConfig.ZoneRole role = r.enumValue(z, path, "role", ZoneConfig.ZoneRole.class, null, true);
            List<Cidr> networks = new ArrayList<>();
            List<YamlTree> nets = r.sequence(z, path, "networks", true);
            for (int n = 0; n < nets.size(); n++) {
                String netPath = path + ".networks[" + n + "]";
                if (nets.get(n) instanceof YamlTree.Scalar s && !s.isNull()) {
                    Cidr cidr = r.parsed(new ConfigReader.Scalar(s.text(), s.line(), netPath), Cidr::parse);
                    if (cidr != null) {
                        networks.add(cidr);
                    }
                } else {
                    r.error(nets.get(n).line(), netPath, null, "must be a network such as 192.0.2.0/24");
                }
            }
            YamlTree.Mapping p = r.optionalMapping(z, path, "peer");
            ZoneConfig.PeerConfig peer = null;
            if (p == null) {
                if (role != ZoneConfig.ZoneRole.ACCESS) {
                    r.error(z.line(), path + ".peer", null, "is required: where requests toward this zone are sent");
                }
            } else if (role == ZoneConfig.ZoneRole.ACCESS) {
                r.error(p.line(), path + ".peer", null, "an access zone has no peer: its phones come to the SBC");
            } else {
                r.onlyKeys(p, path + ".peer", PEER);
                String host = r.parsed(r.scalar(p, path + ".peer", "host", true), ConfigLoader::ipLiteral);
                int port = r.integer(p, path + ".peer", "port", 5060, 1, 65_535);
                SipTransport transport = r.enumValue(p, path + ".peer", "transport", SipTransport.class,
                        SipTransport.UDP, false);
                if (host != null) {
                    peer = new ZoneConfig.PeerConfig(host, port, transport);
                }
            }
            SrtpPolicy srtp = r.enumValue(z, path, "srtp", SrtpPolicy.class, SrtpPolicy.OFF, false);
            boolean office = r.bool(z, path, "office", false);
            if (office && role != ZoneConfig.ZoneRole.ACCESS) {
                r.error(z.line(), path + ".office", "true", "only an access zone can be an office");
            }
            if (name != null && role != null) {
                zones.add(new ZoneConfig(name, role, List.copyOf(networks), peer, srtp, office));
            }
        }
        return zones;
    }

    private static ManagementConfig management(ConfigReader r, YamlTree.Mapping m) {
        if (m != null) {
            r.onlyKeys(m, "management", MANAGEMENT);
        }
        String address = r.parsed(r.scalar(m, "management", "address", false), ConfigLoader::ipLiteral);
        int port = r.integer(m, "management", "port", 9090, 0, 65_535);
        ConfigReader.Scalar token = r.scalar(m, "management", "token", false);
        if (token != null && token.text().length() < MIN_TOKEN_LENGTH) {
            r.error(token.line(), token.path(), "(" + token.text().length() + " characters)",
                    "a bearer token needs at least " + MIN_TOKEN_LENGTH + " characters");
        }
        return new ManagementConfig(address == null ? "127.0.0.1" : address, port, token == null ? null
                : token.text());
    }

    /** Rules about the configuration as a whole. */
    private static void crossCheck(ConfigReader r, YamlTree.Mapping root, SipConfig sip, List<ZoneConfig> zones) {
        int zonesLine = root.entries().containsKey("zones") ? root.entries().get("zones").keyLine() : 1;
        YamlTree.Mapping sipNode = (YamlTree.Mapping) root.entries().get("sip").value();
        int listenersLine = sipNode.entries().containsKey("listeners")
                ? sipNode.entries().get("listeners").keyLine() : sipNode.line();
        Set<String> names = new HashSet<>();
        Set<String> sockets = new HashSet<>();
        for (SipConfig.ListenerConfig listener : sip.listeners()) {
            if (!names.add(listener.name())) {
                r.error(listenersLine, "sip.listeners", listener.name(), "two listeners share this name");
            }
            if (listener.port() != 0
                    && !sockets.add(listener.transport() + " " + listener.address() + ":" + listener.port())) {
                r.error(listenersLine, "sip.listeners", listener.transport() + " " + listener.address() + ":"
                        + listener.port(), "two listeners bind the same transport, address and port");
            }
        }
        Map<ZoneConfig.ZoneRole, Integer> roles = new HashMap<>();
        Set<String> zoneNames = new HashSet<>();
        Map<Cidr, String> owner = new HashMap<>();
        Set<SipTransport> listening = new HashSet<>();
        sip.listeners().forEach(l -> listening.add(l.transport()));
        for (ZoneConfig zone : zones) {
            if (!zoneNames.add(zone.name())) {
                r.error(zonesLine, "zones", zone.name(), "two zones share this name");
            }
            roles.merge(zone.role(), 1, Integer::sum);
            for (Cidr network : zone.networks()) {
                String previous = owner.putIfAbsent(network, zone.name());
                if (previous != null && !previous.equals(zone.name())) {
                    r.error(zonesLine, "zones." + zone.name() + ".networks", network.toString(),
                            "already belongs to zone '" + previous + "': a source must map to one zone");
                }
            }
            if (zone.peer() != null) {
                if (!listening.contains(zone.peer().transport())) {
                    r.error(zonesLine, "zones." + zone.name() + ".peer.transport",
                            zone.peer().transport().name().toLowerCase(java.util.Locale.ROOT),
                            "the SBC has no listener of this transport to send from");
                }
                boolean inside = false;
                try {
                    InetAddress host = InetAddress.getByName(zone.peer().host());
                    inside = zone.networks().stream().anyMatch(n -> n.contains(host));
                } catch (IOException e) {
                    inside = false;
                }
                if (!inside) {
                    r.error(zonesLine, "zones." + zone.name() + ".peer.host", zone.peer().host(),
                            "lies outside the zone's own networks, so its answers would not be admitted");
                }
            }
        }
        for (ZoneConfig.ZoneRole role : List.of(ZoneConfig.ZoneRole.TRUNK, ZoneConfig.ZoneRole.PBX)) {
            int count = roles.getOrDefault(role, 0);
            if (count != 1) {
                r.error(zonesLine, "zones", null, "needs exactly one zone with role "
                        + role.name().toLowerCase(java.util.Locale.ROOT) + ", found " + count);
            }
        }
    }

    /** Accepts IPv4 and IPv6 literals only: a host name would make startup depend on DNS. */
    static String ipLiteral(String text) {
        Cidr cidr = Cidr.parse(text);
        if (text.contains("/")) {
            throw new IllegalArgumentException("must be an address, not a network");
        }
        String canonical = cidr.toString();
        return canonical.substring(0, canonical.indexOf('/'));
    }
}
