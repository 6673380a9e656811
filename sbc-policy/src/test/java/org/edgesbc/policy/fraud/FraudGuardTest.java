package org.edgesbc.policy.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;

class FraudGuardTest {
    private static final DialPlan GERMANY = new DialPlan("49", "0", "00", Set.of("112", "110"));
    private final ManualClock clock = new ManualClock();
    private final E164Normalizer normalizer = new E164Normalizer(GERMANY);
    private final DestinationClassifier classifier = DestinationClassifier.withDefaults("49",
            Map.of("4930", DestinationClass.LOCAL));

    @Test
    void answeredCallsAreMeteredWhileUpAndCutAtTheDailyCap() {
        FraudRules capped = new FraudRules(Set.of(DestinationClass.NATIONAL), 5, 60, 1_000_000, 0);
        java.time.Clock wall = java.time.Clock.fixed(java.time.Instant.parse("2026-11-18T10:00:00Z"),
                java.time.ZoneOffset.UTC);
        FraudGuard guard = new FraudGuard(normalizer, classifier, capped, Map.of(), 100, clock::nanos,
                new RateTable(Map.of("4989", 500_000L), 0), wall);
        FraudGuard.Decision call = guard.checkNewCall("300", "0891234567");
        int[] cuts = new int[1];
        FraudGuard.AnsweredCall metered = guard.callAnswered(call, () -> cuts[0]++);
        clock.advance(Duration.ofSeconds(90));
        guard.tick(FraudGuardTest::unexpected);
        assertThat(guard.spentToday("300")).isEqualTo(750_000);
        assertThat(cuts[0]).isZero();
        clock.advance(Duration.ofSeconds(30));
        guard.tick(FraudGuardTest::unexpected);
        assertThat(guard.spentToday("300")).isEqualTo(1_000_000);
        assertThat(cuts[0]).as("cut the moment the cap is reached").isOne();
        guard.tick(FraudGuardTest::unexpected);
        assertThat(cuts[0]).as("ordered once").isOne();
        guard.callEnded(call, metered);
        assertThat(guard.checkNewCall("300", "0891234568").rule()).isEqualTo(FraudGuard.Rule.SPEND_CAP);
        assertThat(guard.checkNewCall("300", "112").allowed()).isTrue();

        // A restart must not reset what the account spent, nor release a hold.
        guard.hold("300", "spend cap", null);
        FraudGuard restarted = new FraudGuard(normalizer, classifier, capped, Map.of(), 100, clock::nanos,
                new RateTable(Map.of("4989", 500_000L), 0), wall);
        assertThat(restarted.restore(guard.snapshot())).isEmpty();
        assertThat(restarted.inspect("300").spentTodayMicros()).isEqualTo(1_000_000);
        assertThat(restarted.checkNewCall("300", "0891234569").rule()).isEqualTo(FraudGuard.Rule.HOLD);
        assertThat(restarted.release("300")).isTrue();
        assertThat(restarted.checkNewCall("300", "0891234569").rule()).isEqualTo(FraudGuard.Rule.SPEND_CAP);
        assertThat(restarted.restore(java.util.List.of("garbage\tline"))).singleElement().asString()
                .startsWith("line 1");
    }

    @Test
    void aCutThatThrowsNeitherStopsTheTickNorLeavesItsCallUp() {
        FraudRules capped = new FraudRules(Set.of(DestinationClass.NATIONAL), 5, 60, 1_000_000, 0);
        java.time.Clock wall = java.time.Clock.fixed(java.time.Instant.parse("2026-11-18T10:00:00Z"),
                java.time.ZoneOffset.UTC);
        FraudGuard guard = new FraudGuard(normalizer, classifier, capped, Map.of(), 100, clock::nanos,
                new RateTable(Map.of("4989", 1_000_000L), 0), wall);
        int[] attempts = new int[3];
        boolean[] shardQueueFull = {true};
        for (int i = 0; i < 3; i++) {
            int call = i;
            guard.callAnswered(guard.checkNewCall("300", "089123456" + i), () -> {
                attempts[call]++;
                if (call == 0 && shardQueueFull[0]) {
                    throw new IllegalStateException("shard queue full");
                }
            });
        }
        java.util.List<String> failures = new java.util.ArrayList<>();
        // Each call alone passes the cap within this tick, whichever order the tick visits them in.
        clock.advance(Duration.ofSeconds(90));
        guard.tick((decision, e) -> failures.add(decision.number().raw() + ": " + e.getMessage()));
        assertThat(attempts).as("every call over the cap was cut, the failing one included").containsExactly(1, 1, 1);
        assertThat(failures).containsExactly("0891234560: shard queue full");
        assertThat(guard.failedCuts()).isOne();

        shardQueueFull[0] = false;
        guard.tick(FraudGuardTest::unexpected);
        assertThat(attempts).as("the failed cut is tried again, the done ones are not").containsExactly(2, 1, 1);
        guard.tick(FraudGuardTest::unexpected);
        assertThat(attempts).containsExactly(2, 1, 1);
        assertThat(guard.failedCuts()).isOne();
    }

