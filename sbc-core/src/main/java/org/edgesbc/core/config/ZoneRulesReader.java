package org.edgesbc.core.config;

import gov.nist.javax.sip.header.HeaderFactoryImpl;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.interconnect.DirectionRules;
import org.edgesbc.policy.interconnect.NumberFormat;

/**
 * Binds a zone's number and header rules: {@code number-plan} (country-code, national-prefix, international-prefix)
 * and the {@code inbound} and {@code outbound} rules (calling-number, called-number, p-asserted-identity, diversion,
 * from-host, privacy, add-headers, remove-headers). Headers the relay itself owns (the dialog and transaction
 * headers, routing, body framing) cannot be added or removed.
 */
final class ZoneRulesReader {
    private static final Set<String> PLAN_KEYS = Set.of("country-code", "national-prefix", "international-prefix");
    private static final Set<String> RULE_KEYS = Set.of("calling-number", "called-number", "p-asserted-identity",
            "diversion", "from-host", "privacy", "add-headers", "remove-headers");
    /** Headers the relay writes or relies on: rules may not touch them. */
    private static final Set<String> OWN_HEADERS = Set.of("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq",
            "contact", "m", "max-forwards", "content-length", "l", "content-type", "c", "route", "record-route",
            "authorization", "proxy-authorization", "p-asserted-identity", "privacy", "diversion");
    /** RFC 3261 §25.1 token, as a header name must be. */
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9\\-.!%*_+`'~]{1,64}");
    /** A host name (RFC 1123 labels) or an IPv4 literal; IPv6 literals go in brackets. */
    private static final Pattern HOST = Pattern.compile(
            "([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*"
                    + "|\\[[0-9A-Fa-f:.]+]");

    private final ConfigReader reader;

    ZoneRulesReader(ConfigReader reader) {
        this.reader = reader;
    }

    ZoneConfig.Rules read(YamlTree.Mapping zone, String path) {
        YamlTree.Mapping plan = reader.optionalMapping(zone, path, "number-plan", PLAN_KEYS);
        DialPlan numberPlan = null;
        if (plan != null) {
            String planPath = path + ".number-plan";
            numberPlan = new DialPlan(reader.digits(reader.scalar(plan, planPath, "country-code", true), "", 1, 3),
                    reader.digits(reader.scalar(plan, planPath, "national-prefix", false), "0", 0, 2),
                    reader.digits(reader.scalar(plan, planPath, "international-prefix", false), "00", 1, 4), Set.of());
        }
        DirectionRules inbound = direction(zone, path, "inbound");
        DirectionRules outbound = direction(zone, path, "outbound");
        if (numberPlan == null && inbound.changesNothing() && outbound.changesNothing()) {
            return ZoneConfig.Rules.NONE;
        }
        return new ZoneConfig.Rules(numberPlan, inbound, outbound);
    }

    private DirectionRules direction(YamlTree.Mapping zone, String path, String key) {
        YamlTree.Mapping rules = reader.optionalMapping(zone, path, key, RULE_KEYS);
        if (rules == null) {
            return DirectionRules.NONE;
        }
        String rulesPath = path + "." + key;
        NumberFormat calling = format(rules, rulesPath, "calling-number");
        NumberFormat called = format(rules, rulesPath, "called-number");
        DirectionRules.AssertedIdentity identity = reader.enumValue(rules, rulesPath, "p-asserted-identity",
                DirectionRules.AssertedIdentity.class, DirectionRules.AssertedIdentity.KEEP, false);
        String diversion = choice(rules, rulesPath, "diversion", "keep", "strip");
        String privacy = choice(rules, rulesPath, "privacy", "pass", "honour");
        String fromHost = reader.parsed(reader.scalar(rules, rulesPath, "from-host", false), ZoneRulesReader::host);
        Map<String, String> add = new LinkedHashMap<>();
        YamlTree.Mapping added = reader.optionalMapping(rules, rulesPath, "add-headers");
        if (added != null) {
            for (String name : added.entries().keySet()) {
                String value = reader.string(added, rulesPath + ".add-headers", name, null, true);
                if (headerName(added.line(), rulesPath + ".add-headers." + name, name) && value != null) {
                    if (value.chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                        reader.error(added.line(), rulesPath + ".add-headers." + name, null,
                                "a header value cannot hold line breaks or control characters");
                    } else if (!parses(name, value)) {
                        reader.error(added.line(), rulesPath + ".add-headers." + name, value,
                                "is not a valid value of this header");
                    } else {
                        add.put(name, value);
                    }
                }
            }
        }
        List<String> remove = new ArrayList<>();
        List<YamlTree> removed = reader.sequence(rules, rulesPath, "remove-headers", false);
        for (int i = 0; i < removed.size(); i++) {
            String itemPath = rulesPath + ".remove-headers[" + i + "]";
            if (removed.get(i) instanceof YamlTree.Scalar name && !name.isNull()) {
                if (headerName(name.line(), itemPath, name.text())) {
                    remove.add(name.text());
                }
            } else {
                reader.error(removed.get(i).line(), itemPath, null, "must be a header name");
            }
        }
        return new DirectionRules(calling, called, identity, "strip".equals(diversion), fromHost,
                "honour".equals(privacy), add, remove);
    }

    private NumberFormat format(YamlTree.Mapping rules, String path, String key) {
        String value = choice(rules, path, key, "as-dialled", "e164", "national");
        return switch (value) {
            case "e164" -> NumberFormat.E164;
            case "national" -> NumberFormat.NATIONAL;
            default -> NumberFormat.AS_DIALLED;
        };
    }

    /** One of {@code allowed}; the first is the default. */
    private String choice(YamlTree.Mapping rules, String path, String key, String... allowed) {
        ConfigReader.Scalar given = reader.scalar(rules, path, key, false);
        if (given == null) {
            return allowed[0];
        }
        for (String option : allowed) {
            if (option.equals(given.text())) {
                return option;
            }
        }
        reader.error(given.line(), given.path(), given.text(), "must be one of " + String.join(", ", allowed));
        return allowed[0];
    }

    private boolean headerName(int line, String path, String name) {
        if (!TOKEN.matcher(name).matches()) {
            reader.error(line, path, name, "must be a header name (a SIP token)");
            return false;
        }
        if (OWN_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
            reader.error(line, path, name, "is a header the SBC writes itself or has a rule of its own for");
            return false;
        }
        return true;
    }

    /** Whether the relay's SIP model takes the header as written (it adds it the same way). */
    private static boolean parses(String name, String value) {
        try {
            new HeaderFactoryImpl().createHeader(name, value);
            return true;
        } catch (ParseException | RuntimeException e) {
            return false;
        }
    }

    private static String host(String text) {
        if (!HOST.matcher(text).matches() || text.length() > 253) {
            throw new IllegalArgumentException("must be a host name or an IP address");
        }
        return text.toLowerCase(Locale.ROOT);
    }
}
