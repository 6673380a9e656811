package org.edgesbc.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.edgesbc.policy.Cidr;

/**
 * Typed access to a {@link YamlTree} that collects errors instead of throwing, so that one run reports every
 * problem. Each error reads {@code file:line: key.path = 'value': rule}. Nothing is corrected or clamped: a value
 * that breaks a rule is an error, an omitted optional key takes its documented default.
 */
final class ConfigReader {
    private final String file;
    private final java.nio.file.Path folder;
    private final List<String> errors = new ArrayList<>();

    ConfigReader(String file, java.nio.file.Path folder) {
        this.file = file;
        this.folder = folder;
    }

    /** The configuration file's folder, which relative paths in it are relative to. */
    java.nio.file.Path folder() {
        return folder;
    }

    /** The file {@code value} names, relative to the configuration's folder; null after an error when unreadable. */
    java.nio.file.Path readableFile(Scalar value) {
        if (value == null) {
            return null;
        }
        java.nio.file.Path file = folder.resolve(value.text()).normalize();
        if (!java.nio.file.Files.isReadable(file)) {
            error(value.line(), value.path(), value.text(), "no readable file at " + file);
            return null;
        }
        return file;
    }

    List<String> errors() {
        return errors;
    }

    void error(int line, String path, String value, String rule) {
        errors.add(file + ":" + line + ": " + path + (value == null ? "" : " = '" + value + "'") + ": " + rule);
    }

    /** Reports every key of {@code mapping} that is not in {@code allowed}, with a suggestion when one is close. */
    void onlyKeys(YamlTree.Mapping mapping, String path, Set<String> allowed) {
        for (Map.Entry<String, YamlTree.Entry> entry : mapping.entries().entrySet()) {
            if (!allowed.contains(entry.getKey())) {
                String suggestion = closest(entry.getKey(), allowed);
                error(entry.getValue().keyLine(), join(path, entry.getKey()), null,
                        "unknown key" + (suggestion == null ? "; allowed here: " + String.join(", ", allowed.stream()
                                .sorted().toList()) : "; did you mean '" + suggestion + "'?"));
            }
        }
    }

    YamlTree.Mapping mapping(YamlTree node, String path) {
        if (node instanceof YamlTree.Mapping mapping) {
            return mapping;
        }
        error(node.line(), path, null, "must be a mapping of keys to values");
        return null;
    }

    /** The child mapping, or null (silently) when the key is absent; an error when present but not a mapping. */
    YamlTree.Mapping optionalMapping(YamlTree.Mapping parent, String path, String key) {
        YamlTree.Entry entry = parent == null ? null : parent.entries().get(key);
        if (entry == null || (entry.value() instanceof YamlTree.Scalar s && s.isNull())) {
            return null;
        }
        return mapping(entry.value(), join(path, key));
    }

    /** {@link #optionalMapping(YamlTree.Mapping, String, String)} with its keys checked against {@code allowed}. */
    YamlTree.Mapping optionalMapping(YamlTree.Mapping parent, String path, String key, Set<String> allowed) {
        YamlTree.Mapping child = optionalMapping(parent, path, key);
        if (child != null) {
            onlyKeys(child, join(path, key), allowed);
        }
        return child;
    }

    List<YamlTree> sequence(YamlTree.Mapping parent, String path, String key, boolean required) {
        YamlTree.Entry entry = parent == null ? null : parent.entries().get(key);
        if (entry == null || (entry.value() instanceof YamlTree.Scalar s && s.isNull())) {
            if (required) {
                error(parent == null ? 1 : parent.line(), join(path, key), null, "is required");
            }
            return List.of();
        }
        if (entry.value() instanceof YamlTree.Sequence sequence) {
            return sequence.items();
        }
        error(entry.value().line(), join(path, key), null, "must be a list");
        return List.of();
    }

    /** What a list item that is a mapping is bound by: the item and its key path, such as {@code zones[2]}. */
    @FunctionalInterface
    interface ItemBinder {
        void bind(YamlTree.Mapping item, String itemPath);
    }

