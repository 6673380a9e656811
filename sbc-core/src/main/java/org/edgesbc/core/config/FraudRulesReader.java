package org.edgesbc.core.config;

import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.policy.fraud.DestinationClass;
import org.edgesbc.policy.fraud.FraudRules;

/**
 * Binds one set of toll-fraud rules: {@code fraud.default-rules} or one entry of {@code fraud.accounts}. A key left
 * out takes its value from the rules given as fallback (the built-in defaults for default-rules, default-rules for
 * an account).
 */
final class FraudRulesReader {
    /** The keys of a rule set; an account entry has {@code account} besides. */
    static final Set<String> RULE_KEYS = Set.of("allowed-classes", "max-concurrent-calls", "calls-per-minute",
            "daily-spend-cap", "weekend-spend-cap", "allowed-prefixes", "blocked-prefixes", "days", "hours",
            "class-caps", "max-call-duration");
    private static final Pattern HOUR_WINDOW = Pattern.compile("(\\d{2}):(\\d{2})-(\\d{2}):(\\d{2})");
    private static final BigDecimal MAX_AMOUNT = BigDecimal.valueOf(1_000_000_000);

    private final ConfigReader reader;

    FraudRulesReader(ConfigReader reader) {
        this.reader = reader;
    }

    /**
     * @param rules the rule set's mapping, or null when absent
     * @param path its key path, for messages
     * @param fallback the rules that keys left out take their values from
     */
    FraudRules read(YamlTree.Mapping rules, String path, FraudRules fallback) {
        Set<DestinationClass> allowedClasses = allowedClasses(rules, path, fallback.allowedClasses());
        Set<DayOfWeek> days = days(rules, path, fallback.days());
        LocalTime from = fallback.from();
        LocalTime until = fallback.until();
        ConfigReader.Scalar window = reader.scalar(rules, path, "hours", false);
        if (window != null) {
            Matcher hours = HOUR_WINDOW.matcher(window.text().trim());
            try {
                if (!hours.matches()) {
                    throw new DateTimeException("not HH:MM-HH:MM");
                }
                from = LocalTime.of(Integer.parseInt(hours.group(1)), Integer.parseInt(hours.group(2)));
                until = LocalTime.of(Integer.parseInt(hours.group(3)), Integer.parseInt(hours.group(4)));
            } catch (DateTimeException e) {
                reader.error(window.line(), window.path(), window.text(), "must be a window such as 08:00-18:00");
            }
        }
        int maxConcurrentCalls = reader.integer(rules, path, "max-concurrent-calls", fallback.maxConcurrentCalls(),
                1, 100_000);
        int callsPerMinute = reader.integer(rules, path, "calls-per-minute", fallback.callsPerMinute(), 1, 100_000);
        long dailySpendCap = money(reader.scalar(rules, path, "daily-spend-cap", false), fallback.dailySpendCap());
        long weekendSpendCap = money(reader.scalar(rules, path, "weekend-spend-cap", false),
                fallback.weekendSpendCap());
        Set<String> allowedPrefixes = prefixList(rules, path, "allowed-prefixes", fallback.allowedPrefixes());
        Set<String> blockedPrefixes = prefixList(rules, path, "blocked-prefixes", fallback.blockedPrefixes());
        Map<DestinationClass, Integer> classCaps = classCaps(rules, path, fallback.classCaps());
        Duration maxCallDuration = rules != null && rules.entries().containsKey("max-call-duration")
                ? reader.duration(rules, path, "max-call-duration", null, Duration.ofMinutes(1), Duration.ofDays(2))
                : fallback.maxCallDuration();
        return new FraudRules(allowedClasses, maxConcurrentCalls, callsPerMinute, dailySpendCap, weekendSpendCap,
                allowedPrefixes, blockedPrefixes, days, from, until, classCaps, maxCallDuration);
    }

