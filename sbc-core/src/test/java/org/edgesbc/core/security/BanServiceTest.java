package org.edgesbc.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOffMetrics;
import org.edgesbc.core.RecordMetrics;
import org.edgesbc.core.config.LogsConfig;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.fixtures.time.ManualClock;
import org.edgesbc.policy.ban.Ban;
import org.edgesbc.policy.ban.BanReason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BanServiceTest {
    @TempDir
    Path dir;

    private final ManualClock clock = SecurityTestSupport.clock();
    private final RecordingBanWriter file = new RecordingBanWriter();
    private SecurityEventLog events;
    private BanService bans;

    private BanService bans() {
        events = new SecurityEventLog(dir.resolve("events.jsonl"),
                LogsConfig.DEFAULTS.securityEvents(), RecordMetrics.NONE);
        bans = new BanService(SecurityTestSupport.config(dir, List.of(), 1_000), file, events, SecurityMetrics.NONE,
                new GuardedHandOff(HandOffMetrics.NONE), clock, org.edgesbc.policy.cluster.SingleNodeState.INSTANCE);
        return bans;
    }

    @AfterEach
    void close() {
        if (bans != null) {
            bans.close();
        }
        if (events != null) {
            events.close();
        }
    }

    @Test
    void aBanIsTakenAndWrittenOnTheBanThreadWhileTheCallerReturnsAtOnce() throws Exception {
        BanService service = bans();
        InetAddress scanner = InetAddress.getByName("10.0.0.13");
        service.ban(scanner, "phones", SecurityRule.SCANNER, BanReason.SCANNER, Map.of("fingerprint", "sipvicious"));
        RecordingBanWriter.Write write = file.next();
        assertThat(write.thread()).isEqualTo("sbc-bans");
        assertThat(write.bans()).singleElement().satisfies(ban -> {
            assertThat(ban.source()).isEqualTo(scanner);
            assertThat(ban.reason()).isEqualTo(BanReason.SCANNER);
            assertThat(ban.expires()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        });
        assertThat(service.isBanned(scanner)).isTrue();
        clock.advance(Duration.ofHours(1));
        assertThat(service.isBanned(scanner)).as("bans expire on the injected clock").isFalse();
    }

    @Test
    void requestsStillOnTheWayDoNotEscalateABanInForce() throws Exception {
        BanService service = bans();
        InetAddress scanner = InetAddress.getByName("10.0.0.13");
        for (int i = 0; i < 5; i++) {
            service.ban(scanner, "phones", SecurityRule.SCANNER, BanReason.SCANNER, Map.of("packet", i));
        }
        assertThat(service.releaseByOperator(InetAddress.getByName("10.9.9.9")).get(5, TimeUnit.SECONDS))
                .as("a round trip through the ban thread, after the five requests").isFalse();
        assertThat(service.list()).singleElement().satisfies(ban -> {
            assertThat(ban.offences()).isOne();
            assertThat(ban.expires()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        });
        clock.advance(Duration.ofHours(2));
        service.ban(scanner, "phones", SecurityRule.SCANNER, BanReason.SCANNER, Map.of());
        assertThat(service.releaseByOperator(InetAddress.getByName("10.9.9.9")).get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(service.list()).singleElement().satisfies(ban -> assertThat(ban.offences())
                .as("a repeat offence after the first ban ended escalates").isEqualTo(2));
    }

    @Test
    void aReloadedBanDurationAppliesToTheNextBanAndLeavesTheBanInForce() throws Exception {
        BanService service = bans();
        InetAddress first = InetAddress.getByName("10.0.0.14");
        InetAddress second = InetAddress.getByName("10.0.0.15");
        service.ban(first, "phones", SecurityRule.SCANNER, BanReason.SCANNER, Map.of());
        SecurityConfig old = SecurityTestSupport.config(dir, List.of(), 1_000);
        service.reconfigure(new SecurityConfig(old.realm(), old.users(), old.nonceLifetime(),
                old.authFailureThreshold(), old.authFailureWindow(), Duration.ofMinutes(10), 2, Duration.ofMinutes(15),
                old.maxBans(), old.banStateFile(), old.scannerFingerprints(), old.packetsPerSecond(), old.packetBurst(),
                old.peerPacketsPerSecond(), old.globalPacketsPerSecond(), old.requestsPerSecond(),
                old.floodBanAfter(), old.newInvitesPerSecond(), old.digestAlgorithms()));
        service.ban(second, "phones", SecurityRule.SCANNER, BanReason.SCANNER, Map.of());
        assertThat(service.releaseByOperator(InetAddress.getByName("10.9.9.9")).get(5, TimeUnit.SECONDS))
                .as("a round trip through the ban thread, after the reload and both bans").isFalse();
        assertThat(service.list()).extracting(ban -> Duration.between(ban.created(), ban.expires()))
                .containsExactly(Duration.ofMinutes(10), Duration.ofHours(1));

        clock.advance(Duration.ofMinutes(11));
        service.ban(second, "phones", SecurityRule.SCANNER, BanReason.SCANNER, Map.of());
        assertThat(service.releaseByOperator(InetAddress.getByName("10.9.9.9")).get(5, TimeUnit.SECONDS)).isFalse();
        assertThat(service.list()).filteredOn(ban -> ban.source().equals(second)).singleElement()
                .satisfies(ban -> assertThat(Duration.between(ban.created(), ban.expires()))
                        .as("10 min times 2, capped at the new 15 min").isEqualTo(Duration.ofMinutes(15)));
    }

    @Test
    void operatorsBanAndReleaseThroughTheBanThread() throws Exception {
        BanService service = bans();
        InetAddress source = InetAddress.getByName("10.0.0.14");
        Ban ban = service.banByOperator(source, Duration.ofMinutes(1), "seen in the logs").get(5, TimeUnit.SECONDS);
        assertThat(ban.reason()).isEqualTo(BanReason.MANUAL);
        assertThat(service.isBanned(source)).isTrue();
        assertThat(file.next().bans()).containsExactly(ban);
        assertThat(service.releaseByOperator(source).get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(service.isBanned(source)).isFalse();
        assertThat(file.next().bans()).isEmpty();
        assertThat(service.releaseByOperator(source).get(5, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void bansSurviveARestartThroughTheBanFile() throws Exception {
        events = new SecurityEventLog(dir.resolve("events.jsonl"),
                LogsConfig.DEFAULTS.securityEvents(), RecordMetrics.NONE);
        GuardedHandOff handOff = new GuardedHandOff(HandOffMetrics.NONE);
        InetAddress scanner = InetAddress.getByName("10.0.0.13");
        try (BanService first = BanService.start(SecurityTestSupport.config(dir, List.of(), 1_000), events,
                SecurityMetrics.NONE, handOff, clock, org.edgesbc.policy.cluster.SingleNodeState.INSTANCE)) {
            first.ban(scanner, "phones", SecurityRule.SCANNER, BanReason.SCANNER, Map.of());
        }
        assertThat(Files.readString(dir.resolve("bans.tsv"))).contains("10.0.0.13\tSCANNER");
        try (BanService restarted = BanService.start(SecurityTestSupport.config(dir, List.of(), 1_000), events,
                SecurityMetrics.NONE, handOff, clock, org.edgesbc.policy.cluster.SingleNodeState.INSTANCE)) {
            assertThat(restarted.isBanned(scanner)).isTrue();
        }
    }
}
