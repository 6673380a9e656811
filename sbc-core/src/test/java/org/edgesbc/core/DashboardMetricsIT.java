package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.ops.OperationsFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A running SBC exports every {@code sbc_*} and {@code jvm_*} metric that the alert rules and the Grafana dashboard
 * query: a renamed or missing meter would leave a panel empty or an alert silent, and no test of either file alone
 * would notice.
 */
class DashboardMetricsIT {
    @TempDir
    Path dataDir;

    @Test
    void everyMetricTheDashboardAndTheAlertsUseIsExported() throws Exception {
        List<String> used = OperationsFiles.sbcAndJvmMetrics(OperationsFiles.alertExpressions());
        for (String name : OperationsFiles.sbcAndJvmMetrics(OperationsFiles.dashboardExpressions())) {
            if (!used.contains(name)) {
                used.add(name);
            }
        }
        assertThat(used).as("the files name metrics at all").hasSizeGreaterThan(30);
        try (SbcDaemon sbc = SbcDaemon.start(withPhones(dataDir))) {
            // The GC pause timer is registered at the first collection the JVM reports.
            System.gc();
            Set<String> exported = exportedNames(sbc);
            for (int attempt = 0; attempt < 50 && !exported.contains("jvm_gc_pause_seconds_count"); attempt++) {
                Thread.sleep(100);
                exported = exportedNames(sbc);
            }
            Set<String> missing = new TreeSet<>(used);
            missing.removeAll(exported);
            assertThat(missing).as("metrics queried by docker/prometheus/alerts.yml or docker/grafana/"
                    + "sbc-dashboard.json that the SBC does not export").isEmpty();
        }
    }

    /** The loopback test topology with an access zone and one account, so that the registrar's meters exist. */
    private static SbcConfig withPhones(Path dataDir) {
        // Nothing is sent to the peers: the discard port stands in for them.
        SbcConfig loopback = TestConfigs.loopbackUdp(dataDir, new InetSocketAddress("127.0.0.2", 9),
                new InetSocketAddress("127.0.0.3", 9));
        return TestConfigs.withPhones(loopback, RegistrationConfig.DEFAULTS, List.of("127.0.0.0/25"),
                List.of(TestConfigs.user("1001", "metrics-test-password")));
    }

    /** The metric names of the Prometheus text at /metrics, with the histogram and counter suffixes they carry. */
    private static Set<String> exportedNames(SbcDaemon sbc) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sbc.managementPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).isEqualTo(200);
        Set<String> names = new TreeSet<>();
        response.body().lines().filter(line -> !line.startsWith("#") && !line.isBlank())
                .forEach(line -> names.add(line.split("[{ ]", 2)[0]));
        return names;
    }
}
