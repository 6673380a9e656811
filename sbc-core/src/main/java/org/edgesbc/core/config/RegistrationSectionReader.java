package org.edgesbc.core.config;

import java.time.Duration;
import java.util.Set;

/** Binds the optional {@code registration} section: expiries granted to phones and to the PBX, binding bounds. */
final class RegistrationSectionReader {
    private static final String SECTION = "registration";
    private static final Set<String> SECTION_KEYS = Set.of("udp-expires", "stream-expires", "min-expires",
            "expires-jitter", "pbx-expires", "keepalive-interval", "max-bindings", "max-contacts-per-aor");

    private final ConfigReader reader;

    RegistrationSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    /** @param root the document; the section is optional */
    RegistrationConfig read(YamlTree.Mapping root) {
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, SECTION_KEYS);
        RegistrationConfig defaults = RegistrationConfig.DEFAULTS;
        Duration udpExpires = reader.duration(section, SECTION, "udp-expires", defaults.udpExpires(),
                Duration.ofSeconds(10), Duration.ofHours(1));
        Duration streamExpires = reader.duration(section, SECTION, "stream-expires", defaults.streamExpires(),
                Duration.ofSeconds(10), Duration.ofDays(1));
        Duration minExpires = reader.duration(section, SECTION, "min-expires", defaults.minExpires(),
                Duration.ofSeconds(1), Duration.ofHours(1));
        if (minExpires.compareTo(udpExpires) > 0 || minExpires.compareTo(streamExpires) > 0) {
            // RFC 3261 §10.3 step 7: a Min-Expires above what the SBC grants would refuse every phone with 423.
            YamlTree.Entry given = section == null ? null : section.entries().get("min-expires");
            int line = given != null ? given.keyLine() : section == null ? 1 : section.line();
            reader.error(line, "registration.min-expires", ConfigReader.format(minExpires),
                    "must not exceed udp-expires (" + ConfigReader.format(udpExpires) + ") nor stream-expires ("
                            + ConfigReader.format(streamExpires) + ")");
        }
        int expiresJitterPercent = reader.integer(section, SECTION, "expires-jitter",
                defaults.expiresJitterPercent(), 0, 50);
        Duration pbxExpires = reader.duration(section, SECTION, "pbx-expires", defaults.pbxExpires(),
                Duration.ofSeconds(60), Duration.ofDays(1));
        Duration keepaliveInterval = reader.duration(section, SECTION, "keepalive-interval",
                defaults.keepaliveInterval(), Duration.ofSeconds(10), Duration.ofHours(1));
        int maxBindings = reader.integer(section, SECTION, "max-bindings", defaults.maxBindings(), 10, 10_000_000);
        int maxContactsPerAor = reader.integer(section, SECTION, "max-contacts-per-aor",
                defaults.maxContactsPerAor(), 1, 100);
        return new RegistrationConfig(udpExpires, streamExpires, minExpires, expiresJitterPercent, pbxExpires,
                keepaliveInterval, maxBindings, maxContactsPerAor);
    }
}
