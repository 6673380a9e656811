package org.edgesbc.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.edgesbc.core.RecordMetrics;
import org.edgesbc.core.config.LogsConfig;
import org.edgesbc.fixtures.time.ManualClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DropSummaryTest {
    @TempDir
    Path dir;

    private final ManualClock clock = SecurityTestSupport.clock();

    private List<String> events(SecurityEventLog log) throws Exception {
        log.close();
        Path file = dir.resolve("events.jsonl");
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }

    @Test
    void oneEventPerSourceAndMinuteWithItsCountsByRule() throws Exception {
        SecurityEventLog log = new SecurityEventLog(dir.resolve("events.jsonl"), LogsConfig.DEFAULTS.securityEvents(),
                RecordMetrics.NONE);
        DropSummary summary = new DropSummary(log, clock, 100);
        InetAddress flooder = InetAddress.getByName("10.0.0.7");
        InetAddress banned = InetAddress.getByName("10.0.0.8");
        for (int i = 0; i < 500; i++) {
            summary.dropped(flooder, "phones", SecurityRule.PACKET_BUDGET);
        }
        summary.dropped(flooder, "phones", SecurityRule.REQUEST_BUDGET);
        summary.dropped(banned, null, SecurityRule.BANNED);
        summary.dropped(null, null, SecurityRule.PACKET_BUDGET);
        summary.flush();
        summary.flush();
        assertThat(events(log)).satisfiesExactlyInAnyOrder(
                e -> assertThat(e).contains("\"source\":\"10.0.0.7\"", "\"zone\":\"phones\"", "\"rule\":\"DROPS\"",
                        "\"counters\":{\"packet_budget\":500,\"request_budget\":1}", "\"action\":\"drop\""),
                e -> assertThat(e).contains("\"source\":\"10.0.0.8\"", "\"counters\":{\"banned\":1}"),
                e -> assertThat(e).contains("\"source\":null", "\"counters\":{\"packet_budget\":1}"));
    }

    @Test
    void sourcesBeyondTheBoundAreCountedTogether() throws Exception {
        SecurityEventLog log = new SecurityEventLog(dir.resolve("events.jsonl"), LogsConfig.DEFAULTS.securityEvents(),
                RecordMetrics.NONE);
        DropSummary summary = new DropSummary(log, clock, 2);
        for (int i = 1; i <= 5; i++) {
            summary.dropped(InetAddress.getByName("10.0.1." + i), "phones", SecurityRule.BANNED);
        }
        summary.flush();
        assertThat(events(log)).hasSize(3).last().asString()
                .contains("\"source\":null", "\"drops_of_sources_beyond_bound\":3", "\"bound\":2");
    }

    @Test
    void nothingDroppedWritesNothing() throws Exception {
        SecurityEventLog log = new SecurityEventLog(dir.resolve("events.jsonl"), LogsConfig.DEFAULTS.securityEvents(),
                RecordMetrics.NONE);
        new DropSummary(log, clock, 10).flush();
        assertThat(events(log)).isEmpty();
    }
}