    /**
     * Hands each item of the list under {@code key} to {@code binder}, in order, after checking that it is a
     * mapping whose keys are all in {@code allowed}; an item that is no mapping is reported and skipped.
     *
     * @return how many items the list has, mappings or not
     */
    int forEachMapping(YamlTree.Mapping parent, String path, String key, boolean required, Set<String> allowed,
            ItemBinder binder) {
        List<YamlTree> items = sequence(parent, path, key, required);
        for (int index = 0; index < items.size(); index++) {
            String itemPath = join(path, key) + "[" + index + "]";
            YamlTree.Mapping item = mapping(items.get(index), itemPath);
            if (item != null) {
                onlyKeys(item, itemPath, allowed);
                binder.bind(item, itemPath);
            }
        }
        return items.size();
    }

    /** A scalar's text, or {@code fallback} when absent; null after an error when required and missing. */
    Scalar scalar(YamlTree.Mapping parent, String path, String key, boolean required) {
        YamlTree.Entry entry = parent == null ? null : parent.entries().get(key);
        String full = join(path, key);
        if (entry == null || (entry.value() instanceof YamlTree.Scalar s && s.isNull())) {
            if (required) {
                error(entry == null ? (parent == null ? 1 : parent.line()) : entry.keyLine(), full, null,
                        "is required");
            }
            return null;
        }
        if (entry.value() instanceof YamlTree.Scalar scalar) {
            return new Scalar(scalar.text(), scalar.line(), full);
        }
        error(entry.value().line(), full, null, "must be a single value, not a list or mapping");
        return null;
    }

    /** An HA1 hash in lower case, or empty when absent or (after an error) not {@code hexLength} hex digits. */
    Optional<String> ha1(YamlTree.Mapping user, String path, String key, int hexLength) {
        ConfigReader.Scalar given = scalar(user, path, key, false);
        if (given == null) {
            return Optional.empty();
        }
        String value = given.text().toLowerCase(Locale.ROOT);
        if (value.length() != hexLength || !value.chars().allMatch(c -> Character.digit(c, 16) >= 0)) {
            error(given.line(), given.path(), given.text(), "must be " + hexLength + " hex digits (an HA1 "
                    + "hash, not a password; make it with: sbc hash-password)");
            return Optional.empty();
        }
        return Optional.of(value);
    }

    /** A run of {@code minLength} to {@code maxLength} digits, or {@code fallback} when absent or wrong. */
    String digits(ConfigReader.Scalar given, String fallback, int minLength, int maxLength) {
        if (given == null) {
            return fallback;
        }
        String text = given.text().trim();
        if (text.length() < minLength || text.length() > maxLength || !text.chars().allMatch(Character::isDigit)) {
            error(given.line(), given.path(), given.text(),
                    "must be " + minLength + " to " + maxLength + " digits");
            return fallback;
        }
        return text;
    }

    record Scalar(String text, int line, String path) { }

    String string(YamlTree.Mapping parent, String path, String key, String fallback, boolean required) {
        Scalar s = scalar(parent, path, key, required);
        return s == null ? fallback : s.text();
    }

    int integer(YamlTree.Mapping parent, String path, String key, int fallback, long min, long max) {
        Scalar s = scalar(parent, path, key, false);
        if (s == null) {
            return fallback;
        }
        try {
            long value = Long.parseLong(s.text().replace("_", ""));
            if (value < min || value > max) {
                error(s.line(), s.path(), s.text(), "must be between " + min + " and " + max);
                return fallback;
            }
            return (int) value;
        } catch (NumberFormatException e) {
            error(s.line(), s.path(), s.text(), "must be a whole number");
            return fallback;
        }
    }

    boolean bool(YamlTree.Mapping parent, String path, String key, boolean fallback) {
        Scalar s = scalar(parent, path, key, false);
        if (s == null) {
            return fallback;
        }
        return switch (s.text()) {
            case "true" -> true;
            case "false" -> false;
            default -> {
                error(s.line(), s.path(), s.text(), "must be true or false");
                yield fallback;
            }
        };
    }

    Duration duration(YamlTree.Mapping parent, String path, String key, Duration fallback, Duration min,
            Duration max) {
        return duration(parent, path, key, fallback, min, max,
                "must be a duration with a unit: 500ms, 30s, 5m, 4h or 1d");
    }

