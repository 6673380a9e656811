package org.edgesbc.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOffMetrics;
import org.edgesbc.core.RecordMetrics;
import org.edgesbc.core.config.FraudConfig;
import org.edgesbc.core.config.LogsConfig;
import org.edgesbc.fixtures.time.ManualClock;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.FraudGuard;
import org.edgesbc.policy.fraud.FraudRules;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FraudServiceTest {
    /** The spend meter runs often in real time; what it accounts comes from the manual clock alone. */
    private static final FraudService.Schedule OFTEN = new FraudService.Schedule(Duration.ofMillis(10),
            Duration.ofHours(1));

    @TempDir
    Path dir;

    private final ManualClock clock = SecurityTestSupport.clock();
    private SecurityEventLog events;
    private FraudService fraud;

    /** 60.00 a minute to Munich numbers, 2.00 a day for everyone. */
    private FraudService start() throws Exception {
        FraudConfig config = new FraudConfig(new DialPlan("49", "0", "00", Set.of("112")), Map.of(),
                new FraudRules(FraudRules.DEFAULT.allowedClasses(), 10, 100, 2_000_000, 0), Map.of(),
                Map.of("4989", 60_000_000L), 0);
        events = new SecurityEventLog(dir.resolve("events.jsonl"),
                LogsConfig.DEFAULTS.securityEvents(), RecordMetrics.NONE);
        fraud = FraudService.start(config, dir.resolve("fraud-state.tsv"), dir.resolve("fraud-baselines.tsv"),
                events, SecurityMetrics.NONE, new GuardedHandOff(HandOffMetrics.NONE), clock, clock::nanoTime, OFTEN,
                org.edgesbc.policy.cluster.SingleNodeState.INSTANCE);
        return fraud;
    }

    @AfterEach
    void close() {
        if (fraud != null) {
            fraud.close();
            fraud = null;
        }
        if (events != null) {
            events.close();
            events = null;
        }
    }

    private static Verdict check(FraudService service, String dialled) throws Exception {
        CompletableFuture<Verdict> answer = new CompletableFuture<>();
        CompletableFuture<String> thread = new CompletableFuture<>();
        service.checkNewCall(new TollFraudService.CallAttempt("pbx", InetAddress.getByName("198.51.100.1"),
                "caller", dialled), verdict -> {
                    thread.complete(Thread.currentThread().getName());
                    answer.complete(verdict);
                });
        assertThat(thread.get(5, TimeUnit.SECONDS)).as("answered on the service's thread").isEqualTo("sbc-fraud");
        return answer.get(5, TimeUnit.SECONDS);
    }

    /** Waits until the service has done everything handed to it so far (the metering starts when it takes the call). */
    private static void settled(FraudService service) throws Exception {
        service.inspect("caller").get(5, TimeUnit.SECONDS);
    }

    private List<String> events() throws Exception {
        close();
        return Files.readAllLines(dir.resolve("events.jsonl"));
    }

    @Test
    void domesticCallsPassAndPremiumOnesAreRefusedWithAnEvent() throws Exception {
        FraudService service = start();
        Verdict allowed = check(service, "0891234567");
        assertThat(allowed.allowed()).isTrue();
        assertThat(allowed.fraud().number().digits()).isEqualTo("49891234567");
        Verdict refused = check(service, "09001234567");
        assertThat(refused.kind()).isEqualTo(Verdict.Kind.REJECT);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.fraud().rule()).isEqualTo(FraudGuard.Rule.DESTINATION_CLASS);
        assertThat(service.inspect("caller").get(5, TimeUnit.SECONDS).liveCalls()).isOne();
        service.callEnded(allowed.fraud());
        assertThat(service.inspect("caller").get(5, TimeUnit.SECONDS).liveCalls()).isZero();
        assertThat(events()).singleElement().asString().contains("\"rule\":\"TOLL_FRAUD\"",
                "\"reason\":\"destination_class\"", "\"action\":\"reject\"");
    }

    @Test
    void aCallOverTheSpendCapIsCutAndItsAccountHeldUntilLocalMidnight() throws Exception {
        FraudService service = start();
        Verdict allowed = check(service, "0891234567");
        CompletableFuture<String> cut = new CompletableFuture<>();
        service.callAnswered(allowed.fraud(), () -> cut.complete(Thread.currentThread().getName()));
        settled(service);
        clock.advance(Duration.ofSeconds(3));
        assertThat(cut.get(5, TimeUnit.SECONDS)).isEqualTo("sbc-fraud");

        FraudGuard.AccountView view = service.inspect("caller").get(5, TimeUnit.SECONDS);
        assertThat(view.spentTodayMicros()).isEqualTo(3_000_000);
        assertThat(view.hold().reason()).isEqualTo("spend cap reached");
        assertThat(view.hold().expires()).as("midnight in Berlin, where the clock is")
                .isEqualTo(Instant.parse("2026-11-18T23:00:00Z"));
        assertThat(Files.readString(dir.resolve("fraud-state.tsv"))).as("persisted before the cut")
                .contains("hold\tcaller\t");
        assertThat(check(service, "0891234568").fraud().rule()).isEqualTo(FraudGuard.Rule.HOLD);
        assertThat(events()).anySatisfy(e -> assertThat(e).contains("\"reason\":\"spend_cap\"",
                "\"action\":\"cut_and_hold\"", "\"expires\":\"2026-11-18T23:00:00.000Z\""));
    }

    @Test
    void aCutThatFailsIsTriedAgainWithoutASecondHoldOrEvent() throws Exception {
        FraudService service = start();
        Verdict allowed = check(service, "0891234567");
        AtomicInteger attempts = new AtomicInteger();
        CountDownLatch cutDone = new CountDownLatch(1);
        service.callAnswered(allowed.fraud(), () -> {
            if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("the shard's queue is full");
            }
            cutDone.countDown();
        });
        settled(service);
        clock.advance(Duration.ofSeconds(3));
        assertThat(cutDone.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(attempts.get()).isEqualTo(2);
        assertThat(events()).filteredOn(e -> e.contains("spend_cap")).hasSize(1);
    }

    @Test
    void spendAndHoldsSurviveARestart() throws Exception {
        FraudService service = start();
        Verdict allowed = check(service, "0891234567");
        service.callAnswered(allowed.fraud(), () -> { });
        settled(service);
        clock.advance(Duration.ofSeconds(1));
        service.callEnded(allowed.fraud());
        assertThat(service.hold("caller", null).get(5, TimeUnit.SECONDS).hold().reason())
                .isEqualTo("held by operator");
        close();

        FraudService restarted = start();
        FraudGuard.AccountView view = restarted.inspect("caller").get(5, TimeUnit.SECONDS);
        assertThat(view.spentTodayMicros()).isEqualTo(1_000_000);
        assertThat(view.hold().reason()).isEqualTo("held by operator");
        assertThat(restarted.release("caller").get(5, TimeUnit.SECONDS).hold()).isNull();
        assertThat(restarted.release("caller").get(5, TimeUnit.SECONDS)).as("no hold left to release").isNull();
        assertThat(check(restarted, "0891234568").allowed()).isTrue();
    }
}
