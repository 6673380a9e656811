package org.edgesbc.core.registrar;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOffMetrics;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.registrar.PbxRegistrationClient.Answer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registrar and its registration cache toward the PBX, on an embedded event loop whose time, like the
 * registrar's clock, moves only when the test moves it.
 */
class RegistrarTest {
    /** udp 60 s, stream 600 s, min 30 s, jitter 20 %, PBX 3600 s, Flow-Timer 120 s, 100,000 bindings, 10 per AOR. */
    private static final RegistrationConfig CONFIG = new RegistrationConfig(Duration.ofSeconds(60),
            Duration.ofSeconds(600), Duration.ofSeconds(30), 20, Duration.ofSeconds(3600), Duration.ofSeconds(120),
            100_000, 10);

    private EmbeddedChannel channel;
    private ManualClock clock;
    private FakePbx pbx;
    private CountingRegistrarMetrics metrics;
    private Registrar registrar;

    @BeforeEach
    void setUp() {
        start(CONFIG);
    }

    @AfterEach
    void tearDown() {
        stop();
    }

    private void start(RegistrationConfig config) {
        stop();
        channel = new EmbeddedChannel();
        channel.freezeTime();
        clock = new ManualClock(Instant.parse("2025-01-01T00:00:00Z"));
        pbx = new FakePbx();
        metrics = new CountingRegistrarMetrics();
        registrar = new Registrar(config, Set.of("1001", "1002"), channel.eventLoop(),
                new GuardedHandOff(HandOffMetrics.NONE), pbx, metrics, clock,
                new SplittableRandom(1));
        registrar.start();
    }

    private void stop() {
        if (registrar != null) {
            registrar.close();
            channel.finishAndReleaseAll();
            registrar = null;
        }
    }

    // --------------------------------------------------------------------------- first REGISTER and refreshes