    private static void unexpected(FraudGuard.Decision decision, RuntimeException e) {
        throw new AssertionError("cut of " + decision + " failed", e);
    }

    private DestinationClass classOf(String dialled) {
        return classifier.classify(normalizer.normalize(dialled));
    }

    @Test
    void everyWayOfWritingANumberNormalisesToE164() {
        assertThat(normalizer.normalize("+44 20 7946 0000").digits()).isEqualTo("442079460000");
        assertThat(normalizer.normalize("0044-20-7946-0000").digits()).isEqualTo("442079460000");
        assertThat(normalizer.normalize("030 1234567").digits()).isEqualTo("49301234567");
        assertThat(normalizer.normalize("1234567").e164()).isFalse();
        assertThat(normalizer.normalize("112").forcedClass()).isEqualTo(DestinationClass.EMERGENCY);
        assertThat(normalizer.normalize("12a4").forcedClass()).isEqualTo(DestinationClass.INVALID);
        assertThat(normalizer.normalize("+1234567890123456").forcedClass()).as("over 15 digits")
                .isEqualTo(DestinationClass.INVALID);
    }

    @Test
    void longestPrefixDecidesTheClass() {
        assertThat(classOf("0301234567")).as("operator override").isEqualTo(DestinationClass.LOCAL);
        assertThat(classOf("0891234567")).isEqualTo(DestinationClass.NATIONAL);
        assertThat(classOf("01711234567")).isEqualTo(DestinationClass.MOBILE);
        assertThat(classOf("09001234567")).isEqualTo(DestinationClass.PREMIUM);
        assertThat(classOf("00442079460000")).isEqualTo(DestinationClass.INTERNATIONAL);
        assertThat(classOf("+8816123456")).isEqualTo(DestinationClass.SATELLITE);
        assertThat(classOf("+97912345678")).isEqualTo(DestinationClass.PREMIUM);
        assertThat(classOf("0025261234567")).isEqualTo(DestinationClass.HIGH_RISK);
        assertThat(classOf("5551234")).isEqualTo(DestinationClass.LOCAL);
    }

    @Test
    void prefixFilesReportBadLinesAndKeepGoodOnes() throws Exception {
        DestinationClassifier custom = DestinationClassifier.withDefaults("49", Map.of());
        var problems = custom.load(new ByteArrayInputStream(("# ours\n4412\tPREMIUM\nabc\tMOBILE\n4413 NOPE\n")
                .getBytes(StandardCharsets.UTF_8)), "extra.tsv");
        assertThat(problems).containsExactly("extra.tsv:3: prefix 'abc' must be digits",
                "extra.tsv:4: No enum constant org.edgesbc.policy.fraud.DestinationClass.NOPE");
        assertThat(custom.classify(normalizer.normalize("+44121234"))).isEqualTo(DestinationClass.PREMIUM);
    }

    @Test
    void defaultsBlockInternationalAndPremiumButNeverEmergency() {
        FraudGuard guard = new FraudGuard(normalizer, classifier, FraudRules.DEFAULT, Map.of(), 100, clock::nanos,
                RateTable.FREE, java.time.Clock.systemUTC());
        assertThat(guard.checkNewCall("200", "00252612345678").rule()).isEqualTo(FraudGuard.Rule.DESTINATION_CLASS);
        assertThat(guard.checkNewCall("200", "09001234567").rule()).isEqualTo(FraudGuard.Rule.DESTINATION_CLASS);
        assertThat(guard.checkNewCall("200", "+442079460000").rule()).isEqualTo(FraudGuard.Rule.DESTINATION_CLASS);
        assertThat(guard.checkNewCall("200", "112").allowed()).isTrue();
        assertThat(guard.checkNewCall("200", "0891234567").allowed()).isTrue();
    }

