package org.edgesbc.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.edgesbc.policy.fraud.AnomalyDetector;
import org.edgesbc.policy.fraud.DestinationClass;
import org.edgesbc.policy.fraud.DestinationClassifier;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.FraudRules;

/**
 * Binds the optional {@code fraud} section: the dial plan, the operator's destination prefixes (inline and from
 * files), rates, default and per-account rules (through {@link FraudRulesReader}), anomaly actions and the webhook.
 */
final class FraudSectionReader {
    private static final String SECTION = "fraud";
    private static final Set<String> SECTION_KEYS = Set.of("country-code", "national-prefix",
            "international-prefix", "emergency-numbers", "prefixes", "prefix-files", "default-rules", "accounts",
            "rates", "default-rate", "anomalies", "webhook", "webhook-timeout");
    private static final Set<String> ANOMALY_KEYS = Set.of("spike-factor", "spike-minimum", "spike", "new-country",
            "unusual-hour", "throttle-calls-per-minute", "action-duration");
    private static final Set<String> ACCOUNT_KEYS = accountKeys();

    private final ConfigReader reader;
    private final FraudRulesReader rulesReader;

    FraudSectionReader(ConfigReader reader) {
        this.reader = reader;
        this.rulesReader = new FraudRulesReader(reader);
    }

