package org.edgesbc.policy.fraud;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgesbc.policy.ManualClock;
import org.edgesbc.policy.ban.Ban;
import org.edgesbc.policy.cluster.AccountShare;
import org.edgesbc.policy.cluster.ClusterView;
import org.edgesbc.policy.cluster.SharedState;
import org.edgesbc.policy.cluster.SpendGrant;
import org.junit.jupiter.api.Test;

/**
 * Two guards as two nodes of a cluster, each hearing the other's account shares at once: caps and spend count both
 * nodes, and a spend cap reached by both together cuts the calls on both.
 */
class FraudGuardAcrossNodesTest {
    private static final DialPlan GERMANY = new DialPlan("49", "0", "00", Set.of("112"));
    private final ManualClock clock = new ManualClock();
    private final Clock wall = Clock.fixed(Instant.parse("2026-11-18T10:00:00Z"), ZoneOffset.UTC);

    /**
     * One node's view of the other: what the other published last, per account; with {@code taken} set, spend caps
     * are a budget both nodes take from as the shared store's script grants it (at most what is left of the cap),
     * answering at once.
     */
    private static final class Heard implements SharedState {
        final Map<String, AccountShare> shares = new HashMap<>();
        Heard other;
        Map<String, Long> taken;
        final Map<String, SpendGrant> granted = new HashMap<>();

        @Override public SpendGrant spendGrant(String account, String period, long cap, long spent, long ahead) {
            if (taken == null) {
                return null;
            }
            String key = period + ':' + account;
            SpendGrant mine = granted.getOrDefault(key, new SpendGrant(0, false));
            long chunk = Math.max(1, cap / 20);
            if (!mine.exhausted() && mine.grantedMicros() - spent < ahead + chunk / 2 + 1) {
                long want = Math.max(chunk, spent + ahead + chunk - mine.grantedMicros());
                long grant = Math.max(0, Math.min(want, cap - taken.getOrDefault(key, 0L)));
                taken.merge(key, grant, Long::sum);
                mine = new SpendGrant(mine.grantedMicros() + grant, grant < want);
                granted.put(key, mine);
            }
            return mine;
        }

        @Override public void start(Listener listener) { }
        @Override public void banMade(Ban ban) { }
        @Override public void banLifted(InetAddress source) { }
        @Override public void failure(FailureKind kind, InetAddress source, Duration window, int threshold,
                Runnable reached) { }
        @Override public void accountChanged(AccountShare mine) {
            other.shares.put(mine.account(), mine);
        }
        @Override public AccountShare others(String account) {
            return shares.getOrDefault(account, AccountShare.NONE);
        }
        @Override public void listenForHolds(HoldListener listener) { }
        @Override public void holdPlaced(String account, Instant expires) { }
        @Override public void holdReleased(String account) { }
        @Override public void reachableAt(InetSocketAddress sip) { }
        @Override public void bindingsHeld(String aor, Instant expires) { }
        @Override public List<InetSocketAddress> holdersElsewhere(String aor) {
            return List.of();
        }
        @Override public ClusterView view() {
            return new ClusterView("test", ClusterView.StoreState.UP, List.of());
        }
        @Override public void close() { }
    }

    private FraudGuard node(FraudRules rules, Heard shared) {
        return new FraudGuard(new E164Normalizer(GERMANY), DestinationClassifier.withDefaults("49", Map.of()), rules,
                Map.of(), 100, clock::nanos, new RateTable(Map.of("4989", 500_000L), 0), wall, shared);
    }

    /**
     * Two nodes over {@code shared} whose account 300 has a day's spend cap of 1.00, each with one answered call to
     * Munich (0.50 a minute); the cuts of node a's and node b's calls count in {@code cuts[0]} and {@code cuts[1]}.
     */
    private FraudGuard[] oneCallAnsweredOnEach(Heard[] shared, int[] cuts) {
        FraudRules capped = new FraudRules(Set.of(DestinationClass.NATIONAL), 5, 60, 1_000_000, 0);
        FraudGuard a = node(capped, shared[0]);
        FraudGuard b = node(capped, shared[1]);
        a.callAnswered(a.checkNewCall("300", "0891234561"), () -> cuts[0]++);
        b.callAnswered(b.checkNewCall("300", "0891234562"), () -> cuts[1]++);
        return new FraudGuard[] {a, b};
    }

    private static Heard[] pair() {
        Heard a = new Heard();
        Heard b = new Heard();
        a.other = b;
        b.other = a;
        return new Heard[] {a, b};
    }