    @Test
    void prefixListsAndCallingWindowsPerAccount() {
        FraudRules office = new FraudRules(Set.of(DestinationClass.NATIONAL, DestinationClass.LOCAL), 5, 60, 0, 0,
                Set.of("4420"), Set.of("4989"), java.util.EnumSet.range(java.time.DayOfWeek.MONDAY,
                        java.time.DayOfWeek.FRIDAY), java.time.LocalTime.of(8, 0), java.time.LocalTime.of(18, 0),
                Map.of(), null);
        java.time.Clock wednesdayNoon = java.time.Clock.fixed(java.time.Instant.parse("2026-11-18T12:00:00Z"),
                java.time.ZoneOffset.UTC);
        FraudGuard guard = new FraudGuard(normalizer, classifier, office, Map.of(), 100, clock::nanos, RateTable.FREE,
                wednesdayNoon);
        assertThat(guard.checkNewCall("400", "00442079460000").allowed()).as("allowed prefix abroad").isTrue();
        assertThat(guard.checkNewCall("400", "0891234567").rule()).isEqualTo(FraudGuard.Rule.BLOCKED_PREFIX);
        assertThat(guard.checkNewCall("400", "0301234567").allowed()).isTrue();
        FraudGuard sunday = new FraudGuard(normalizer, classifier, office, Map.of(), 100, clock::nanos,
                RateTable.FREE, java.time.Clock.fixed(java.time.Instant.parse("2026-11-22T12:00:00Z"),
                        java.time.ZoneOffset.UTC));
        assertThat(sunday.checkNewCall("400", "0301234567").rule()).isEqualTo(FraudGuard.Rule.TIME_WINDOW);
        assertThat(sunday.checkNewCall("400", "112").allowed()).as("emergency at any time").isTrue();
    }