    @Test
    void firstRegisterOfAnAorIsAnsweredOnlyAfterThePbxAccepts() {
        TestFlow phone = TestFlow.udp("203.0.113.5", 5060);

        Reply reply = register("1001", 1, 3600, phone);

        assertThat(pbx.sent).singleElement().satisfies(sent -> {
            assertThat(sent.aor()).isEqualTo("1001");
            assertThat(sent.expires()).isEqualTo(3600);
            assertThat(sent.cseq()).isEqualTo(1);
            assertThat(sent.callId()).isEqualTo("pbx-call-1");
        });
        assertThat(reply.answered()).isFalse();
        assertThat(registrar.lookup("1001")).as("no binding before the PBX accepted").isEmpty();

        pbx.last().ok();

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.result().bindings()).singleElement()
                .satisfies(b -> assertThat(b.contact().toString()).isEqualTo("sip:1001@203.0.113.5:5060"));
        assertThat(registrar.lookup("1001")).singleElement().satisfies(b -> assertThat(b.flow()).isSameAs(phone));
        assertThat(registrar.bindings()).isEqualTo(1);
        assertThat(registrar.addressesOfRecord()).isEqualTo(1);
        assertThat(metrics.count("phone.RELAYED")).isEqualTo(1);
        assertThat(metrics.count("pbx.REGISTER")).isEqualTo(1);
        assertThat(pbx.sent).hasSize(1);
    }

    @Test
    void refreshOfARegisteredAorIsAbsorbed() {
        TestFlow phone = TestFlow.udp("203.0.113.5", 5060);
        registerAtPbx("1001", phone);

        Reply refresh = register("1001", 2, 3600, phone);

        assertThat(refresh.status()).isEqualTo(200);
        assertThat(refresh.result().bindings()).hasSize(1);
        assertThat(pbx.sent).hasSize(1);
        assertThat(metrics.count("phone.ABSORBED")).isEqualTo(1);
    }

    @Test
    void aThousandRefreshesFromAHundredAorsCauseAHundredPbxRegisters() {
        List<Reply> replies = new ArrayList<>();
        for (int round = 0; round < 10; round++) {
            for (int i = 0; i < 100; i++) {
                replies.add(register("aor" + i, round + 1, 3600, TestFlow.udp("203.0.113." + i, 5060)));
            }
            if (round == 0) {
                pbx.sent.forEach(Sent::ok);
            }
        }

        assertThat(replies).hasSize(1000).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        assertThat(pbx.sent).hasSize(100);
        assertThat(pbx.sent).extracting(Sent::aor).doesNotHaveDuplicates();
        assertThat(metrics.count("pbx.REGISTER")).isEqualTo(100);
        assertThat(metrics.count("phone.RELAYED")).isEqualTo(100);
        assertThat(metrics.count("phone.ABSORBED")).isEqualTo(900);
        assertThat(registrar.addressesOfRecord()).isEqualTo(100);
    }

    @Test
    void phonesRegisteringWhileThePbxRegisterIsPendingWaitForIt() {
        Reply desk = register("1001", 1, 3600, TestFlow.udp("203.0.113.5", 5060));
        Reply mobile = register("1001", 1, 3600, TestFlow.udp("203.0.113.6", 5060));

        assertThat(pbx.sent).hasSize(1);
        assertThat(desk.answered()).isFalse();
        assertThat(mobile.answered()).isFalse();

        pbx.last().ok();

        assertThat(desk.status()).isEqualTo(200);
        assertThat(mobile.status()).isEqualTo(200);
        assertThat(registrar.lookup("1001")).hasSize(2);
        assertThat(metrics.count("phone.RELAYED")).isEqualTo(2);
    }

    @Test
    void tooManyPhonesWaitingOnOneAorGet503() {
        List<Reply> waiting = new ArrayList<>();
        for (int i = 0; i < Registrar.MAX_WAITING_PER_AOR; i++) {
            waiting.add(register("1001", 1, 3600, TestFlow.udp("203.0.113." + i, 5060)));
        }

        Reply oneTooMany = register("1001", 1, 3600, TestFlow.udp("203.0.113.99", 5060));

        assertThat(oneTooMany.status()).isEqualTo(503);
        assertThat(waiting).noneMatch(Reply::answered);
        assertThat(pbx.sent).hasSize(1);
    }

    @Test
    void queryIsAnsweredWithTheBindingsAndNeverReachesThePbx() {
        TestFlow phone = TestFlow.udp("203.0.113.5", 5060);
        registerAtPbx("1001", phone);

        Reply query = register("1001", "q", 1, phone, List.of());
        Reply emptyQuery = register("1002", "q", 1, phone, List.of());

        assertThat(query.status()).isEqualTo(200);
        assertThat(query.result().bindings()).hasSize(1);
        assertThat(emptyQuery.status()).isEqualTo(200);
        assertThat(emptyQuery.result().bindings()).isEmpty();
        assertThat(pbx.sent).hasSize(1);
    }

    @Test
    void outOfOrderRegisterGets500() {
        TestFlow phone = TestFlow.udp("203.0.113.5", 5060);
        registerAtPbx("1001", phone);
        register("1001", 5, 3600, phone);

        Reply stale = register("1001", 4, 3600, phone);

        assertThat(stale.status()).isEqualTo(500);
        assertThat(metrics.count("phone.REFUSED")).isEqualTo(1);
    }

    @Test
    void flowTimerIsGivenToOutboundPhonesOverStreamsOnly() {
        TestFlow tcp = TestFlow.tcp("203.0.113.5", 40001);
        TestFlow udp = TestFlow.udp("203.0.113.6", 5060);
        registerAtPbx("1001", tcp);

        Reply outboundTcp = registerOutbound("1001", tcp);
        Reply outboundUdp = registerOutbound("1001", udp);

        assertThat(outboundTcp.result().flowTimer()).isEqualTo(120);
        assertThat(outboundUdp.result().flowTimer()).isZero();
        assertThat(register("1001", 9, 3600, tcp).result().flowTimer()).as("without outbound").isZero();
    }

    // ------------------------------------------------------------------------------------------ granted expiry

    @Test
    void grantedExpiryIsCappedPerTransportWithinTheJitterBand() {
        List<Long> udp = new ArrayList<>();
        List<Long> tcp = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            udp.add(granted(registerAtPbx("u" + i, TestFlow.udp("203.0.113." + i, 5060))));
            tcp.add(granted(registerAtPbx("t" + i, TestFlow.tcp("203.0.113." + i, 40000))));
        }

        assertThat(udp).allSatisfy(g -> assertThat(g).isBetween(48L, 60L));
        assertThat(tcp).allSatisfy(g -> assertThat(g).isBetween(480L, 600L));
        assertThat(new HashSet<>(udp)).as("the jitter spreads the expiries").hasSizeGreaterThan(1);
        assertThat(new HashSet<>(tcp)).hasSizeGreaterThan(1);
    }

    @Test
    void aRequestBelowTheCapIsGrantedAsAsked() {
        assertThat(granted(registerAtPbx("1001", 45, TestFlow.udp("203.0.113.5", 5060)))).isEqualTo(45);
        assertThat(granted(registerAtPbx("1002", 300, TestFlow.tcp("203.0.113.6", 40000)))).isEqualTo(300);
    }

    @Test
    void grantedExpiryNeverFallsBelowMinExpires() {
        start(new RegistrationConfig(Duration.ofSeconds(60), Duration.ofSeconds(600), Duration.ofSeconds(30), 80,
                Duration.ofSeconds(3600), Duration.ofSeconds(120), 100_000, 10));
        List<Long> granted = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            granted.add(granted(registerAtPbx("u" + i, TestFlow.udp("203.0.113." + i, 5060))));
        }

        assertThat(granted).allSatisfy(g -> assertThat(g).isBetween(30L, 60L));
        assertThat(granted).as("jitter reaching below min-expires is raised to it").contains(30L);
    }

    @Test
    void whileDrainingEveryTransportIsGrantedAtMostTheDrainLimit() {
        registrar.limitExpiries(Duration.ofSeconds(40));
        List<Long> granted = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            granted.add(granted(registerAtPbx("u" + i, TestFlow.udp("203.0.113." + i, 5060))));
            granted.add(granted(registerAtPbx("t" + i, TestFlow.tcp("203.0.113." + i, 40000))));
        }

        assertThat(granted).as("within the drain limit, never below min-expires")
                .allSatisfy(g -> assertThat(g).isBetween(32L, 40L));
    }

    @Test
    void requestBelowMinExpiresGets423WithMinExpires() {
        Reply reply = register("1001", 1, 10, TestFlow.udp("203.0.113.5", 5060));

        assertThat(reply.status()).isEqualTo(423);
        assertThat(reply.result().minExpires()).isEqualTo(30);
        assertThat(pbx.sent).isEmpty();
        assertThat(registrar.lookup("1001")).isEmpty();
        assertThat(metrics.count("phone.REFUSED")).isEqualTo(1);
    }

    // --------------------------------------------------------------------------------------- PBX refusals

    @Test
    void pbxRefusalIsPassedToThePhoneAndLeavesNoBinding() {
        Reply reply = register("1001", 1, 3600, TestFlow.udp("203.0.113.5", 5060));

        pbx.last().answer(new Answer(404, 0, 0));

        assertThat(reply.status()).isEqualTo(404);
        assertThat(registrar.lookup("1001")).isEmpty();
        assertThat(registrar.bindings()).isZero();
        assertThat(metrics.count("pbx.failure")).isEqualTo(1);
        assertThat(metrics.count("phone.REFUSED")).isEqualTo(1);

        register("1001", 2, 3600, TestFlow.udp("203.0.113.5", 5060));
        assertThat(pbx.sent).as("the next REGISTER tries the PBX again, in a new registration").hasSize(2);
        assertThat(pbx.last().callId()).isNotEqualTo(pbx.sent.get(0).callId());
    }

    @Test
    void pbxChallengeBecomes403() {
        Reply reply = register("1001", 1, 3600, TestFlow.udp("203.0.113.5", 5060));

        pbx.last().answer(new Answer(401, 0, 0));

        assertThat(reply.status()).isEqualTo(403);
        assertThat(registrar.lookup("1001")).isEmpty();
    }

    @Test
    void pbxProxyChallengeBecomes403() {
        Reply reply = register("1001", 1, 3600, TestFlow.udp("203.0.113.5", 5060));

        pbx.last().answer(new Answer(407, 0, 0));

        assertThat(reply.status()).isEqualTo(403);
    }

    @Test
    void pbxTimeoutBecomes408() {
        Reply reply = register("1001", 1, 3600, TestFlow.udp("203.0.113.5", 5060));

        pbx.last().answer(Answer.TIMEOUT);

        assertThat(reply.status()).isEqualTo(408);
        assertThat(registrar.lookup("1001")).isEmpty();
        assertThat(metrics.count("pbx.failure")).isEqualTo(1);
    }

    @Test
    void pbx423WithLongerMinExpiresIsRetriedWithIt() {
        Reply reply = register("1001", 1, 3600, TestFlow.udp("203.0.113.5", 5060));
        Sent first = pbx.last();

        first.answer(new Answer(423, 0, 7200));

        assertThat(reply.answered()).isFalse();
        assertThat(pbx.sent).hasSize(2);
        Sent retry = pbx.last();
        assertThat(retry.expires()).isEqualTo(7200);
        assertThat(retry.callId()).isEqualTo(first.callId());
        assertThat(retry.fromTag()).isEqualTo(first.fromTag());
        assertThat(retry.cseq()).isEqualTo(first.cseq() + 1);

        retry.ok();

        assertThat(reply.status()).isEqualTo(200);
        assertThat(registrar.lookup("1001")).hasSize(1);
    }

    @Test
    void pbx423WithoutALongerMinExpiresIsNotRetried() {
        Reply reply = register("1001", 1, 3600, TestFlow.udp("203.0.113.5", 5060));

        pbx.last().answer(new Answer(423, 0, 1800));

        assertThat(pbx.sent).hasSize(1);
        assertThat(reply.answered()).isTrue();
        assertThat(reply.status()).as("the phone's interval was fine: a 423 without Min-Expires would be wrong")
                .isEqualTo(500);
    }

    // ---------------------------------------------------------------------------------------- de-registration

    @Test
    void deregisteringTheLastContactDeregistersAtThePbx() {
        TestFlow phone = TestFlow.udp("203.0.113.5", 5060);
        registerAtPbx("1001", phone);

        Reply reply = register("1001", 2, 0, phone);

        assertThat(reply.status()).isEqualTo(200);
        assertThat(reply.result().bindings()).isEmpty();
        assertThat(registrar.lookup("1001")).isEmpty();
        assertThat(pbx.sent).hasSize(2);
        Sent deregister = pbx.last();
        assertThat(deregister.expires()).isZero();
        assertThat(deregister.callId()).isEqualTo(pbx.sent.get(0).callId());
        assertThat(deregister.cseq()).isEqualTo(2);
        assertThat(metrics.count("pbx.DEREGISTER")).isEqualTo(1);
        assertThat(metrics.count("dropped.DEREGISTERED")).isEqualTo(1);
        assertThat(metrics.count("phone.ABSORBED")).isEqualTo(1);
    }

    @Test
    void deregisteringOneOfTwoContactsKeepsThePbxRegistration() {
        TestFlow desk = TestFlow.udp("203.0.113.5", 5060);
        TestFlow mobile = TestFlow.udp("203.0.113.6", 5060);
        registerAtPbx("1001", desk);
        register("1001", 1, 3600, mobile);

        register("1001", 2, 0, desk);

        assertThat(registrar.lookup("1001")).extracting(Binding::flow).containsExactly(mobile);
        assertThat(pbx.sent).hasSize(1);
    }

    @Test
    void wildcardDeregistersAtThePbx() {
        TestFlow phone = TestFlow.udp("203.0.113.5", 5060);
        registerAtPbx("1001", phone);
        register("1001", 1, 3600, TestFlow.udp("203.0.113.6", 5060));

        RegisterRequest wildcard = new RegisterRequest("1001", "call-1001-203.0.113.5:5060", 2, true, List.of(),
                false, phone, "access");
        Reply reply = new Reply();
        registrar.register(wildcard, reply);
        channel.runPendingTasks();

        assertThat(reply.status()).isEqualTo(200);
        assertThat(registrar.lookup("1001")).isEmpty();
        assertThat(pbx.last().expires()).isZero();
        assertThat(metrics.count("dropped.DEREGISTERED")).isEqualTo(2);
    }

    @Test
    void aNewRegisterAfterDeregistrationRegistersAtThePbxAgain() {
        TestFlow phone = TestFlow.udp("203.0.113.5", 5060);
        registerAtPbx("1001", phone);
        register("1001", 2, 0, phone);

        Reply again = register("1001", 3, 3600, phone);

        assertThat(again.answered()).isFalse();
        assertThat(pbx.sent).hasSize(3);
        assertThat(pbx.last().expires()).isEqualTo(3600);
        pbx.last().ok();
        assertThat(again.status()).isEqualTo(200);
    }

    @Test
    void expiryOfTheLastBindingDeregistersAtThePbx() {
        long granted = granted(registerAtPbx("1001", TestFlow.udp("203.0.113.5", 5060)));

        advance(Duration.ofSeconds(granted - 1));
        assertThat(registrar.lookup("1001")).hasSize(1);
        assertThat(pbx.sent).hasSize(1);

        advance(Duration.ofSeconds(1));

        assertThat(registrar.lookup("1001")).isEmpty();
        assertThat(registrar.bindings()).isZero();
        assertThat(pbx.sent).hasSize(2);
        assertThat(pbx.last().expires()).isZero();
        assertThat(metrics.count("dropped.EXPIRED")).isEqualTo(1);
        assertThat(metrics.count("pbx.DEREGISTER")).isEqualTo(1);
    }

    @Test
    void expiryOfOneOfTwoBindingsKeepsThePbxRegistration() {
        registerAtPbx("1001", 45, TestFlow.udp("203.0.113.5", 5060));
        register("1001", 1, 3600, TestFlow.tcp("203.0.113.6", 40000));

        advance(Duration.ofSeconds(45));

        assertThat(registrar.lookup("1001")).hasSize(1);
        assertThat(metrics.count("dropped.EXPIRED")).isEqualTo(1);
        assertThat(pbx.sent).hasSize(1);
    }

    @Test
    void adminRemovalDeregistersAtThePbx() throws Exception {
        registerAtPbx("1001", TestFlow.udp("203.0.113.5", 5060));

        Future<Integer> removed = registrar.remove("1001", null);
        channel.runPendingTasks();

        assertThat(removed.get(0, TimeUnit.SECONDS)).isEqualTo(1);
        assertThat(registrar.lookup("1001")).isEmpty();
        assertThat(pbx.last().expires()).isZero();
        assertThat(metrics.count("dropped.ADMIN")).isEqualTo(1);
    }

    // ------------------------------------------------------------------------------- the SBC's own refreshes

    @Test
    void sbcRefreshesThePbxRegistrationAt75To90PercentOfTheGrantedExpiry() {
        TestFlow phone = TestFlow.tcp("203.0.113.5", 40000);
        register("1001", 1, 3600, phone);
        Sent first = pbx.last();
        first.answer(new Answer(200, 100, 0));

        long refreshedAfter = secondsUntilPbxRequest(120);

        assertThat(refreshedAfter).isBetween(75L, 90L);
        Sent refresh = pbx.last();
        assertThat(refresh.expires()).isEqualTo(3600);
        assertThat(refresh.callId()).isEqualTo(first.callId());
        assertThat(refresh.cseq()).isEqualTo(2);
        assertThat(metrics.count("pbx.REFRESH")).isEqualTo(1);
        assertThat(registrar.lookup("1001")).hasSize(1);

        refresh.answer(new Answer(200, 100, 0));

        assertThat(secondsUntilPbxRequest(120)).as("the next refresh is scheduled from the new grant")
                .isBetween(75L, 90L);
        assertThat(metrics.count("pbx.REFRESH")).isEqualTo(2);
    }

    @Test
    void phoneRegistersDuringAnSbcRefreshAreStillAbsorbed() {
        TestFlow phone = TestFlow.tcp("203.0.113.5", 40000);
        register("1001", 1, 3600, phone);
        pbx.last().answer(new Answer(200, 100, 0));
        secondsUntilPbxRequest(120);

        Reply duringRefresh = register("1001", 2, 3600, phone);

        assertThat(duringRefresh.status()).isEqualTo(200);
        assertThat(pbx.sent).hasSize(2);
    }

    @Test
    void noRefreshOnceTheBindingsAreGone() {
        TestFlow phone = TestFlow.tcp("203.0.113.5", 40000);
        register("1001", 1, 3600, phone);
        pbx.last().answer(new Answer(200, 100, 0));
        register("1001", 2, 0, phone);
        assertThat(pbx.sent).hasSize(2);

        advance(Duration.ofSeconds(200));

        assertThat(pbx.sent).hasSize(2);
        assertThat(metrics.count("pbx.REFRESH")).isZero();
    }

    // ---------------------------------------------------------------------------------------- closed flows

    @Test
    void closedTcpFlowDropsItsBindingsAndDeregisters() {
        TestFlow tcp = TestFlow.tcp("203.0.113.5", 40000);
        registerAtPbx("1001", tcp);
        register("1001", 2, 3600, tcp);
        assertThat(tcp.closeRegistrations()).as("each connection is watched once").isEqualTo(1);

        tcp.close();
        assertThat(registrar.lookup("1001")).as("the close is handed to the registrar's thread").hasSize(1);
        channel.runPendingTasks();

        assertThat(registrar.lookup("1001")).isEmpty();
        assertThat(metrics.count("dropped.FLOW_CLOSED")).isEqualTo(1);
        assertThat(pbx.sent).hasSize(2);
        assertThat(pbx.last().expires()).isZero();
    }

    @Test
    void closedTcpFlowLeavesTheAorsOtherBindings() {
        TestFlow tcp = TestFlow.tcp("203.0.113.5", 40000);
        TestFlow udp = TestFlow.udp("203.0.113.6", 5060);
        registerAtPbx("1001", tcp);
        register("1001", 1, 3600, udp);
        registerAtPbx("1002", TestFlow.udp("203.0.113.7", 5060));

        tcp.close();
        channel.runPendingTasks();

        assertThat(registrar.lookup("1001")).extracting(Binding::flow).containsExactly(udp);
        assertThat(registrar.lookup("1002")).hasSize(1);
        assertThat(pbx.sent).extracting(Sent::expires).doesNotContain(0L);
        assertThat(udp.closeRegistrations()).isZero();
    }

    @Test
    void aConnectionClosedBeforeTheRegistrarWatchedItDropsItsBindingsAtOnce() {
        TestFlow tcp = TestFlow.tcp("203.0.113.5", 40000);
        Reply reply = register("1001", 1, 3600, tcp);
        tcp.close();

        pbx.last().ok();
        channel.runPendingTasks();

        assertThat(reply.status()).isEqualTo(200);
        assertThat(registrar.lookup("1001")).isEmpty();
        assertThat(metrics.count("dropped.FLOW_CLOSED")).isEqualTo(1);
        assertThat(pbx.last().expires()).isZero();
    }

    // ------------------------------------------------------------------- refusals after the PBX accepted

    @Test
    void aorRefusedForTooManyContactsAfterThePbxAcceptedIsDeregisteredAtThePbx() {
        start(new RegistrationConfig(Duration.ofSeconds(60), Duration.ofSeconds(600), Duration.ofSeconds(30), 20,
                Duration.ofSeconds(3600), Duration.ofSeconds(120), 100_000, 1));
        TestFlow phone = TestFlow.udp("203.0.113.5", 5060);
        Reply reply = register("1001", "c1", 1, phone, List.of(contact("sip:1001@203.0.113.5:5060", 3600),
                contact("sip:1001@203.0.113.5:5070", 3600)));

        pbx.last().ok();

        assertThat(reply.status()).isEqualTo(403);
        assertThat(registrar.lookup("1001")).isEmpty();
        assertThat(pbx.sent).as("the SBC does not leave an AOR without phones registered at the PBX").hasSize(2);
        assertThat(pbx.last().expires()).isZero();

        Reply next = register("1001", "c1", 2, phone, List.of(contact("sip:1001@203.0.113.5:5060", 3600)));
        assertThat(next.answered()).as("a later REGISTER registers the AOR at the PBX again").isFalse();
        assertThat(pbx.last().expires()).isEqualTo(3600);
    }

    @Test
    void aorRefusedForAFullTableAfterThePbxAcceptedIsDeregisteredAtThePbx() {
        start(new RegistrationConfig(Duration.ofSeconds(60), Duration.ofSeconds(600), Duration.ofSeconds(30), 20,
                Duration.ofSeconds(3600), Duration.ofSeconds(120), 1, 10));
        registerAtPbx("1001", TestFlow.udp("203.0.113.5", 5060));

        Reply reply = register("1002", 1, 3600, TestFlow.udp("203.0.113.6", 5060));
        pbx.last().ok();

        assertThat(reply.status()).isEqualTo(503);
        assertThat(registrar.lookup("1002")).isEmpty();
        assertThat(pbx.sent).extracting(Sent::aor, Sent::expires).containsExactly(
                org.assertj.core.groups.Tuple.tuple("1001", 3600L),
                org.assertj.core.groups.Tuple.tuple("1002", 3600L),
                org.assertj.core.groups.Tuple.tuple("1002", 0L));
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /** A phone REGISTER of one contact, {@code sip:aor@host:port} of its flow, with a Call-ID per phone. */
    private Reply register(String aor, long cseq, long expires, TestFlow flow) {
        return register(aor, "call-" + aor + "-" + flow.hostPort(), cseq, flow,
                List.of(contact("sip:" + aor + "@" + flow.hostPort(), expires)));
    }

    private Reply register(String aor, String callId, long cseq, TestFlow flow, List<RequestedContact> contacts) {
        return register(new RegisterRequest(aor, callId, cseq, false, contacts, false, flow, "access"));
    }

    private Reply registerOutbound(String aor, TestFlow flow) {
        return register(new RegisterRequest(aor, "outbound-" + flow.hostPort(), 1, false,
                List.of(contact("sip:" + aor + "@" + flow.hostPort(), 3600)), true, flow, "access"));
    }

    private Reply register(RegisterRequest request) {
        Reply reply = new Reply();
        registrar.register(request, reply);
        channel.runPendingTasks();
        return reply;
    }

    /** The first REGISTER of an AOR, accepted by the PBX; returns the phone's 200. */
    private Reply registerAtPbx(String aor, TestFlow flow) {
        return registerAtPbx(aor, 3600, flow);
    }

    private Reply registerAtPbx(String aor, long expires, TestFlow flow) {
        int before = pbx.sent.size();
        Reply reply = register(aor, 1, expires, flow);
        assertThat(pbx.sent).hasSize(before + 1);
        pbx.last().ok();
        assertThat(reply.status()).isEqualTo(200);
        return reply;
    }

    private static long granted(Reply reply) {
        RegisterResult result = reply.result();
        assertThat(result.bindings()).hasSize(1);
        return result.bindings().get(0).secondsLeft(result.now());
    }

    private static RequestedContact contact(String uri, long expires) {
        return BindingTableTest.contact(uri, expires);
    }

    /** Moves the registrar's clock and its event loop's time together, a second at a time. */
    private void advance(Duration duration) {
        for (long s = 0; s < duration.toSeconds(); s++) {
            clock.advance(Duration.ofSeconds(1));
            channel.advanceTimeBy(1, TimeUnit.SECONDS);
            channel.runScheduledPendingTasks();
            channel.runPendingTasks();
        }
    }

    /** Advances a second at a time until the registrar sends the PBX something; returns the seconds it took. */
    private long secondsUntilPbxRequest(long limit) {
        int before = pbx.sent.size();
        for (long s = 1; s <= limit; s++) {
            advance(Duration.ofSeconds(1));
            if (pbx.sent.size() > before) {
                assertThat(pbx.sent).hasSize(before + 1);
                return s;
            }
        }
        throw new AssertionError("nothing sent to the PBX within " + limit + " s");
    }

    // -------------------------------------------------------------------------------------------- fakes

    private static final class ManualClock implements InstantSource {
        private Instant now;

        ManualClock(Instant start) {
            this.now = start;
        }

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    /** One REGISTER the registrar sent the PBX, which the test answers. */
    record Sent(String aor, String callId, String fromTag, long cseq, long expires, Consumer<Answer> callback) {
        void answer(Answer answer) {
            callback.accept(answer);
        }

        /** 200, granting what was asked. */
        void ok() {
            answer(new Answer(200, expires, 0));
        }
    }

    private static final class FakePbx implements PbxRegistrationClient {
        final List<Sent> sent = new ArrayList<>();
        private int calls;
        private int tags;

        @Override
        public String newCallId() {
            return "pbx-call-" + ++calls;
        }

        @Override
        public String newTag() {
            return "pbx-tag-" + ++tags;
        }

        @Override
        public void register(String aor, String callId, String fromTag, long cseq, long expires,
                Consumer<Answer> answer) {
            sent.add(new Sent(aor, callId, fromTag, cseq, expires, answer));
        }

        Sent last() {
            assertThat(sent).isNotEmpty();
            return sent.get(sent.size() - 1);
        }
    }

    /** The registrar's answer to one phone REGISTER; at most one. */
    private static final class Reply implements Consumer<RegisterResult> {
        private RegisterResult result;

        @Override
        public void accept(RegisterResult answer) {
            assertThat(result).as("answered once").isNull();
            result = answer;
        }

        boolean answered() {
            return result != null;
        }

        RegisterResult result() {
            assertThat(result).as("answered").isNotNull();
            return result;
        }

        int status() {
            return result().status();
        }
    }
}