    @Test
    void aConcurrentCallCapCountsTheCallsOfBothNodes() {
        Heard[] shared = pair();
        FraudRules two = new FraudRules(Set.of(DestinationClass.NATIONAL), 2, 60, 0, 0);
        FraudGuard a = node(two, shared[0]);
        FraudGuard b = node(two, shared[1]);
        FraudGuard.Decision first = a.checkNewCall("300", "0891234561");
        assertThat(first.allowed()).isTrue();
        assertThat(b.checkNewCall("300", "0891234562").allowed()).isTrue();
        FraudGuard.Decision third = a.checkNewCall("300", "0891234563");
        assertThat(third.rule()).isEqualTo(FraudGuard.Rule.CONCURRENT_CALLS);
        assertThat(third.concurrent()).as("both nodes' calls").isEqualTo(2);
        assertThat(b.checkNewCall("300", "0891234564").rule()).isEqualTo(FraudGuard.Rule.CONCURRENT_CALLS);
        assertThat(b.inspect("300").liveCallsAllNodes()).isEqualTo(2);
        assertThat(b.checkNewCall("300", "112").allowed()).as("emergency calls are never capped").isTrue();

        a.callEnded(first, null);
        assertThat(b.checkNewCall("300", "0891234565").allowed()).as("a call ended on the other node frees a slot")
                .isTrue();
    }

    @Test
    void aSpendCapReachedByBothNodesTogetherCutsTheCallsOnBoth() {
        Heard[] shared = pair();
        int[] cuts = new int[2];
        FraudGuard[] nodes = oneCallAnsweredOnEach(shared, cuts);
        FraudGuard a = nodes[0];
        FraudGuard b = nodes[1];
        clock.advance(Duration.ofSeconds(60));
        a.tick(FraudGuardAcrossNodesTest::unexpected);
        b.tick(FraudGuardAcrossNodesTest::unexpected);
        assertThat(cuts[1]).as("node b hears a's half and reaches the cap").isOne();
        a.tick(FraudGuardAcrossNodesTest::unexpected);
        assertThat(cuts[0]).as("node a reaches it at its next tick").isOne();
        assertThat(a.spentToday("300")).as("each node alone spent half the cap").isEqualTo(500_000);
        assertThat(b.spentToday("300")).isEqualTo(500_000);
        assertThat(a.inspect("300").spentTodayAllNodesMicros()).isEqualTo(1_000_000);
        assertThat(a.checkNewCall("300", "0891234563").rule()).isEqualTo(FraudGuard.Rule.SPEND_CAP);
    }

    @Test
    void withASharedBudgetEachNodeCutsWhenItHasSpentItsGrantAndTheGrantsNeverExceedTheCap() {
        Heard[] shared = pair();
        Map<String, Long> taken = new HashMap<>();
        shared[0].taken = taken;
        shared[1].taken = taken;
        int[] cuts = new int[2];
        FraudGuard[] nodes = oneCallAnsweredOnEach(shared, cuts);
        FraudGuard a = nodes[0];
        FraudGuard b = nodes[1];
        assertThat(taken).as("a chunk each at the calls' checks").containsValue(100_000L);

        clock.advance(Duration.ofSeconds(60));
        a.tick(FraudGuardAcrossNodesTest::unexpected);
        b.tick(FraudGuardAcrossNodesTest::unexpected);
        assertThat(cuts[0]).as("a asked first and got enough for its spend and two seconds more").isZero();
        assertThat(cuts[1]).as("b got what was left, less than its spend: it cuts").isOne();
        assertThat(taken).as("together granted the cap, not a micro-unit more").containsValue(1_000_000L);
        assertThat(b.checkNewCall("300", "0891234563").rule()).isEqualTo(FraudGuard.Rule.SPEND_CAP);

        clock.advance(Duration.ofSeconds(1));
        a.tick(FraudGuardAcrossNodesTest::unexpected);
        assertThat(cuts[0]).as("a still has some of its grant").isZero();
        assertThat(a.checkNewCall("300", "0891234564").allowed()).isTrue();
        clock.advance(Duration.ofSeconds(10));
        a.tick(FraudGuardAcrossNodesTest::unexpected);
        assertThat(cuts[0]).as("a has spent its grant and the cap is taken").isOne();
        assertThat(a.spentToday("300") + b.spentToday("300")).as("past the cap by less than a's last ten seconds")
                .isGreaterThanOrEqualTo(1_000_000).isLessThan(1_000_000 + 2 * 500_000 / 6);
    }

    private static void unexpected(FraudGuard.Decision decision, RuntimeException e) {
        throw new AssertionError("a cut failed", e);
    }
}
