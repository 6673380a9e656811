package org.edgesbc.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOffMetrics;
import org.edgesbc.core.RecordMetrics;
import org.edgesbc.core.config.LogsConfig;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.fixtures.time.ManualClock;
import org.edgesbc.policy.ban.BanReason;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SourceAdmissionPolicyTest {
    private static final InetSocketAddress PHONE = new InetSocketAddress("10.0.0.5", 5060);
    private static final InetSocketAddress TRUNK = new InetSocketAddress("192.0.2.1", 5060);

    @TempDir
    Path dir;

    private final ManualClock clock = SecurityTestSupport.clock();
    private final RecordingBanWriter file = new RecordingBanWriter();
    private final List<String> decisions = new ArrayList<>();
    private SecurityEventLog events;
    private BanService bans;
    private SourceAdmissionPolicy admission;

    @BeforeEach
    void start() {
        SecurityConfig config = SecurityTestSupport.config(dir, List.of(), 1_000);
        events = new SecurityEventLog(dir.resolve("events.jsonl"),
                LogsConfig.DEFAULTS.securityEvents(), RecordMetrics.NONE);
        SecurityMetrics metrics = new SecurityMetrics() {
            @Override
            public void decision(SecurityRule rule, String action) {
                synchronized (decisions) {
                    decisions.add(rule + " " + action);
                }
            }

            @Override
            public void authFailure() {
            }

            @Override
            public void stateWriteFailed(StateFile file) {
            }
        };
        bans = new BanService(config, file, events, metrics, new GuardedHandOff(HandOffMetrics.NONE), clock,
                clock::nanoTime, org.edgesbc.policy.cluster.SingleNodeState.INSTANCE);
        SecurityZones zones = new SecurityZones(SecurityTestSupport.zones(false));
        FloodWatch flood = new FloodWatch(zones, config.floodBanAfter(), config.packetsPerSecond(), bans,
                clock::nanoTime);
        admission = new SourceAdmissionPolicy((transport, source) -> source.getAddress().getHostAddress()
                .startsWith("10.") ? "phones" : source.getAddress().getHostAddress().startsWith("192.0.2.") ? "trunk"
                        : null, zones, config, bans, flood, new DropSummary(events, clock, 100), metrics,
                        clock::nanoTime);
    }

    @AfterEach
    void close() {
        bans.close();
        events.close();
    }

    private int admitted(InetSocketAddress source, int packets) {
        int admitted = 0;
        for (int i = 0; i < packets; i++) {
            if (admission.admit(SipTransport.UDP, source) != null) {
                admitted++;
            }
        }
        return admitted;
    }

    @Test
    void aReloadMovesANetworkIntoAnotherZoneAndItsBudgetWithIt() {
        InetSocketAddress office = new InetSocketAddress("10.1.0.9", 5060);
        assertThat(admitted(office, 250)).as("an access source: its burst of 200").isEqualTo(200);
        SecurityConfig config = SecurityTestSupport.config(dir, List.of(), 1_000);
        admission.reconfigure((transport, source) -> source.getAddress().getHostAddress().startsWith("10.1.")
                ? "phones" : null, new SecurityZones(SecurityTestSupport.zones(true)), config);
        assertThat(admitted(new InetSocketAddress("10.1.0.10", 5060), 250))
                .as("an office now: the peer budget").isEqualTo(250);
        assertThat(admitted(PHONE, 1)).as("10.0.0.0/8 outside 10.1/16 is no zone any more").isZero();
        assertThat(admitted(TRUNK, 1)).isZero();
    }

    @Test
    void anAccessSourceGetsItsBurstThenItsRate() {
        assertThat(admitted(PHONE, 205)).as("the burst of 200").isEqualTo(200);
        clock.advance(Duration.ofSeconds(1));
        assertThat(admitted(PHONE, 60)).as("50 packets a second on").isEqualTo(50);
        assertThat(decisions).contains("PACKET_BUDGET drop");
    }

    @Test
    void sourcesOutsideEveryZoneAreDropped() {
        assertThat(admission.admit(SipTransport.UDP, new InetSocketAddress("203.0.113.9", 5060))).isNull();
        assertThat(admission.admit(SipTransport.UDP, TRUNK)).isEqualTo("trunk");
    }

    @Test
    void aFloodingAccessSourceIsBannedAndTheBanIsWrittenByTheBanThread() throws Exception {
        assertThat(admitted(PHONE, 210)).isEqualTo(200);
        RecordingBanWriter.Write write = file.next();
        assertThat(write.thread()).as("never on the I/O thread that counted the drops").isEqualTo("sbc-bans")
                .isNotEqualTo(Thread.currentThread().getName());
        assertThat(write.bans()).singleElement().satisfies(ban -> {
            assertThat(ban.source()).isEqualTo(PHONE.getAddress());
            assertThat(ban.reason()).isEqualTo(BanReason.FLOOD);
        });
        assertThat(admission.admit(SipTransport.UDP, PHONE)).as("banned").isNull();
        clock.advance(Duration.ofHours(1));
        assertThat(admission.admit(SipTransport.UDP, PHONE)).as("until the ban ends").isEqualTo("phones");
    }

    @Test
    void peersHaveTheirOwnBudgetAndAreNeverBannedForFlooding() throws Exception {
        assertThat(admitted(TRUNK, 20_010)).isEqualTo(20_000);
        assertThat(bans.releaseByOperator(TRUNK.getAddress()).get(5, TimeUnit.SECONDS))
                .as("after everything the admission handed to the ban thread: no ban").isFalse();
        assertThat(bans.isBanned(TRUNK.getAddress())).isFalse();
    }
}
