package org.edgesbc.core.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.edgesbc.policy.identity.Attestation;
import org.edgesbc.policy.identity.X5uRule;
import org.edgesbc.policy.identity.PassportVerifier;

/**
 * Binds the optional {@code stir-shaken} section: the signing half (zones, key, x5u URL, attestation inputs) and
 * the verification half (zones with their failure action, trust anchors, freshness, certificate cache). The key and
 * trust-anchor files are read here through {@link StirShakenKeys}, so a key the signer would refuse stops the
 * check, not the daemon. That the zones named are trunk zones is {@link CrossSectionCheck}'s rule.
 */
final class StirShakenSectionReader {
    private static final String SECTION = "stir-shaken";
    private static final String SIGN = SECTION + ".sign";
    private static final String VERIFY = SECTION + ".verify";
    private static final Set<String> SECTION_KEYS = Set.of("sign", "verify");
    private static final Set<String> SIGN_KEYS = Set.of("zones", "private-key", "certificate-url",
            "operator-tn-prefixes", "account-attestation", "prefix-attestation");
    private static final Set<String> VERIFY_KEYS = Set.of("zones", "trust-anchors", "max-age", "fetch-timeout",
            "cache-entries", "cache-min-ttl", "cache-max-ttl", "negative-ttl", "allowed-hosts");
    /** E.164 §6.1: at most 15 digits. */
    private static final int MAX_TN_DIGITS = 15;
    /** The longest x5u the signer writes into an Identity header. */

    private final ConfigReader reader;

    StirShakenSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    /** @param root the document; the section and each half are optional */
    StirShakenConfig read(YamlTree.Mapping root) {
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, SECTION_KEYS);
        if (section == null) {
            return StirShakenConfig.OFF;
        }
        YamlTree.Mapping sign = reader.optionalMapping(section, SECTION, "sign", SIGN_KEYS);
        YamlTree.Mapping verify = reader.optionalMapping(section, SECTION, "verify", VERIFY_KEYS);
        return new StirShakenConfig(sign == null ? null : signing(sign), verify == null ? null : verification(verify));
    }

    private StirShakenConfig.Signing signing(YamlTree.Mapping sign) {
        Set<String> zones = distinctItems(sign, SIGN, "zones", true, name -> true, "must be a zone name",
                UnaryOperator.identity());
        YamlTree.Entry zonesGiven = sign.entries().get("zones");
        if (zonesGiven != null && zonesGiven.value() instanceof YamlTree.Sequence list && list.items().isEmpty()) {
            reader.error(zonesGiven.keyLine(), SIGN + ".zones", null, "needs at least one trunk zone");
        }
        Path privateKey = checkedFile(reader.scalar(sign, SIGN, "private-key", true), StirShakenKeys::privateKey);
        String certificateUrl = reader.parsed(reader.scalar(sign, SIGN, "certificate-url", true),
                StirShakenSectionReader::certificateUrl);
        Set<String> operatorTnPrefixes = distinctItems(sign, SIGN, "operator-tn-prefixes", false,
                StirShakenSectionReader::isTnPrefix, tnPrefixRule(), UnaryOperator.identity());
        Map<String, Attestation> accountAttestation = new LinkedHashMap<>();
        YamlTree.Mapping accounts = reader.optionalMapping(sign, SIGN, "account-attestation");
        if (accounts != null) {
            accounts.entries().keySet().forEach(account -> putAttestation(accounts, SIGN + ".account-attestation",
                    account, accountAttestation));
        }
        Map<String, Attestation> prefixAttestation = new LinkedHashMap<>();
        YamlTree.Mapping prefixes = reader.optionalMapping(sign, SIGN, "prefix-attestation");
        if (prefixes != null) {
            for (Map.Entry<String, YamlTree.Entry> entry : prefixes.entries().entrySet()) {
                String prefixPath = SIGN + ".prefix-attestation." + entry.getKey();
                if (isTnPrefix(entry.getKey())) {
                    putAttestation(prefixes, SIGN + ".prefix-attestation", entry.getKey(), prefixAttestation);
                } else {
                    reader.error(entry.getValue().keyLine(), prefixPath, entry.getKey(), tnPrefixRule());
                }
            }
        }
        return new StirShakenConfig.Signing(Set.copyOf(zones), privateKey, certificateUrl,
                List.copyOf(operatorTnPrefixes), Map.copyOf(accountAttestation), Map.copyOf(prefixAttestation));
    }

    /** What a file the section names must hold; the exception's message is the rule it breaks. */
    @FunctionalInterface
    private interface FileCheck {
        void check(Path file) throws IOException;
    }

    /** The file {@code given} names, resolved against the configuration's folder; null after an error. */
    private Path checkedFile(ConfigReader.Scalar given, FileCheck check) {
        if (given == null) {
            return null;
        }
        Path file = reader.folder().resolve(given.text()).normalize();
        try {
            check.check(file);
            return file;
        } catch (IOException e) {
            reader.error(given.line(), given.path(), given.text(), e.getMessage());
            return null;
        }
    }

    /**
     * The text items of the list under {@code key}, each once, in {@code canonical} form and document order. An
     * item that is not text or fails {@code valid} is reported with {@code rule}; one given twice, as listed twice.
     */
    private Set<String> distinctItems(YamlTree.Mapping parent, String path, String key, boolean required,
            Predicate<String> valid, String rule, UnaryOperator<String> canonical) {
        Set<String> values = new LinkedHashSet<>();
        List<YamlTree> items = reader.sequence(parent, path, key, required);
        for (int index = 0; index < items.size(); index++) {
            YamlTree item = items.get(index);
            String itemPath = path + "." + key + "[" + index + "]";
            String text = item instanceof YamlTree.Scalar given && !given.isNull() ? given.text() : null;
            if (text == null || !valid.test(text)) {
                reader.error(item.line(), itemPath, text, rule);
            } else if (!values.add(canonical.apply(text))) {
                reader.error(item.line(), itemPath, text, "is listed twice");
            }
        }
        return values;
    }

    /** Binds {@code key}'s value in {@code mapping} as an attestation letter into {@code into}. */
    private void putAttestation(YamlTree.Mapping mapping, String path, String key, Map<String, Attestation> into) {
        ConfigReader.Scalar given = reader.scalar(mapping, path, key, true);
        if (given == null) {
            return;
        }
        // RFC 8588 §4 writes the levels as the upper-case letters; anything else is a typo, not a synonym.
        switch (given.text()) {
            case "A" -> into.put(key, Attestation.A);
            case "B" -> into.put(key, Attestation.B);
            case "C" -> into.put(key, Attestation.C);
            default -> reader.error(given.line(), given.path(), given.text(), "must be A, B or C (RFC 8588 §4)");
        }
    }

    private static boolean isTnPrefix(String text) {
        return !text.isEmpty() && text.length() <= MAX_TN_DIGITS && text.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    private static String tnPrefixRule() {
        return "must be 1 to " + MAX_TN_DIGITS + " digits of an E.164 number, without '+'";
    }

    /** The x5u verifiers fetch the certificate from (the PASSporT header, RFC 8225), as the signer accepts it. */
    static String certificateUrl(String text) {
        String problem = X5uRule.problem(text);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return text;
    }

    private StirShakenConfig.Verification verification(YamlTree.Mapping verify) {
        Map<String, StirShakenConfig.FailureAction> zones = new LinkedHashMap<>();
        YamlTree.Entry zonesGiven = verify.entries().get("zones");
        YamlTree.Mapping zoneActions = reader.optionalMapping(verify, VERIFY, "zones");
        if (zonesGiven == null || zonesGiven.value() instanceof YamlTree.Scalar none && none.isNull()) {
            reader.error(zonesGiven == null ? verify.line() : zonesGiven.keyLine(), VERIFY + ".zones", null,
                    "is required: the trunk zones whose INVITEs are verified, each with pass, mark or reject");
        } else if (zoneActions != null && zoneActions.entries().isEmpty()) {
            reader.error(zoneActions.line(), VERIFY + ".zones", null, "needs at least one trunk zone");
        } else if (zoneActions != null) {
            for (String zone : zoneActions.entries().keySet()) {
                StirShakenConfig.FailureAction action = reader.enumValue(zoneActions, VERIFY + ".zones", zone,
                        StirShakenConfig.FailureAction.class, null, true);
                if (action != null) {
                    zones.put(zone, action);
                }
            }
        }
        Path trustAnchors = checkedFile(reader.scalar(verify, VERIFY, "trust-anchors", true),
                StirShakenKeys::trustAnchors);
        Duration maxAge = reader.duration(verify, VERIFY, "max-age", PassportVerifier.DEFAULT_MAX_AGE,
                Duration.ofSeconds(1), PassportVerifier.MAX_MAX_AGE);
        if (maxAge.toMillis() % 1_000 != 0) {
            // iat counts whole seconds (a JWT NumericDate, RFC 8225); a fraction would be dropped without a word.
            reader.error(verify.entries().get("max-age").value().line(), VERIFY + ".max-age",
                    ConfigReader.format(maxAge), "must be whole seconds: iat counts seconds");
        }
        Duration fetchTimeout = reader.duration(verify, VERIFY, "fetch-timeout", Duration.ofSeconds(2),
                Duration.ofMillis(100), Duration.ofSeconds(10));
        int cacheEntries = reader.integer(verify, VERIFY, "cache-entries", 1_000, 1, 100_000);
        Duration cacheMinTtl = reader.duration(verify, VERIFY, "cache-min-ttl", Duration.ofMinutes(1),
                Duration.ofSeconds(1), Duration.ofDays(1));
        Duration cacheMaxTtl = reader.duration(verify, VERIFY, "cache-max-ttl", Duration.ofHours(24),
                Duration.ofMinutes(1), Duration.ofDays(7));
        if (cacheMaxTtl.compareTo(cacheMinTtl) < 0) {
            YamlTree.Entry given = verify.entries().get("cache-max-ttl");
            reader.error(given == null ? verify.line() : given.keyLine(), VERIFY + ".cache-max-ttl",
                    ConfigReader.format(cacheMaxTtl), "must not be shorter than cache-min-ttl ("
                            + ConfigReader.format(cacheMinTtl) + ")");
        }
        Duration negativeTtl = reader.duration(verify, VERIFY, "negative-ttl", Duration.ofMinutes(5),
                Duration.ofSeconds(1), Duration.ofHours(1));
        // Lower case, as URI#getHost() gives an x5u's host (IPv6 in brackets), so the cache compares them as they are.
        Set<String> allowedHosts = distinctItems(verify, VERIFY, "allowed-hosts", false,
                StirShakenSectionReader::isHost, "must be a host name or IP address (IPv6 in brackets), without "
                        + "scheme, port or path", host -> host.toLowerCase(Locale.ROOT));
        return new StirShakenConfig.Verification(Map.copyOf(zones), trustAnchors, maxAge, fetchTimeout, cacheEntries,
                cacheMinTtl, cacheMaxTtl, negativeTtl, Set.copyOf(allowedHosts));
    }

    /** True when {@code text} is exactly the host of {@code https://text/}: nothing else hides in it. */
    private static boolean isHost(String text) {
        try {
            return text.equals(new URI("https://" + text + "/").getHost());
        } catch (URISyntaxException e) {
            return false;
        }
    }
}