    /** @param root the document; the section is optional */
    FraudConfig read(YamlTree.Mapping root) {
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, SECTION_KEYS);
        String countryCode = reader.digits(reader.scalar(section, SECTION, "country-code", false), "49", 1, 3);
        String nationalPrefix = reader.digits(reader.scalar(section, SECTION, "national-prefix", false), "0", 0, 2);
        String internationalPrefix = reader.digits(reader.scalar(section, SECTION, "international-prefix", false),
                "00", 1, 4);
        Set<String> emergencyNumbers = emergencyNumbers(section);
        Map<String, DestinationClass> prefixes = prefixes(reader.optionalMapping(section, SECTION, "prefixes"));
        addPrefixFiles(section, prefixes);
        YamlTree.Mapping defaultRules = reader.optionalMapping(section, SECTION, "default-rules",
                FraudRulesReader.RULE_KEYS);
        FraudRules defaults = rulesReader.read(defaultRules, "fraud.default-rules", FraudRules.DEFAULT);
        Map<String, FraudRules> accounts = accounts(section, defaults);
        Map<String, Long> rates = rates(reader.optionalMapping(section, SECTION, "rates"));
        FraudConfig.Anomalies anomalies = anomalies(reader.optionalMapping(section, SECTION, "anomalies",
                ANOMALY_KEYS));
        URI webhook = reader.parsed(reader.scalar(section, SECTION, "webhook", false), FraudSectionReader::httpUrl);
        long defaultRate = rulesReader.money(reader.scalar(section, SECTION, "default-rate", false), 0);
        Duration webhookTimeout = reader.duration(section, SECTION, "webhook-timeout", Duration.ofSeconds(2),
                Duration.ofMillis(100), Duration.ofMinutes(1));
        return new FraudConfig(new DialPlan(countryCode, nationalPrefix, internationalPrefix,
                Set.copyOf(emergencyNumbers)), Map.copyOf(prefixes), defaults, Map.copyOf(accounts),
                Map.copyOf(rates), defaultRate, anomalies, webhook, webhookTimeout);
    }

    private static Set<String> accountKeys() {
        Set<String> keys = new HashSet<>(FraudRulesReader.RULE_KEYS);
        keys.add("account");
        return Set.copyOf(keys);
    }

    private Set<String> emergencyNumbers(YamlTree.Mapping section) {
        if (section == null || !section.entries().containsKey("emergency-numbers")) {
            return Set.of("112", "110");
        }
        Set<String> numbers = new HashSet<>();
        for (YamlTree item : reader.sequence(section, SECTION, "emergency-numbers", false)) {
            if (item instanceof YamlTree.Scalar number && !number.isNull()) {
                numbers.add(reader.digits(new ConfigReader.Scalar(number.text(), number.line(),
                        "fraud.emergency-numbers"), "", 2, 6));
            }
        }
        return numbers;
    }

    /** Inline operator prefixes, in document order. */
    private Map<String, DestinationClass> prefixes(YamlTree.Mapping prefixMapping) {
        Map<String, DestinationClass> prefixes = new LinkedHashMap<>();
        if (prefixMapping == null) {
            return prefixes;
        }
        forEachPrefixKey(prefixMapping, "fraud.prefixes", "a prefix is E.164 digits", prefix -> {
            DestinationClass destination = reader.enumValue(prefixMapping, "fraud.prefixes", prefix,
                    DestinationClass.class, null, true);
            if (destination != null) {
                prefixes.put(prefix, destination);
            }
        });
        return prefixes;
    }

    /** Adds the prefixes of every prefix file; inline prefixes win over the files' ones. */
    private void addPrefixFiles(YamlTree.Mapping section, Map<String, DestinationClass> prefixes) {
        for (YamlTree item : reader.sequence(section, SECTION, "prefix-files", false)) {
            if (!(item instanceof YamlTree.Scalar name) || name.isNull()) {
                reader.error(item.line(), "fraud.prefix-files", null, "entries are file paths");
                continue;
            }
            Path file = reader.folder().resolve(name.text()).normalize();
            try (InputStream in = Files.newInputStream(file)) {
                List<String> problems = new ArrayList<>();
                DestinationClassifier.parse(in, file.toString(), problems).forEach(prefixes::putIfAbsent);
                problems.forEach(problem -> reader.error(item.line(), "fraud.prefix-files", name.text(), problem));
            } catch (IOException e) {
                reader.error(item.line(), "fraud.prefix-files", name.text(),
                        "cannot read " + file + ": " + e.getMessage());
            }
        }
    }

    private Map<String, FraudRules> accounts(YamlTree.Mapping section, FraudRules defaults) {
        Map<String, FraudRules> accounts = new LinkedHashMap<>();
        reader.forEachMapping(section, SECTION, "accounts", false, ACCOUNT_KEYS, (entry, path) -> {
            String account = reader.string(entry, path, "account", null, true);
            if (account != null && accounts.put(account, rulesReader.read(entry, path, defaults)) != null) {
                reader.error(entry.line(), path + ".account", account, "two entries for the same account");
            }
        });
        return accounts;
    }

    /** Price per minute by prefix, in micro-units. */
    private Map<String, Long> rates(YamlTree.Mapping rateMapping) {
        Map<String, Long> rates = new LinkedHashMap<>();
        if (rateMapping == null) {
            return rates;
        }
        forEachPrefixKey(rateMapping, "fraud.rates", "a rate prefix is E.164 digits", prefix -> rates.put(prefix,
                rulesReader.money(reader.scalar(rateMapping, "fraud.rates", prefix, true), 0)));
        return rates;
    }

    /** Hands each key of {@code mapping} that is E.164 digits to {@code bind}; reports the others with {@code rule}. */
    private void forEachPrefixKey(YamlTree.Mapping mapping, String path, String rule, Consumer<String> bind) {
        for (Map.Entry<String, YamlTree.Entry> entry : mapping.entries().entrySet()) {
            String prefix = entry.getKey();
            if (prefix.isEmpty() || !prefix.chars().allMatch(Character::isDigit)) {
                reader.error(entry.getValue().keyLine(), path + "." + prefix, prefix, rule);
            } else {
                bind.accept(prefix);
            }
        }
    }

    private FraudConfig.Anomalies anomalies(YamlTree.Mapping anomalies) {
        String path = "fraud.anomalies";
        FraudConfig.Anomalies defaults = FraudConfig.Anomalies.DEFAULTS;
        Map<AnomalyDetector.Kind, FraudConfig.Action> actions = new EnumMap<>(AnomalyDetector.Kind.class);
        actions.put(AnomalyDetector.Kind.SPIKE, action(anomalies, "spike", AnomalyDetector.Kind.SPIKE));
        actions.put(AnomalyDetector.Kind.NEW_COUNTRY, action(anomalies, "new-country",
                AnomalyDetector.Kind.NEW_COUNTRY));
        actions.put(AnomalyDetector.Kind.UNUSUAL_HOUR, action(anomalies, "unusual-hour",
                AnomalyDetector.Kind.UNUSUAL_HOUR));
        int spikeFactor = reader.integer(anomalies, path, "spike-factor", (int) defaults.spikeFactor(), 2, 1_000);
        int spikeMinimum = reader.integer(anomalies, path, "spike-minimum", defaults.spikeMinimum(), 1, 100_000);
        int throttleCallsPerMinute = reader.integer(anomalies, path, "throttle-calls-per-minute",
                defaults.throttleCallsPerMinute(), 1, 10_000);
        Duration actionDuration = reader.duration(anomalies, path, "action-duration", defaults.actionDuration(),
                Duration.ofMinutes(1), Duration.ofDays(30));
        return new FraudConfig.Anomalies(spikeFactor, spikeMinimum, Map.copyOf(actions), throttleCallsPerMinute,
                actionDuration);
    }

    private FraudConfig.Action action(YamlTree.Mapping anomalies, String key, AnomalyDetector.Kind kind) {
        return reader.enumValue(anomalies, "fraud.anomalies", key, FraudConfig.Action.class,
                FraudConfig.Anomalies.DEFAULTS.actions().get(kind), false);
    }

    /** {@code text} as digits of {@code minLength} to {@code maxLength}, or {@code fallback} when absent or wrong. */
    private static URI httpUrl(String text) {
        URI uri = URI.create(text);
        if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new IllegalArgumentException("must be an http or https URL");
        }
        return uri;
    }
}
