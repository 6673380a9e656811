package org.edgesbc.policy.fraud;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Longest-prefix classification of E.164 numbers. A digit trie holds the prefixes of the shipped table
 * ({@code destination-classes.tsv}: international premium rate, satellite, shared-cost and commonly abused ranges)
 * and the operator's additions, which override it. A number in the home country is NATIONAL unless a more specific
 * home prefix says otherwise; any other country is INTERNATIONAL unless a prefix says otherwise.
 */
public final class DestinationClassifier {
    private static final class Node {
        final Node[] next = new Node[10];
        DestinationClass value;
    }

    private final Node root = new Node();
    private final String countryCode;

    private DestinationClassifier(String countryCode) {
        this.countryCode = countryCode;
    }

    /**
     * The shipped table plus {@code overrides} (prefix to class; later entries win over the table).
     *
     * @throws IllegalArgumentException for a prefix that is not all digits
     */
    public static DestinationClassifier withDefaults(String countryCode, Map<String, DestinationClass> overrides) {
        DestinationClassifier classifier = new DestinationClassifier(countryCode);
        try (InputStream in = DestinationClassifier.class.getResourceAsStream("destination-classes.tsv")) {
            if (in == null) {
                throw new IllegalStateException("destination-classes.tsv is missing from the jar");
            }
            List<String> problems = classifier.load(in, "destination-classes.tsv");
            if (!problems.isEmpty()) {
                throw new IllegalStateException(String.join("; ", problems));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read destination-classes.tsv", e);
        }
        overrides.forEach(classifier::put);
        return classifier;
    }

    /**
     * Adds prefixes from a file of lines {@code prefix<TAB>class} ({@code #} starts a comment). Returns one message
     * per bad line ({@code name:line: ...}); good lines are taken.
     */
    public List<String> load(InputStream in, String name) throws IOException {
        List<String> problems = new ArrayList<>();
        parse(in, name, problems).forEach(this::put);
        return problems;
    }

    /** Reads a prefix file into prefix-to-class entries, adding one message per bad line to {@code problems}. */
    public static Map<String, DestinationClass> parse(InputStream in, String name, List<String> problems)
            throws IOException {
        Map<String, DestinationClass> entries = new java.util.LinkedHashMap<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            String content = line.contains("#") ? line.substring(0, line.indexOf('#')) : line;
            if (content.isBlank()) {
                continue;
            }
            String[] fields = content.trim().split("\\s+");
            try {
                if (fields.length != 2) {
                    throw new IllegalArgumentException("expected a prefix and a class");
                }
                if (!fields[0].chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("prefix '" + fields[0] + "' must be digits");
                }
                entries.put(fields[0], DestinationClass.valueOf(fields[1].toUpperCase(java.util.Locale.ROOT)));
            } catch (IllegalArgumentException e) {
                problems.add(name + ":" + number + ": " + e.getMessage());
            }
        }
        return entries;
    }

    private void put(String prefix, DestinationClass value) {
        if (prefix.isEmpty() || !prefix.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("prefix '" + prefix + "' must be digits");
        }
        Node node = root;
        for (int i = 0; i < prefix.length(); i++) {
            int digit = prefix.charAt(i) - '0';
            if (node.next[digit] == null) {
                node.next[digit] = new Node();
            }
            node = node.next[digit];
        }
        node.value = value;
    }

    /** The class of a normalised number. */
    public DestinationClass classify(E164Normalizer.Normalized number) {
        if (number.forcedClass() != null) {
            return number.forcedClass();
        }
        String digits = number.digits();
        DestinationClass found = null;
        Node node = root;
        for (int i = 0; i < digits.length() && node != null; i++) {
            node = node.next[digits.charAt(i) - '0'];
            if (node != null && node.value != null) {
                found = node.value;
            }
        }
        if (found != null) {
            return found;
        }
        return digits.startsWith(countryCode) ? DestinationClass.NATIONAL : DestinationClass.INTERNATIONAL;
    }
}
