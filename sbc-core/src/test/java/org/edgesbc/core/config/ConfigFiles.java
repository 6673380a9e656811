package org.edgesbc.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes test configurations into a folder and loads them, for the configuration tests. */
final class ConfigFiles {
    /**
     * The smallest valid configuration: one UDP listener, a trunk and a PBX zone. Line numbers matter to the tests
     * that check error messages: a section appended to it starts on line 13.
     */
    static final String MINIMAL = """
            sip:
              listeners:
                - {name: udp, transport: udp, address: 127.0.0.1, port: 5060}
            zones:
              - name: carrier
                role: trunk
                networks: [192.0.2.0/24]
                peer: {host: 192.0.2.10}
              - name: office-pbx
                role: pbx
                networks: [198.51.100.7/32]
                peer: {host: 198.51.100.7, port: 5080}
            """;

    /** The shipped configuration, relative to the module folder tests run in. */
    static final Path SHIPPED = Path.of("..", "config", "sbc.yaml");

    private final Path folder;

    ConfigFiles(Path folder) {
        this.folder = folder;
    }

    /** The file every configuration is written to, as error messages name it. */
    Path file() {
        return folder.resolve("sbc.yaml");
    }

    Path write(String yaml) throws IOException {
        Files.writeString(file(), yaml);
        return file();
    }

    SbcConfig load(String yaml) throws IOException, ConfigException {
        return ConfigLoader.load(write(yaml));
    }

    /** Every problem the loader reports for {@code yaml}; fails when it accepts the configuration. */
    List<String> problems(String yaml) throws IOException {
        try {
            ConfigLoader.load(write(yaml));
        } catch (ConfigException e) {
            return e.problems();
        }
        throw new AssertionError("expected the configuration to be refused");
    }
}
