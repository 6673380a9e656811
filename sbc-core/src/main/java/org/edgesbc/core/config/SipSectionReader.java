package org.edgesbc.core.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.TransportConfig;

/**
 * Binds the {@code sip} section: listeners, TLS key material, socket and thread settings, the strict gate's limits,
 * connection limits, RFC 3261 timers and table bounds. The section is required (a SBC without a listener does
 * nothing); every key inside it has a default.
 */
final class SipSectionReader {
    private static final String SECTION = "sip";
    private static final Set<String> SECTION_KEYS = Set.of("advertised-host", "listeners", "tls",
            "udp-receive-buffer-bytes", "io-threads", "worker-threads", "gate", "connections", "timers",
            "max-transactions", "max-dialogs", "max-call-duration", "warm-up-calls");
    private static final Set<String> LISTENER_KEYS = Set.of("name", "transport", "address", "port");
    private static final Set<String> TLS_KEYS = Set.of("certificate", "private-key", "trusted-certificates",
            "require-client-certificate", "verify-peers");
    private static final Set<String> GATE_KEYS = Set.of("max-message-bytes", "max-start-line-bytes",
            "max-header-line-bytes", "max-headers", "max-vias");
    private static final Set<String> CONNECTION_KEYS = Set.of("max-total", "max-per-source", "idle-timeout",
            "connect-timeout");
    private static final Set<String> TIMER_KEYS = Set.of("t1", "t2", "t4");

    private final ConfigReader reader;

    SipSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    /** The bound section, or null (after an error) when {@code root} has none. */
    SipConfig read(YamlTree.Mapping root) {
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, SECTION_KEYS);
        if (section == null) {
            reader.error(root.line(), SECTION, null, "is required (at least sip.listeners)");
            return null;
        }
        String advertisedHost = reader.parsed(reader.scalar(section, SECTION, "advertised-host", false),
                ConfigReader::ipLiteral);
        List<SipConfig.ListenerConfig> listeners = listeners(section);
        SipConfig.TlsConfig tls = tls(reader.optionalMapping(section, SECTION, "tls", TLS_KEYS));
        int udpReceiveBufferBytes = reader.integer(section, SECTION, "udp-receive-buffer-bytes", 4 << 20, 65_536,
                1 << 30);
        int ioThreads = reader.integer(section, SECTION, "io-threads", 1, 1, 64);
        int workerThreads = reader.integer(section, SECTION, "worker-threads", 2, 0, 64);
        TransportConfig.GateLimits gate = gate(reader.optionalMapping(section, SECTION, "gate", GATE_KEYS));
        TransportConfig.ConnectionLimits connections = connections(reader.optionalMapping(section, SECTION,
                "connections", CONNECTION_KEYS));
        SipConfig.TimerConfig timers = timers(section, reader.optionalMapping(section, SECTION, "timers",
                TIMER_KEYS));
        int maxTransactions = reader.integer(section, SECTION, "max-transactions", 200_000, 100, 10_000_000);
        int maxDialogs = reader.integer(section, SECTION, "max-dialogs", 100_000, 10, 10_000_000);
        Duration maxCallDuration = reader.duration(section, SECTION, "max-call-duration", Duration.ofHours(4),
                Duration.ofMinutes(1), Duration.ofDays(2));
        int warmUpCalls = reader.integer(section, SECTION, "warm-up-calls", 30_000, 0, 1_000_000);
        return new SipConfig(advertisedHost, listeners, tls, udpReceiveBufferBytes, ioThreads, workerThreads, gate,
                connections, timers, maxTransactions, maxDialogs, maxCallDuration, warmUpCalls);
    }

    private List<SipConfig.ListenerConfig> listeners(YamlTree.Mapping section) {
        List<SipConfig.ListenerConfig> listeners = new ArrayList<>();
        int items = reader.forEachMapping(section, SECTION, "listeners", true, LISTENER_KEYS, (listener, path) -> {
            String name = reader.string(listener, path, "name", null, true);
            SipTransport transport = reader.enumValue(listener, path, "transport", SipTransport.class, null, true);
            String address = reader.parsed(reader.scalar(listener, path, "address", true), ConfigReader::ipLiteral);
            int port = reader.integer(listener, path, "port", transport == SipTransport.TLS ? 5061 : 5060, 0,
                    65_535);
            if (name != null && transport != null && address != null) {
                listeners.add(new SipConfig.ListenerConfig(name, transport, address, port));
            }
        });
        if (items == 0 && section.entries().containsKey("listeners")) {
            reader.error(section.entries().get("listeners").keyLine(), "sip.listeners", null,
                    "needs at least one listener");
        }
        return listeners;
    }

    private SipConfig.TlsConfig tls(YamlTree.Mapping tls) {
        if (tls == null) {
            return new SipConfig.TlsConfig(null, null, null, false, true);
        }
        String path = "sip.tls";
        ConfigReader.Scalar certificate = reader.scalar(tls, path, "certificate", false);
        ConfigReader.Scalar privateKey = reader.scalar(tls, path, "private-key", false);
        if ((certificate == null) != (privateKey == null)) {
            reader.error(tls.line(), path, null, "certificate and private-key go together: give both or neither "
                    + "(neither generates a self-signed certificate in the data directory)");
        }
        Path certificateFile = reader.readableFile(certificate);
        Path privateKeyFile = reader.readableFile(privateKey);
        Path trustedFile = reader.readableFile(reader.scalar(tls, path, "trusted-certificates", false));
        return new SipConfig.TlsConfig(certificateFile, privateKeyFile, trustedFile,
                reader.bool(tls, path, "require-client-certificate", false),
                reader.bool(tls, path, "verify-peers", true));
    }

    private TransportConfig.GateLimits gate(YamlTree.Mapping gate) {
        String path = "sip.gate";
        TransportConfig.GateLimits defaults = TransportConfig.GateLimits.DEFAULTS;
        return new TransportConfig.GateLimits(
                reader.integer(gate, path, "max-message-bytes", defaults.maxMessageBytes(), 1_024, 65_507),
                reader.integer(gate, path, "max-start-line-bytes", defaults.maxStartLineBytes(), 64, 8_192),
                reader.integer(gate, path, "max-header-line-bytes", defaults.maxHeaderLineBytes(), 128, 16_384),
                reader.integer(gate, path, "max-headers", defaults.maxHeaders(), 8, 256),
                reader.integer(gate, path, "max-vias", defaults.maxVias(), 1, 70));
    }

    private TransportConfig.ConnectionLimits connections(YamlTree.Mapping connections) {
        String path = "sip.connections";
        TransportConfig.ConnectionLimits defaults = TransportConfig.ConnectionLimits.DEFAULTS;
        return new TransportConfig.ConnectionLimits(
                reader.integer(connections, path, "max-total", defaults.maxTotal(), 1, 1_000_000),
                reader.integer(connections, path, "max-per-source", defaults.maxPerSource(), 1, 100_000),
                reader.duration(connections, path, "idle-timeout", defaults.idleTimeout(), Duration.ofSeconds(10),
                        Duration.ofDays(1)),
                reader.duration(connections, path, "connect-timeout", defaults.connectTimeout(),
                        Duration.ofMillis(100), Duration.ofMinutes(1)));
    }

    private SipConfig.TimerConfig timers(YamlTree.Mapping section, YamlTree.Mapping timers) {
        String path = "sip.timers";
        SipConfig.TimerConfig rfc3261 = SipConfig.TimerConfig.RFC3261;
        SipConfig.TimerConfig bound = new SipConfig.TimerConfig(
                reader.duration(timers, path, "t1", rfc3261.t1(), Duration.ofMillis(50), Duration.ofSeconds(5)),
                reader.duration(timers, path, "t2", rfc3261.t2(), Duration.ofMillis(500), Duration.ofSeconds(60)),
                reader.duration(timers, path, "t4", rfc3261.t4(), Duration.ofMillis(500), Duration.ofSeconds(60)));
        if (bound.t2().compareTo(bound.t1()) < 0) {
            reader.error(timers == null ? section.line() : timers.line(), "sip.timers.t2",
                    ConfigReader.format(bound.t2()),
                    "must not be shorter than t1 (" + ConfigReader.format(bound.t1()) + ")");
        }
        return bound;
    }
}
