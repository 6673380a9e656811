package org.edgesbc.core.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.edgesbc.policy.Cidr;
import org.edgesbc.transport.tls.PemFiles;

/**
 * Binds the optional {@code cluster} section: the node's name, where Redis is (one server or a Sentinel set), how
 * to reach it (TLS and its CA bundle, password file, timeouts), the key prefix, the bound of the update queue and
 * the nodes' SIP addresses.
 */
final class ClusterSectionReader {
    private static final String SECTION = "cluster";
    private static final String REDIS = "cluster.redis";
    private static final Set<String> SECTION_KEYS = Set.of("node-id", "redis", "key-prefix", "connect-timeout",
            "command-timeout", "heartbeat-interval", "node-timeout", "resync-interval", "max-pending-updates", "node-addresses");
    private static final Set<String> REDIS_KEYS = Set.of("address", "sentinels", "sentinel-master", "tls",
            "ca-file", "password-file");
    private static final Pattern NODE_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    /** Printable, no blanks: the prefix starts Redis keys and a channel name. */
    private static final Pattern KEY_PREFIX = Pattern.compile("[!-~]{1,64}");

    private final ConfigReader reader;

    ClusterSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    /** @param root the document; the section is optional, and without it the SBC is one node */
    ClusterConfig read(YamlTree.Mapping root) {
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, SECTION_KEYS);
        if (section == null) {
            return ClusterConfig.OFF;
        }
        ClusterConfig d = ClusterConfig.OFF;
        ConfigReader.Scalar nodeId = reader.scalar(section, SECTION, "node-id", true);
        if (nodeId != null && !NODE_ID.matcher(nodeId.text()).matches()) {
            reader.error(nodeId.line(), nodeId.path(), nodeId.text(),
                    "must be 1 to 64 letters, digits, '.', '_' or '-'");
        }
        YamlTree.Mapping redis = reader.optionalMapping(section, SECTION, "redis", REDIS_KEYS);
        if (redis == null) {
            reader.error(section.line(), REDIS, null, "is required: an address or a list of sentinels");
        }
        ConfigReader.Scalar addressValue = reader.scalar(redis, REDIS, "address", false);
        InetSocketAddress address = hostPort(addressValue);
        List<InetSocketAddress> sentinels = new ArrayList<>();
        for (YamlTree item : reader.sequence(redis, REDIS, "sentinels", false)) {
            if (item instanceof YamlTree.Scalar scalar) {
                InetSocketAddress sentinel = hostPort(new ConfigReader.Scalar(scalar.text(), scalar.line(),
                        REDIS + ".sentinels"));
                if (sentinel != null) {
                    sentinels.add(sentinel);
                }
            } else {
                reader.error(item.line(), REDIS + ".sentinels", null, "each sentinel must be host:port");
            }
        }
        ConfigReader.Scalar master = reader.scalar(redis, REDIS, "sentinel-master", false);
        if (redis != null && addressValue == null && sentinels.isEmpty()) {
            reader.error(redis.line(), REDIS, null, "needs either address or sentinels");
        } else if (addressValue != null && !sentinels.isEmpty()) {
            reader.error(redis.line(), REDIS, null, "takes address or sentinels, not both");
        }
        if (!sentinels.isEmpty() && master == null) {
            reader.error(redis.line(), REDIS + ".sentinel-master", null, "is required with sentinels");
        } else if (sentinels.isEmpty() && master != null) {
            reader.error(master.line(), master.path(), master.text(), "only applies with sentinels");
        }
        boolean tls = reader.bool(redis, REDIS, "tls", false);
        Path caFile = caFile(reader.scalar(redis, REDIS, "ca-file", false), tls);
        Path passwordFile = readableFile(reader.scalar(redis, REDIS, "password-file", false));
        ConfigReader.Scalar prefix = reader.scalar(section, SECTION, "key-prefix", false);
        if (prefix != null && !KEY_PREFIX.matcher(prefix.text()).matches()) {
            reader.error(prefix.line(), prefix.path(), prefix.text(),
                    "must be 1 to 64 printable characters without blanks");
        }
        Duration heartbeat = reader.duration(section, SECTION, "heartbeat-interval", d.heartbeatInterval(),
                Duration.ofMillis(100), Duration.ofMinutes(1));
        Duration nodeTimeout = reader.duration(section, SECTION, "node-timeout", d.nodeTimeout(),
                Duration.ofMillis(300), Duration.ofMinutes(10));
        ConfigReader.Scalar nodeTimeoutValue = reader.scalar(section, SECTION, "node-timeout", false);
        if (nodeTimeout.compareTo(heartbeat.multipliedBy(2)) < 0) {
            reader.error(nodeTimeoutValue == null ? section.line() : nodeTimeoutValue.line(),
                    SECTION + ".node-timeout", ConfigReader.format(nodeTimeout),
                    "must be at least twice cluster.heartbeat-interval (" + ConfigReader.format(heartbeat) + ")");
        }
        List<InetAddress> nodeAddresses = new ArrayList<>();
        for (YamlTree item : reader.sequence(section, SECTION, "node-addresses", false)) {
            String literal = item instanceof YamlTree.Scalar scalar ? reader.parsed(new ConfigReader.Scalar(
                    scalar.text(), scalar.line(), SECTION + ".node-addresses"), ConfigReader::ipLiteral) : null;
            if (literal == null) {
                if (!(item instanceof YamlTree.Scalar)) {
                    reader.error(item.line(), SECTION + ".node-addresses", null, "each entry must be an IP address");
                }
                continue;
            }
            InetAddress node = Cidr.address(literal);
            if (nodeAddresses.contains(node)) {
                reader.error(item.line(), SECTION + ".node-addresses", literal, "is listed twice");
            }
            nodeAddresses.add(node);
        }
        return new ClusterConfig(nodeId == null ? "" : nodeId.text(), address, sentinels,
                master == null ? null : master.text(), tls, caFile, passwordFile,
                prefix == null ? d.keyPrefix() : prefix.text(),
                reader.duration(section, SECTION, "connect-timeout", d.connectTimeout(), Duration.ofMillis(100),
                        Duration.ofMinutes(1)),
                reader.duration(section, SECTION, "command-timeout", d.commandTimeout(), Duration.ofMillis(10),
                        Duration.ofMinutes(1)),
                heartbeat, nodeTimeout,
                reader.duration(section, SECTION, "resync-interval", d.resyncInterval(), Duration.ofMillis(500),
                        Duration.ofHours(1)),
                reader.integer(section, SECTION, "max-pending-updates", d.maxPendingUpdates(), 100, 10_000_000),
                nodeAddresses);
    }

    /** {@code host:port} (IPv6 in brackets); the host is resolved when connecting, never here. */
    private InetSocketAddress hostPort(ConfigReader.Scalar value) {
        if (value == null) {
            return null;
        }
        String text = value.text();
        int colon = text.lastIndexOf(':');
        String host = colon > 0 ? text.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (!host.isEmpty() && !host.contains(" ") && port > 0 && port <= 65_535) {
                return InetSocketAddress.createUnresolved(host, port);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        reader.error(value.line(), value.path(), text, "must be host:port with a port from 1 to 65535");
        return null;
    }

    /**
     * The CA bundle Redis's certificate must chain to: read here as the TLS client will, so that a file without a
     * certificate stops startup instead of showing up later as Redis down.
     */
    private Path caFile(ConfigReader.Scalar value, boolean tls) {
        if (value == null) {
            return null;
        }
        if (!tls) {
            reader.error(value.line(), value.path(), value.text(), "only applies with cluster.redis.tls: true");
            return null;
        }
        Path file = readableFile(value);
        if (file == null) {
            return null;
        }
        try {
            PemFiles.certificates(file);
        } catch (IOException e) {
            reader.error(value.line(), value.path(), value.text(), e.getMessage());
            return null;
        }
        return file;
    }

    private Path readableFile(ConfigReader.Scalar value) {
        if (value == null) {
            return null;
        }
        Path file = reader.folder().resolve(value.text()).normalize();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            reader.error(value.line(), value.path(), value.text(), "must name a readable file (" + file + ")");
            return null;
        }
        return file;
    }
}
