package org.edgesbc.core.config;

import java.util.Set;

/** Binds the optional {@code management} section: the metrics and admin HTTP listener and its bearer token. */
final class ManagementSectionReader {
    private static final String SECTION = "management";
    private static final Set<String> SECTION_KEYS = Set.of("address", "port", "token");
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
        return new ManagementConfig(address == null ? "127.0.0.1" : address, port,
                token == null ? null : token.text());
    }
}