    /**
     * As {@link #duration(YamlTree.Mapping, String, String, Duration, Duration, Duration)}, for a key that also takes
     * words (handled by the caller before): {@code notADuration} names them in the error for anything else.
     */
    Duration duration(YamlTree.Mapping parent, String path, String key, Duration fallback, Duration min,
            Duration max, String notADuration) {
        Scalar s = scalar(parent, path, key, false);
        if (s == null) {
            return fallback;
        }
        Duration value = parseDuration(s.text());
        if (value == null) {
            error(s.line(), s.path(), s.text(), notADuration);
            return fallback;
        }
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            error(s.line(), s.path(), s.text(), "must be between " + format(min) + " and " + format(max));
            return fallback;
        }
        return value;
    }

    /** A size in bytes written with a unit (binary multiples): {@code 512KB}, {@code 100MB}, {@code 2GB}, or 0. */
    long size(YamlTree.Mapping parent, String path, String key, long fallback, long min, long max) {
        Scalar s = scalar(parent, path, key, false);
        if (s == null) {
            return fallback;
        }
        long value = parseSize(s.text());
        if (value < 0) {
            error(s.line(), s.path(), s.text(), "must be a size with a unit: 512KB, 100MB or 2GB");
            return fallback;
        }
        if (value < min || value > max) {
            error(s.line(), s.path(), s.text(), "must be between " + min + " and " + max + " bytes");
            return fallback;
        }
        return value;
    }

    /** The size in bytes, or -1 when {@code text} is none; 0 needs no unit. */
    static long parseSize(String text) {
        String t = text.trim();
        if (t.equals("0")) {
            return 0;
        }
        int split = 0;
        while (split < t.length() && Character.isDigit(t.charAt(split))) {
            split++;
        }
        if (split == 0 || split > 9) {
            return -1;
        }
        long amount = Long.parseLong(t.substring(0, split));
        return switch (t.substring(split)) {
            case "KB" -> amount << 10;
            case "MB" -> amount << 20;
            case "GB" -> amount << 30;
            default -> -1;
        };
    }

    <E extends Enum<E>> E enumValue(YamlTree.Mapping parent, String path, String key, Class<E> type, E fallback,
            boolean required) {
        Scalar s = scalar(parent, path, key, required);
        if (s == null) {
            return fallback;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.name().toLowerCase(Locale.ROOT).equals(s.text())) {
                return constant;
            }
        }
        List<String> allowed = new ArrayList<>();
        for (E constant : type.getEnumConstants()) {
            allowed.add(constant.name().toLowerCase(Locale.ROOT));
        }
        error(s.line(), s.path(), s.text(), "must be one of " + String.join(", ", allowed));
        return fallback;
    }

    /** Converts a scalar with {@code parse}, reporting its IllegalArgumentException message as the rule. */
    <T> T parsed(Scalar s, Function<String, T> parse) {
        if (s == null) {
            return null;
        }
        try {
            return parse.apply(s.text());
        } catch (IllegalArgumentException e) {
            error(s.line(), s.path(), s.text(), e.getMessage());
            return null;
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

    static Duration parseDuration(String text) {
        String t = text.trim();
        int split = 0;
        while (split < t.length() && Character.isDigit(t.charAt(split))) {
            split++;
        }
        if (split == 0 || split > 12) {
            return null;
        }
        long amount = Long.parseLong(t.substring(0, split));
        return switch (t.substring(split)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            case "d" -> Duration.ofDays(amount);
            default -> null;
        };
    }

    static String format(Duration d) {
        if (d.toMillis() % 1000 != 0) {
            return d.toMillis() + "ms";
        }
        long s = d.getSeconds();
        if (s == 0) {
            return "0s";
        }
        if (s % 86_400 == 0) {
            return s / 86_400 + "d";
        }
        if (s % 3_600 == 0) {
            return s / 3_600 + "h";
        }
        return s % 60 == 0 ? s / 60 + "m" : s + "s";
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The allowed key within edit distance 2 of {@code key}, if any. */
    private static String closest(String key, Set<String> allowed) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : allowed) {
            int distance = distance(key, candidate);
            if (distance < bestDistance) {
                bestDistance = distance;
                best = candidate;
            }
        }
        return best;
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