    @Test
    void capsPerDestinationClass() {
        FraudRules rules = new FraudRules(Set.of(DestinationClass.NATIONAL, DestinationClass.MOBILE), 10, 60, 0, 0,
                Set.of(), Set.of(), java.util.EnumSet.allOf(java.time.DayOfWeek.class), java.time.LocalTime.MIDNIGHT,
                java.time.LocalTime.MIDNIGHT, Map.of(DestinationClass.MOBILE, 1), Duration.ofMinutes(30));
        FraudGuard guard = new FraudGuard(normalizer, classifier, rules, Map.of(), 100, clock::nanos, RateTable.FREE,
                java.time.Clock.systemUTC());
        FraudGuard.Decision mobile = guard.checkNewCall("500", "01711234567");
        assertThat(mobile.allowed()).isTrue();
        assertThat(guard.checkNewCall("500", "01711234568").rule()).isEqualTo(FraudGuard.Rule.CLASS_CAP);
        assertThat(guard.checkNewCall("500", "0891234567").allowed()).as("other classes unaffected").isTrue();
        guard.callEnded(mobile, null);
        assertThat(guard.checkNewCall("500", "01711234569").allowed()).isTrue();
        assertThat(guard.maxCallDuration("500")).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void anomalyBaselinesSurviveARestart() {
        AnomalyDetector detector = new AnomalyDetector(10, 10, 20, java.time.ZoneOffset.UTC);
        java.time.Instant when = java.time.Instant.parse("2026-11-16T09:00:00Z");
        detector.observe("600", "442079460000", true, when);
        AnomalyDetector restarted = new AnomalyDetector(10, 10, 20, java.time.ZoneOffset.UTC);
        assertThat(restarted.restore(detector.snapshot())).isEmpty();
        assertThat(restarted.observe("600", "442079460001", true, when.plusSeconds(60))).as("country already known")
                .isEmpty();
        assertThat(restarted.restore(java.util.List.of("broken"))).hasSize(1);
    }

    @Test
    void concurrentCapAndCallRateHoldPerAccount() {
        FraudRules tight = new FraudRules(Set.of(DestinationClass.NATIONAL, DestinationClass.LOCAL), 2, 3);
        FraudGuard guard = new FraudGuard(normalizer, classifier, FraudRules.DEFAULT, Map.of("201", tight), 100,
                clock::nanos, RateTable.FREE, java.time.Clock.systemUTC());
        FraudGuard.Decision first = guard.checkNewCall("201", "0891");
        FraudGuard.Decision second = guard.checkNewCall("201", "0892");
        FraudGuard.Decision third = guard.checkNewCall("201", "0893");
        assertThat(third.rule()).isEqualTo(FraudGuard.Rule.CONCURRENT_CALLS);
        assertThat(third.limit()).isEqualTo(2);
        assertThat(guard.checkNewCall("201", "112").allowed()).as("emergency passes any cap").isTrue();
        guard.callEnded(first, null);
        assertThat(guard.liveCalls("201")).isEqualTo(1);
        assertThat(guard.checkNewCall("201", "0894").rule()).as("three calls per minute used up")
                .isEqualTo(FraudGuard.Rule.CALL_RATE);
        clock.advance(Duration.ofSeconds(20));
        assertThat(guard.checkNewCall("201", "0895").allowed()).isTrue();
        guard.callEnded(second, null);
        assertThat(guard.liveCalls("202")).isZero();
    }

    @Test
    void aHoldLastsItsLengthWhenTheWallClockStepsForwardOrBackAndAcrossARestart() {
        FraudRules national = new FraudRules(Set.of(DestinationClass.NATIONAL), 5, 60, 0, 0);
        java.time.Clock wall = clock.withZone(java.time.ZoneOffset.UTC);
        FraudGuard guard = new FraudGuard(normalizer, classifier, national, Map.of(), 100, clock::nanos,
                RateTable.FREE, wall);
        FraudGuard.Hold hold = guard.hold("400", "spend cap reached", clock.instant().plus(Duration.ofHours(1)));
        clock.stepWall(Duration.ofHours(2));
        assertThat(guard.checkNewCall("400", "0891234567").rule()).as("a step forward lifts nothing")
                .isEqualTo(FraudGuard.Rule.HOLD);
        assertThat(guard.inspect("400").hold().expires()).as("shown with the wall instant it now ends at")
                .isEqualTo(hold.expires().plus(Duration.ofHours(2)));

        FraudGuard restarted = new FraudGuard(normalizer, classifier, national, Map.of(), 100, clock::nanos,
                RateTable.FREE, wall);
        assertThat(restarted.restore(guard.snapshot())).isEmpty();
        clock.stepWall(Duration.ofHours(-5));
        clock.advance(Duration.ofMinutes(59));
        assertThat(restarted.checkNewCall("400", "0891234567").rule()).isEqualTo(FraudGuard.Rule.HOLD);
        clock.advance(Duration.ofMinutes(1));
        assertThat(restarted.checkNewCall("400", "0891234567").allowed()).as("a step back stretches nothing")
                .isTrue();
        assertThat(restarted.inspect("400").hold()).isNull();
    }

    @Test
    void aThrottleLastsItsLengthWhenTheWallClockStepsForwardOrBack() {
        FraudRules national = new FraudRules(Set.of(DestinationClass.NATIONAL), 100, 600, 0, 0);
        FraudGuard guard = new FraudGuard(normalizer, classifier, national, Map.of(), 100, clock::nanos,
                RateTable.FREE, clock.withZone(java.time.ZoneOffset.UTC));
        guard.throttle("500", 1, clock.instant().plus(Duration.ofMinutes(10)));
        assertThat(guard.checkNewCall("500", "0891234567").allowed()).as("the throttle's one call a minute").isTrue();
        clock.stepWall(Duration.ofHours(1));
        assertThat(guard.checkNewCall("500", "0891234568").rule()).as("a step forward lifts nothing")
                .isEqualTo(FraudGuard.Rule.THROTTLED);
        clock.stepWall(Duration.ofHours(-3));
        clock.advance(Duration.ofMinutes(9));
        assertThat(guard.checkNewCall("500", "0891234569").allowed()).isTrue();
        assertThat(guard.checkNewCall("500", "0891234570").rule()).as("still throttled after 9 of its 10 minutes")
                .isEqualTo(FraudGuard.Rule.THROTTLED);
        clock.advance(Duration.ofMinutes(1));
        for (int i = 0; i < 3; i++) {
            assertThat(guard.checkNewCall("500", "089123458" + i).allowed()).as("a step back stretches nothing")
                    .isTrue();
        }
    }

    @Test
    void replacedRulesDecideTheNextCallWhileLiveCallsStayCounted() {
        FraudRules one = new FraudRules(Set.of(DestinationClass.NATIONAL), 1, 60, 0, 0);
        FraudGuard guard = new FraudGuard(normalizer, classifier, one, Map.of(), 100, clock::nanos,
                new RateTable(Map.of(), 0), java.time.Clock.systemUTC());
        FraudGuard.Decision first = guard.checkNewCall("300", "0891234567");
        assertThat(first.allowed()).isTrue();
        assertThat(guard.checkNewCall("300", "0891234568").rule()).isEqualTo(FraudGuard.Rule.CONCURRENT_CALLS);

        FraudRules two = new FraudRules(Set.of(DestinationClass.NATIONAL), 2, 60, 0, 0);
        guard.replaceRules(new FraudGuard.Rules(normalizer, classifier, one, Map.of("300", two),
                new RateTable(Map.of(), 0)));
        assertThat(guard.liveCalls("300")).as("the call up before the reload still counts").isOne();
        FraudGuard.Decision second = guard.checkNewCall("300", "0891234568");
        assertThat(second.allowed()).isTrue();
        assertThat(guard.checkNewCall("300", "0891234569").rule()).isEqualTo(FraudGuard.Rule.CONCURRENT_CALLS);
        guard.callEnded(first, null);
        guard.callEnded(second, null);
        assertThat(guard.liveCalls("300")).isZero();
    }
}
