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

    /** Two carriers (one with two peers, probed), two PBXs, routes by prefix and DID: the README's example. */
    static final String TWO_CARRIERS = """
            sip:
              listeners:
                - {name: udp, transport: udp, address: 127.0.0.1, port: 5060}
            zones:
              - name: carrier-a
                role: trunk
                networks: [192.0.2.0/24]
                peers:
                  - {host: 192.0.2.10}
                  - {host: 192.0.2.11, port: 5080}
                probe: {interval: 10s, timeout: 1s, down-after: 2}
              - name: carrier-b
                role: trunk
                networks: [203.0.113.0/24]
                peer: {host: 203.0.113.5}
              - name: pbx
                role: pbx
                networks: [198.51.100.7/32]
                peer: {host: 198.51.100.7}
              - name: branch-pbx
                role: pbx
                networks: [198.51.100.8/32]
                peer: {host: 198.51.100.8}
            routing:
              outbound:
                - {prefix: "", trunks: [carrier-a, carrier-b]}
                - {prefix: "4989", trunks: [carrier-b, carrier-a]}
                - {prefix: "4989", accounts: ["1001"], from-zones: [branch-pbx], trunks: [carrier-a]}
              emergency-trunks: [carrier-a]
              inbound:
                - {numbers: "4930123400-4930123499", pbx: branch-pbx}
                - {numbers: "4989", pbx: branch-pbx}
              default-pbx: pbx
              failover-statuses: [502, 504]
              attempt-timeout: 2s
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
