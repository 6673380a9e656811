package org.edgesbc.core.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The operations files under {@code docker/} as the tests read them: paths relative to the module folder the tests
 * run in, YAML and JSON parsed, and the PromQL expressions of the alert rules and the dashboard.
 */
public final class OperationsFiles {
    public static final Path REPOSITORY = Path.of("..").toAbsolutePath().normalize();
    public static final Path DOCKER = REPOSITORY.resolve("docker");
    public static final Path SHIPPED_CONFIG = REPOSITORY.resolve("config").resolve("sbc.yaml");
    public static final Path COMPOSE = DOCKER.resolve("compose.yaml");
    public static final Path ALERTS = DOCKER.resolve("prometheus").resolve("alerts.yml");
    public static final Path ALERT_TESTS = DOCKER.resolve("prometheus").resolve("alerts-test.yml");
    public static final Path PROMETHEUS_CONFIG = DOCKER.resolve("prometheus").resolve("prometheus.yml");
    public static final Path DASHBOARD = DOCKER.resolve("grafana").resolve("sbc-dashboard.json");
    public static final Path SYSTEMD_UNIT = DOCKER.resolve("sbc.service");

    /** A metric of the SBC or the JVM as a PromQL expression names it. */
    private static final Pattern SBC_OR_JVM_METRIC = Pattern.compile("\\b((?:sbc|jvm)_[a-zA-Z0-9_]+)");

    private OperationsFiles() { }

    public static JsonNode yaml(Path file) throws IOException {
        return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    }

    public static JsonNode json(Path file) throws IOException {
        return new ObjectMapper().readTree(file.toFile());
    }

    /** The {@code expr} of every alerting and recording rule in alerts.yml. */
    public static List<String> alertExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        for (JsonNode group : yaml(ALERTS).path("groups")) {
            for (JsonNode rule : group.path("rules")) {
                expressions.add(rule.path("expr").asText());
            }
        }
        return expressions;
    }

    /** The {@code expr} of every panel target in the dashboard, rows included, as written (Grafana variables). */
    public static List<String> dashboardExpressions() throws IOException {
        List<String> expressions = new ArrayList<>();
        collectTargets(json(DASHBOARD).path("panels"), expressions);
        return expressions;
    }

    private static void collectTargets(JsonNode panels, List<String> into) {
        for (JsonNode panel : panels) {
            for (JsonNode target : panel.path("targets")) {
                into.add(target.path("expr").asText());
            }
            collectTargets(panel.path("panels"), into);
        }
    }

    /** Every {@code sbc_*} and {@code jvm_*} metric name in {@code expressions}, in order of appearance. */
    public static List<String> sbcAndJvmMetrics(List<String> expressions) {
        List<String> names = new ArrayList<>();
        for (String expression : expressions) {
            Matcher matcher = SBC_OR_JVM_METRIC.matcher(expression);
            while (matcher.find()) {
                if (!names.contains(matcher.group(1))) {
                    names.add(matcher.group(1));
                }
            }
        }
        return names;
    }

    public static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file);
    }
}
