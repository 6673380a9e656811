package org.edgesbc.core.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.edgesbc.core.config.ConfigLoader;
import org.edgesbc.core.config.SbcConfig;
import org.junit.jupiter.api.Test;

/** docker/sbc.service: the hardening the README promises, and what systemd itself says of the file. */
class ServiceUnitTest {
    /** The [Service] section's settings; a key given several times keeps every value in order. */
    private static Map<String, List<String>> service() throws Exception {
        Map<String, List<String>> settings = new HashMap<>();
        boolean inService = false;
        for (String line : OperationsFiles.lines(OperationsFiles.SYSTEMD_UNIT)) {
            if (line.startsWith("[")) {
                inService = line.equals("[Service]");
            } else if (inService && !line.isBlank() && !line.startsWith("#")) {
                int equals = line.indexOf('=');
                settings.computeIfAbsent(line.substring(0, equals), k -> new ArrayList<>())
                        .add(line.substring(equals + 1));
            }
        }
        return settings;
    }

    @Test
    void theServiceIsHardenedRestartsOnFailureAndReloadsOnHangUp() throws Exception {
        Map<String, List<String>> service = service();
        assertThat(service).containsEntry("ProtectSystem", List.of("strict"))
                .containsEntry("NoNewPrivileges", List.of("yes"))
                .containsEntry("Restart", List.of("on-failure"))
                .containsEntry("ExecReload", List.of("/bin/kill -HUP $MAINPID"))
                .containsEntry("User", List.of("sbc"))
                .containsEntry("Environment", List.of("SBC_DATA_DIR=/var/lib/sbc", "SBC_LOG_FORMAT=text"))
                .containsEntry("ReadWritePaths", List.of("/var/lib/sbc"));
        assertThat(service.get("ExecStart").get(0)).contains("run --config /etc/sbc/sbc.yaml");
    }

    @Test
    void bindingBelow1024IsGrantedOnlyWhenTheShippedConfigurationNeedsIt() throws Exception {
        SbcConfig shipped = ConfigLoader.load(OperationsFiles.SHIPPED_CONFIG);
        boolean privilegedPort = shipped.sip().listeners().stream().anyMatch(l -> l.port() < 1024)
                || shipped.management().port() < 1024;
        assertThat(service().containsKey("AmbientCapabilities")).isEqualTo(privilegedPort);
    }

    @Test
    void systemdAcceptsTheUnit() throws Exception {
        ExternalTool analyze = new ExternalTool("systemd-analyze");
        assumeTrue(analyze.present(), "needs systemd-analyze (Debian package systemd)");
        ExternalTool.Result result = analyze.run(OperationsFiles.DOCKER, "verify",
                OperationsFiles.SYSTEMD_UNIT.toString());
        assertThat(result.output()).as("systemd-analyze verify").isEmpty();
        assertThat(result.status()).isZero();
    }
}
