package org.edgesbc.core.config;

import java.time.Duration;
import java.util.OptionalInt;
import java.util.Set;
import org.edgesbc.media.MediaConfig;
import org.edgesbc.media.MediaIo;

/** Binds the optional {@code media} section: where the RTP relay binds and advertises, its port range and timeouts. */
final class MediaSectionReader {
    private static final String SECTION = "media";
    private static final Set<String> SECTION_KEYS = Set.of("enabled", "address", "advertised-address", "port-min",
            "port-max", "quarantine", "timeout", "hold-timeout", "threads", "busy-poll", "io", "nice",
            "receive-buffer-bytes");

    private final ConfigReader reader;

    MediaSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    /**
     * @param root the document
     * @param sip the bound sip section, or null when it failed: the relay binds to its first listener's address
     *     unless {@code media.address} says otherwise
     */
    MediaSettings read(YamlTree.Mapping root, SipConfig sip) {
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, SECTION_KEYS);
        String firstListenerAddress = sip == null || sip.listeners().isEmpty() ? "127.0.0.1"
                : sip.listeners().get(0).address();
        String configuredAddress = reader.parsed(reader.scalar(section, SECTION, "address", false),
                ConfigReader::ipLiteral);
        String address = configuredAddress == null ? firstListenerAddress : configuredAddress;
        String advertisedAddress = reader.parsed(reader.scalar(section, SECTION, "advertised-address", false),
                ConfigReader::ipLiteral);
        int portMin = reader.integer(section, SECTION, "port-min", 10_000, 1_024, 65_534);
        int portMax = reader.integer(section, SECTION, "port-max", 20_000, 1_025, 65_535);
        if (portMax - portMin < 3) {
            reader.error(section == null ? 1 : section.line(), "media.port-max", Integer.toString(portMax),
                    "must leave room for at least two RTP/RTCP pairs above port-min " + portMin);
        }
        Duration timeout = reader.duration(section, SECTION, "timeout", Duration.ofSeconds(60),
                Duration.ofSeconds(5), Duration.ofHours(1));
        Duration holdTimeout = reader.duration(section, SECTION, "hold-timeout", Duration.ofHours(2),
                Duration.ofSeconds(5), Duration.ofDays(1));
        boolean enabled = reader.bool(section, SECTION, "enabled", true);
        Duration quarantine = reader.duration(section, SECTION, "quarantine", Duration.ofSeconds(10), Duration.ZERO,
                Duration.ofMinutes(10));
        int threads = reader.integer(section, SECTION, "threads", 1, 1, 64);
        boolean busyPoll = reader.bool(section, SECTION, "busy-poll", false);
        MediaIo io = reader.enumValue(section, SECTION, "io", MediaIo.class, MediaIo.AUTO, false);
        OptionalInt nice = reader.scalar(section, SECTION, "nice", false) == null ? OptionalInt.empty()
                : OptionalInt.of(reader.integer(section, SECTION, "nice", 0, MediaConfig.MIN_NICE,
                        MediaConfig.MAX_NICE));
        int receiveBufferBytes = reader.integer(section, SECTION, "receive-buffer-bytes",
                MediaConfig.KERNEL_RECEIVE_BUFFER, MediaConfig.KERNEL_RECEIVE_BUFFER, 16 << 20);
        if (!MediaConfig.receiveBufferAllowed(receiveBufferBytes)) {
            ConfigReader.Scalar entry = reader.scalar(section, SECTION, "receive-buffer-bytes", false);
            reader.error(entry.line(), entry.path(), entry.text(),
                    "must be 0 (the kernel's default) or at least " + MediaConfig.MIN_RECEIVE_BUFFER_BYTES);
            receiveBufferBytes = MediaConfig.KERNEL_RECEIVE_BUFFER;
        }
        return new MediaSettings(enabled, address, advertisedAddress == null ? address : advertisedAddress, portMin,
                portMax, quarantine, timeout, holdTimeout, threads, busyPoll, io, nice, receiveBufferBytes);
    }
}
