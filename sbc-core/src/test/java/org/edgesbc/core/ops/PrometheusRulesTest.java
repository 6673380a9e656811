package org.edgesbc.core.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The alert rules, the Prometheus configuration and the dashboard's queries checked by promtool (Debian package
 * prometheus, which .ci/run installs), and the alerts' own unit tests run.
 */
class PrometheusRulesTest {
    private static final ExternalTool PROMTOOL = new ExternalTool("promtool");

    @TempDir
    Path dir;

    private static ExternalTool.Result promtool(Path folder, String... arguments) throws Exception {
        assumeTrue(PROMTOOL.present(), "needs promtool (Debian package prometheus)");
        return PROMTOOL.run(folder, arguments);
    }

    @Test
    void alertRulesPassPromtoolCheck() throws Exception {
        ExternalTool.Result result = promtool(OperationsFiles.DOCKER, "check", "rules",
                OperationsFiles.ALERTS.toString());
        assertThat(result.status()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS");
    }

    @Test
    void alertsFireAsTheirUnitTestsExpect() throws Exception {
        ExternalTool.Result result = promtool(OperationsFiles.ALERT_TESTS.getParent(), "test", "rules",
                OperationsFiles.ALERT_TESTS.getFileName().toString());
        assertThat(result.status()).as(result.output()).isZero();
    }

    @Test
    void prometheusConfigurationOfTheComposeFilePassesPromtoolCheck() throws Exception {
        ExternalTool.Result result = promtool(OperationsFiles.DOCKER, "check", "config",
                OperationsFiles.PROMETHEUS_CONFIG.toString());
        assertThat(result.status()).as(result.output()).isZero();
    }

    /**
     * Grafana substitutes its variables before Prometheus sees a query; with them replaced as Grafana would, each
     * panel query must parse, which promtool checks when the queries are written as recording rules.
     */
    @Test
    void everyDashboardQueryParses() throws Exception {
        List<String> expressions = OperationsFiles.dashboardExpressions();
        assertThat(expressions).hasSizeGreaterThan(30);
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < expressions.size(); i++) {
            String query = expressions.get(i).replace("$__rate_interval", "1m").replace("$instance", ".*");
            rules.append("      - record: dashboard:query_").append(i).append('\n')
                    .append("        expr: '").append(query.replace("'", "''")).append("'\n");
        }
        Path file = dir.resolve("dashboard-queries.yml");
        Files.writeString(file, rules);
        ExternalTool.Result result = promtool(dir, "check", "rules", file.toString());
        assertThat(result.status()).as(result.output()).isZero();
        assertThat(result.output()).contains("SUCCESS: " + expressions.size() + " rules found");
    }
}