    /**
     * A decimal amount (at most 6 decimals, not negative, at most a billion) as micro-units; {@code fallback}
     * when absent or (after an error) invalid.
     */
    long money(ConfigReader.Scalar amount, long fallback) {
        if (amount == null) {
            return fallback;
        }
        try {
            BigDecimal value = new BigDecimal(amount.text().trim());
            if (value.signum() < 0 || value.scale() > 6 || value.compareTo(MAX_AMOUNT) > 0) {
                throw new NumberFormatException("out of range");
            }
            return value.movePointRight(6).longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            reader.error(amount.line(), amount.path(), amount.text(),
                    "must be an amount such as 0.05 or 250 (at most 6 decimals)");
            return fallback;
        }
    }

    private Set<DestinationClass> allowedClasses(YamlTree.Mapping rules, String path,
            Set<DestinationClass> fallback) {
        if (rules == null || !rules.entries().containsKey("allowed-classes")) {
            return fallback;
        }
        Set<DestinationClass> chosen = EnumSet.noneOf(DestinationClass.class);
        for (YamlTree item : reader.sequence(rules, path, "allowed-classes", false)) {
            if (item instanceof YamlTree.Scalar name && !name.isNull()) {
                DestinationClass destination = destinationClass(name.text());
                if (destination == null) {
                    reader.error(name.line(), path + ".allowed-classes", name.text(), "not a destination class "
                            + "(local, national, mobile, international, premium, satellite, shared_cost, high_risk)");
                } else {
                    chosen.add(destination);
                }
            }
        }
        return Set.copyOf(chosen);
    }

    private Set<DayOfWeek> days(YamlTree.Mapping rules, String path, Set<DayOfWeek> fallback) {
        if (rules == null || !rules.entries().containsKey("days")) {
            return fallback;
        }
        Set<DayOfWeek> chosen = EnumSet.noneOf(DayOfWeek.class);
        for (YamlTree item : reader.sequence(rules, path, "days", false)) {
            DayOfWeek day = item instanceof YamlTree.Scalar name && !name.isNull() ? dayOf(name.text()) : null;
            if (day == null) {
                reader.error(item.line(), path + ".days", item instanceof YamlTree.Scalar name ? name.text() : null,
                        "must be a day: mon, tue, wed, thu, fri, sat, sun");
            } else {
                chosen.add(day);
            }
        }
        return Set.copyOf(chosen);
    }

    private Map<DestinationClass, Integer> classCaps(YamlTree.Mapping rules, String path,
            Map<DestinationClass, Integer> fallback) {
        YamlTree.Mapping caps = reader.optionalMapping(rules, path, "class-caps");
        if (caps == null) {
            return fallback;
        }
        Map<DestinationClass, Integer> capsByClass = new EnumMap<>(DestinationClass.class);
        for (String key : caps.entries().keySet()) {
            DestinationClass destination = destinationClass(key);
            if (destination == null) {
                reader.error(caps.entries().get(key).keyLine(), path + ".class-caps." + key, key,
                        "not a destination class");
            } else {
                capsByClass.put(destination, reader.integer(caps, path + ".class-caps", key, 1, 0, 100_000));
            }
        }
        return Map.copyOf(capsByClass);
    }

    private Set<String> prefixList(YamlTree.Mapping rules, String path, String key, Set<String> fallback) {
        if (rules == null || !rules.entries().containsKey(key)) {
            return fallback;
        }
        Set<String> prefixes = new HashSet<>();
        for (YamlTree item : reader.sequence(rules, path, key, false)) {
            String text = item instanceof YamlTree.Scalar prefix && !prefix.isNull() ? prefix.text().trim() : "";
            if (text.isEmpty() || !text.chars().allMatch(Character::isDigit)) {
                reader.error(item.line(), path + "." + key, text, "a prefix is E.164 digits");
            } else {
                prefixes.add(text);
            }
        }
        return Set.copyOf(prefixes);
    }

    /** The class a kebab-case or snake_case name stands for, or null. */
    private static DestinationClass destinationClass(String name) {
        try {
            return DestinationClass.valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The day whose three-letter abbreviation is {@code text}, in any case, or null. */
    private static DayOfWeek dayOf(String text) {
        for (DayOfWeek day : DayOfWeek.values()) {
            if (day.name().substring(0, 3).equalsIgnoreCase(text.trim())) {
                return day;
            }
        }
        return null;
    }
}
