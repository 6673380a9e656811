package org.edgesbc.core.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Binds the optional {@code dns} section: the servers named peers are looked up at, and the answer cache. */
final class DnsSectionReader {
    private static final String SECTION = "dns";
    private static final Set<String> KEYS = Set.of("servers", "cache-entries", "min-ttl", "max-ttl", "negative-ttl",
            "query-timeout");

    private final ConfigReader reader;

    DnsSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    DnsConfig read(YamlTree.Mapping root) {
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, KEYS);
        if (section == null) {
            return DnsConfig.DEFAULTS;
        }
        DnsConfig d = DnsConfig.DEFAULTS;
        List<InetSocketAddress> servers = new ArrayList<>();
        List<YamlTree> items = reader.sequence(section, SECTION, "servers", false);
        for (int index = 0; index < items.size(); index++) {
            String path = SECTION + ".servers[" + index + "]";
            YamlTree item = items.get(index);
            InetSocketAddress server = item instanceof YamlTree.Scalar s && !s.isNull()
                    ? reader.parsed(new ConfigReader.Scalar(s.text(), s.line(), path), DnsSectionReader::server)
                    : null;
            if (server != null) {
                servers.add(server);
            } else if (!(item instanceof YamlTree.Scalar s && !s.isNull())) {
                reader.error(item.line(), path, null, "must be an address such as 192.0.2.53 or 127.0.0.1:5353");
            }
        }
        int cacheEntries = reader.integer(section, SECTION, "cache-entries", d.cacheEntries(), 1, 1_000_000);
        Duration minTtl = reader.duration(section, SECTION, "min-ttl", d.minTtl(), Duration.ZERO, Duration.ofHours(1));
        Duration maxTtl = reader.duration(section, SECTION, "max-ttl", d.maxTtl(), Duration.ofSeconds(1),
                Duration.ofDays(1));
        if (minTtl.compareTo(maxTtl) > 0) {
            reader.error(section.line(), SECTION + ".min-ttl", ConfigReader.format(minTtl),
                    "must not be above max-ttl (" + ConfigReader.format(maxTtl) + ")");
        }
        Duration negativeTtl = reader.duration(section, SECTION, "negative-ttl", d.negativeTtl(), Duration.ofSeconds(1),
                Duration.ofHours(1));
        Duration queryTimeout = reader.duration(section, SECTION, "query-timeout", d.queryTimeout(),
                Duration.ofMillis(100), Duration.ofSeconds(30));
        return new DnsConfig(servers, cacheEntries, minTtl, maxTtl, negativeTtl, queryTimeout);
    }

    /** An IP address with an optional port ({@code 192.0.2.53}, {@code 127.0.0.1:5353}, {@code [2001:db8::1]:53}). */
    private static InetSocketAddress server(String text) {
        String host = text;
        int port = 53;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("an IPv6 address in brackets needs the closing ']'");
            }
            host = text.substring(1, close);
            port = text.length() > close + 1 && text.charAt(close + 1) == ':' ? port(text.substring(close + 2)) : 53;
        } else if (text.indexOf(':') == text.lastIndexOf(':') && text.contains(":")) {
            host = text.substring(0, text.indexOf(':'));
            port = port(text.substring(text.indexOf(':') + 1));
        }
        return new InetSocketAddress(ConfigReader.ipLiteral(host), port);
    }

    private static int port(String text) {
        try {
            int port = Integer.parseInt(text);
            if (port >= 1 && port <= 65_535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // Reported below.
        }
        throw new IllegalArgumentException("the port must be 1-65535");
    }
}
