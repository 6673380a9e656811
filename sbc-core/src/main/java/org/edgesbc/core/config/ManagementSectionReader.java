package org.edgesbc.core.config;

import java.time.Duration;
import java.util.Set;

/**
 * Binds the optional {@code management} section: the metrics and admin HTTP listener, its bearer token, and how the
 * SBC drains before it stops.
 */
final class ManagementSectionReader {
    private static final String SECTION = "management";
    private static final Set<String> SECTION_KEYS = Set.of("address", "port", "token", "drain-timeout",
            "drain-retry-after", "drain-register-expires");
    /** A shorter token could be guessed by an attacker who reaches the listener. */
    private static final int MIN_TOKEN_LENGTH = 16;

    private final ConfigReader reader;

    ManagementSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    /** @param root the document; the section is optional */
    ManagementConfig read(YamlTree.Mapping root) {
        YamlTree.Mapping section = reader.optionalMapping(root, "", SECTION, SECTION_KEYS);
        String address = reader.parsed(reader.scalar(section, SECTION, "address", false), ConfigReader::ipLiteral);
        int port = reader.integer(section, SECTION, "port", 9090, 0, 65_535);
        ConfigReader.Scalar token = reader.scalar(section, SECTION, "token", false);
        if (token != null && token.text().length() < MIN_TOKEN_LENGTH) {
            // The message gives the token's length, never the token itself.
            reader.error(token.line(), token.path(), "(" + token.text().length() + " characters)",
                    "a bearer token needs at least " + MIN_TOKEN_LENGTH + " characters");
        }
        DrainConfig defaults = DrainConfig.DEFAULTS;
        DrainConfig drain = new DrainConfig(
                reader.duration(section, SECTION, "drain-timeout", defaults.timeout(), Duration.ZERO,
                        Duration.ofDays(1)),
                reader.duration(section, SECTION, "drain-retry-after", defaults.retryAfter(), Duration.ofSeconds(1),
                        Duration.ofDays(1)),
                reader.duration(section, SECTION, "drain-register-expires", defaults.registerExpires(),
                        Duration.ofSeconds(10), Duration.ofHours(1)));
        return new ManagementConfig(address == null ? "127.0.0.1" : address, port,
                token == null ? null : token.text(), drain);
    }
}
