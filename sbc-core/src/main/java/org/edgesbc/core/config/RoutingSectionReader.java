package org.edgesbc.core.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.edgesbc.policy.fraud.E164Normalizer;
import org.edgesbc.policy.routing.RouteTable;

/**
 * Binds the optional {@code routing} section against the zones already bound: outbound routes name trunk zones and
 * serve PBX zones, DID entries name PBX zones, prefixes and numbers are E.164 digits.
 */
final class RoutingSectionReader {
    private static final String SECTION = "routing";
    private static final Set<String> KEYS = Set.of("outbound", "emergency-trunks", "inbound", "default-pbx",
            "failover-statuses", "attempt-timeout");
    private static final Set<String> OUTBOUND_KEYS = Set.of("prefix", "from-zones", "accounts", "trunks");
    private static final Set<String> INBOUND_KEYS = Set.of("numbers", "pbx");
    /** Bounds the tables a lookup walks; a carrier interconnect has tens of routes, not thousands. */
    static final int MAX_ROUTES = 10_000;

    private final ConfigReader reader;

    RoutingSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    RoutingConfig read(YamlTree.Mapping root, List<ZoneConfig> zones) {
        RoutingConfig defaults = RoutingConfig.defaults(zones);
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, KEYS);
        if (section == null) {
            return defaults;
        }
        Map<String, ZoneConfig.ZoneRole> roles = zones.stream()
                .collect(Collectors.toMap(ZoneConfig::name, ZoneConfig::role, (a, b) -> a));
        List<RouteTable.OutboundRoute> outbound = section.entries().containsKey("outbound")
                ? outbound(section, roles) : defaults.outbound();
        List<String> emergency = zoneNames(section, SECTION, "emergency-trunks", roles, ZoneConfig.ZoneRole.TRUNK);
        List<RouteTable.DidRange> inbound = inbound(section, roles);
        String defaultPbx = defaults.defaultPbx();
        ConfigReader.Scalar pbx = reader.scalar(section, SECTION, "default-pbx", false);
        if (pbx != null && zoneOfRole(pbx.line(), pbx.path(), pbx.text(), roles, ZoneConfig.ZoneRole.PBX)) {
            defaultPbx = pbx.text();
        }
        Set<Integer> statuses = failoverStatuses(section);
        Duration attemptTimeout = reader.duration(section, SECTION, "attempt-timeout",
                RoutingConfig.DEFAULT_ATTEMPT_TIMEOUT, Duration.ofMillis(100), Duration.ofSeconds(32));
        return new RoutingConfig(outbound, emergency, inbound, defaultPbx, statuses, attemptTimeout);
    }

    private List<RouteTable.OutboundRoute> outbound(YamlTree.Mapping section, Map<String, ZoneConfig.ZoneRole> roles) {
        List<RouteTable.OutboundRoute> routes = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        int count = reader.forEachMapping(section, SECTION, "outbound", false, OUTBOUND_KEYS, (route, path) -> {
            ConfigReader.Scalar prefixScalar = reader.scalar(route, path, "prefix", false);
            String prefix = prefixScalar == null ? "" : reader.parsed(prefixScalar, RoutingSectionReader::digits);
            List<String> fromZones = zoneNames(route, path, "from-zones", roles, ZoneConfig.ZoneRole.PBX);
            List<String> accounts = strings(route, path, "accounts");
            List<String> trunks = zoneNames(route, path, "trunks", roles, ZoneConfig.ZoneRole.TRUNK);
            if (trunks.isEmpty()) {
                reader.error(route.line(), path + ".trunks", null, "must name at least one trunk zone");
            }
            if (prefix != null && !seen.add(prefix + "|" + new java.util.TreeSet<>(fromZones) + "|"
                    + new java.util.TreeSet<>(accounts))) {
                reader.error(route.line(), path, prefix, "another route has this prefix for the same zones and "
                        + "accounts; which one applies would be a guess");
            }
            if (prefix != null) {
                routes.add(new RouteTable.OutboundRoute(prefix, Set.copyOf(fromZones), Set.copyOf(accounts), trunks));
            }
        });
        if (count > MAX_ROUTES) {
            reader.error(section.entries().get("outbound").keyLine(), SECTION + ".outbound", Integer.toString(count),
                    "at most " + MAX_ROUTES + " routes");
        }
        return List.copyOf(routes);
    }

    private List<RouteTable.DidRange> inbound(YamlTree.Mapping section, Map<String, ZoneConfig.ZoneRole> roles) {
        List<RouteTable.DidRange> ranges = new ArrayList<>();
        int count = reader.forEachMapping(section, SECTION, "inbound", false, INBOUND_KEYS, (entry, path) -> {
            ConfigReader.Scalar pbx = reader.scalar(entry, path, "pbx", true);
            boolean pbxKnown = pbx != null && zoneOfRole(pbx.line(), pbx.path(), pbx.text(), roles,
                    ZoneConfig.ZoneRole.PBX);
            String[] bounds = reader.parsed(reader.scalar(entry, path, "numbers", true),
                    RoutingSectionReader::numberRange);
            if (bounds != null && pbxKnown) {
                ranges.add(new RouteTable.DidRange(bounds[0], bounds[1], pbx.text()));
            }
        });
        if (count > MAX_ROUTES) {
            reader.error(section.entries().get("inbound").keyLine(), SECTION + ".inbound", Integer.toString(count),
                    "at most " + MAX_ROUTES + " entries");
        }
        return List.copyOf(ranges);
    }

    private Set<Integer> failoverStatuses(YamlTree.Mapping section) {
        Set<Integer> statuses = new LinkedHashSet<>();
        for (YamlTree item : reader.sequence(section, SECTION, "failover-statuses", false)) {
            String path = SECTION + ".failover-statuses";
            String text = item instanceof YamlTree.Scalar s && !s.isNull() ? s.text() : null;
            Integer status = parseStatus(text);
            if (status == null) {
                reader.error(item.line(), path, text, "entries must be final failure statuses from 300 to 699");
            } else {
                statuses.add(status);
            }
        }
        return statuses;
    }

    private static Integer parseStatus(String text) {
        if (text == null || !text.matches("[3-6][0-9][0-9]")) {
            return null;
        }
        return Integer.parseInt(text);
    }

    /** A list of zone names, each of which must be a zone of {@code role}. */
    private List<String> zoneNames(YamlTree.Mapping parent, String path, String key,
            Map<String, ZoneConfig.ZoneRole> roles, ZoneConfig.ZoneRole role) {
        List<String> names = new ArrayList<>();
        List<YamlTree> items = reader.sequence(parent, path, key, false);
        for (int index = 0; index < items.size(); index++) {
            String itemPath = path + "." + key + "[" + index + "]";
            YamlTree item = items.get(index);
            String name = item instanceof YamlTree.Scalar s && !s.isNull() ? s.text() : null;
            if (name == null) {
                reader.error(item.line(), itemPath, null, "must be a zone name");
            } else if (names.contains(name)) {
                reader.error(item.line(), itemPath, name, "is listed twice");
            } else if (zoneOfRole(item.line(), itemPath, name, roles, role)) {
                names.add(name);
            }
        }
        return List.copyOf(names);
    }

    private boolean zoneOfRole(int line, String path, String name, Map<String, ZoneConfig.ZoneRole> roles,
            ZoneConfig.ZoneRole role) {
        ZoneConfig.ZoneRole actual = roles.get(name);
        String wanted = role.name().toLowerCase(Locale.ROOT);
        if (actual == null) {
            reader.error(line, path, name, "names no zone; " + wanted + " zones are " + String.join(", ",
                    roles.entrySet().stream().filter(e -> e.getValue() == role).map(Map.Entry::getKey).sorted()
                            .toList()));
            return false;
        }
        if (actual != role) {
            reader.error(line, path, name, "is a " + actual.name().toLowerCase(Locale.ROOT) + " zone; a "
                    + wanted + " zone is needed here");
            return false;
        }
        return true;
    }

    private List<String> strings(YamlTree.Mapping parent, String path, String key) {
        List<String> values = new ArrayList<>();
        for (YamlTree item : reader.sequence(parent, path, key, false)) {
            if (item instanceof YamlTree.Scalar s && !s.isNull() && !s.text().isBlank()) {
                values.add(s.text());
            } else {
                reader.error(item.line(), path + "." + key, null, "entries must be non-empty text");
            }
        }
        return List.copyOf(values);
    }

    /** E.164 digits without "+", at most 15 of them; quoted in YAML so that a leading zero stays. */
    private static String digits(String text) {
        if (!text.matches("[0-9]{0," + E164Normalizer.MAX_DIGITS + "}")) {
            throw new IllegalArgumentException("must be up to " + E164Normalizer.MAX_DIGITS
                    + " digits of an E.164 number without '+', such as \"4930\"");
        }
        return text;
    }

    /** {@code 4930123} (a prefix) or {@code 4930123400-4930123499} (a block: ends of equal length, in order). */
    private static String[] numberRange(String text) {
        Function<String, String> number = part -> {
            if (!part.matches("[0-9]{1," + E164Normalizer.MAX_DIGITS + "}")) {
                throw new IllegalArgumentException("must be an E.164 prefix such as \"4930123\" or a block such as "
                        + "\"4930123400-4930123499\" (digits without '+')");
            }
            return part;
        };
        int dash = text.indexOf('-');
        if (dash < 0) {
            String prefix = number.apply(text);
            return new String[] {prefix, prefix};
        }
        String first = number.apply(text.substring(0, dash));
        String last = number.apply(text.substring(dash + 1));
        if (first.length() != last.length() || first.compareTo(last) > 0) {
            throw new IllegalArgumentException("a block's ends must have the same number of digits, the first "
                    + "not above the last");
        }
        if (first.equals(last)) {
            throw new IllegalArgumentException("a block of one number is written as that number alone");
        }
        return new String[] {first, last};
    }
}
