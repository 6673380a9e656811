package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.edgesbc.transport.NewCallRate.Congestion;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NewCallRateTest {
    private static final long MS = 1_000_000L;
    private long now = 1_000_000 * MS;
    private NewCallRate rate;

    @BeforeEach
    void warmedUp() {
        rate = new NewCallRate(now);
        assertThat(offer(1_000, NewCallRate.WARM_UP_CALLS * 1_000L / 1_000, Congestion.NONE))
                .isEqualTo(NewCallRate.WARM_UP_CALLS);
    }

    /** Offers calls evenly spaced at {@code perSecond} for {@code millis}; returns how many were let in. */
    private int offer(int perSecond, long millis, Congestion congestion) {
        long calls = perSecond * millis / 1_000;
        long gap = 1_000 * MS / perSecond;
        int admitted = 0;
        for (long i = 0; i < calls; i++) {
            if (rate.admit(now, congestion)) {
                admitted++;
            }
            now += gap;
        }
        return admitted;
    }

    /**
     * Offers calls evenly spaced at {@code perSecond} for {@code millis}, every {@code shedEvery}th of them shed for
     * a backlog, the others not; returns how many of those were let in.
     */
    private int offerSheddingSome(int perSecond, long millis, int shedEvery) {
        long calls = perSecond * millis / 1_000;
        long gap = 1_000 * MS / perSecond;
        int admitted = 0;
        for (long i = 0; i < calls; i++) {
            boolean shed = i % shedEvery == 0;
            if (rate.admit(now, shed ? Congestion.SHEDDING : Congestion.NONE) && !shed) {
                admitted++;
            }
            now += gap;
        }
        return admitted;
    }

    /** Three windows in a row that shed every call offered at {@code perSecond}: the limit this sets. */
    private double limitSetBy(int perSecond) {
        offer(perSecond, 300, Congestion.SHEDDING);
        offer(perSecond, 1, Congestion.NONE);
        return rate.limitPerSecond();
    }

    @Test
    void lateWindowsAloneNeverSetALimit() {
        assertThat(offer(5_000, 2_000, Congestion.LATE)).isEqualTo(10_000);
        assertThat(rate.limitPerSecond()).isInfinite();
    }

    @Test
    void threeWindowsInARowThatShedSetTheLimitJustBelowTheRateTheSocketLetInOverThem() {
        offerSheddingSome(8_000, 200, 4);
        offer(8_000, 200, Congestion.NONE);
        assertThat(rate.limitPerSecond()).as("two windows in a row").isInfinite();
        offerSheddingSome(8_000, 400, 4);
        // A quarter shed, three quarters let in: 6,000 of the 8,000 calls offered per second.
        assertThat(rate.limitPerSecond()).isCloseTo(6_000 * NewCallRate.DECREASE, within(100.0));
        // A limit in force lets in its rate of what is offered beyond it, and rises by 2 % each window while it
        // refuses calls without congestion: 5,400/s × 0.1 s × (1 + 1.02 + 1.02² + 1.02³ + 1.02⁴) of 8,000 offered.
        assertThat(offer(16_000, 500, Congestion.NONE)).isBetween(2_760, 2_860);
        assertThat(rate.limitPerSecond()).isCloseTo(5_400 * Math.pow(1 + NewCallRate.INCREASE, 4), within(10.0));
    }

    @Test
    void windowsThatShedAlmostEveryCallSetTheFirstLimitAtHalfTheRateOffered() {
        assertThat(limitSetBy(10_000)).isCloseTo(10_000 * NewCallRate.FIRST_LIMIT_FLOOR * NewCallRate.DECREASE,
                within(100.0));
    }

    @Test
    void afterSecondsCarriedWithoutCongestionTheFirstLimitIsJustBelowThatRate() {
        offer(6_000, 3_000, Congestion.NONE);
        // A pause: the queue it left sheds every new call for three windows while it drains. The rate carried, 6,000,
        // faded over those three windows.
        assertThat(limitSetBy(6_000)).isCloseTo(6_000 * Math.pow(0.5, 0.3 / 5) * NewCallRate.DECREASE,
                within(30.0));
    }

    @Test
    void theMemoryOfTheRateCarriedFadesByHalfIn5Seconds() {
        offer(6_000, 3_000, Congestion.NONE);
        offer(6_000, 2_500, Congestion.LATE);
        // 25 late windows and the 3 that shed: 6,000 × 0.5^(28/50), above the floor of half the rate offered.
        assertThat(limitSetBy(6_000)).isCloseTo(6_000 * Math.pow(0.5, 28 / 50.0) * NewCallRate.DECREASE,
                within(60.0));
    }

    @Test
    void theMemoryFadesOverIdleTimeToo() {
        offer(6_000, 3_000, Congestion.NONE);
        now += 2_500 * MS;
        // 2.5 s without a call and the 0.3 s that shed: 6,000 × 0.5^(2.8/5), above half the rate offered.
        assertThat(limitSetBy(6_000)).isCloseTo(6_000 * Math.pow(0.5, 2.8 / 5) * NewCallRate.DECREASE,
                within(60.0));
    }

    @Test
    void aRateCarriedForLessThanASecondIsNotRemembered() {
        offer(6_000, 100, Congestion.LATE);
        offer(6_000, 900, Congestion.NONE);
        assertThat(limitSetBy(6_000)).as("half the rate offered").isCloseTo(6_000 * NewCallRate.FIRST_LIMIT_FLOOR
                * NewCallRate.DECREASE, within(30.0));
    }

    @Test
    void lateWindowsLowerALimitInForceAtMostEveryOtherWindow() {
        double set = limitSetBy(10_000);
        assertThat(set).isCloseTo(4_500, within(100.0));
        offer(10_000, 400, Congestion.LATE);
        // Four late windows after the one that set it: lowered twice, at windows 2 and 4.
        assertThat(rate.limitPerSecond()).isLessThan(set * NewCallRate.DECREASE)
                .isGreaterThan(set * NewCallRate.DECREASE * NewCallRate.DECREASE * NewCallRate.DECREASE);
    }

    @Test
    void lateWindowsInWhichFewNewCallsCameLeaveTheLimitAsItWas() {
        double set = limitSetBy(5_000);
        assertThat(set).isCloseTo(2_250, within(50.0));
        // Behind for other messages (an overload's retransmissions and BYEs), with new calls at a fifth of the limit.
        assertThat(offer(900, 1_000, Congestion.LATE)).isEqualTo(900);
        assertThat(rate.limitPerSecond()).isEqualTo(set);
        offer(4_000, 400, Congestion.LATE);
        assertThat(rate.limitPerSecond()).as("new calls at most of the limit").isLessThan(set * NewCallRate.DECREASE);
    }

    @Test
    void uncongestedWindowsThatRefusedCallsRaiseTheLimit() {
        double set = limitSetBy(5_000);
        offer(20_000, 1_000, Congestion.NONE);
        assertThat(rate.limitPerSecond()).as("ten windows, each refusing some").isCloseTo(
                set * Math.pow(1 + NewCallRate.INCREASE, 10), within(set * 0.03));
    }

    @Test
    void aLimitThatRefusesNothingForAWhileIsLifted() {
        assertThat(limitSetBy(5_000)).isFinite();
        offer(1_000, NewCallRate.RELEASE_NANOS / MS - 500, Congestion.NONE);
        assertThat(rate.limitPerSecond()).as("not yet").isFinite();
        offer(1_000, 1_000, Congestion.NONE);
        assertThat(rate.limitPerSecond()).isInfinite();
    }

    @Test
    void otherThreadsSeeTheLimitAsOfTheLastWindowAndNoneOnceItWouldBeLifted() {
        assertThat(rate.limitInForce(now)).as("no limit").isZero();
        offer(10_000, 300, Congestion.SHEDDING);
        assertThat(rate.limitInForce(now)).as("set in the window not yet rolled").isZero();
        offer(10_000, 1, Congestion.NONE);
        double set = rate.limitPerSecond();
        assertThat(set).isFinite();
        assertThat(rate.limitInForce(now)).isEqualTo(set);
        offer(20_000, 300, Congestion.NONE);
        assertThat(rate.limitInForce(now)).as("raised while it refuses calls").isEqualTo(rate.limitPerSecond())
                .isGreaterThan(set);
        now += NewCallRate.RELEASE_NANOS - 200 * MS;
        assertThat(rate.limitInForce(now)).as("no new call since: still in force").isPositive();
        now += 200 * MS;
        assertThat(rate.limitInForce(now)).as("the next new call would lift it").isZero();
        assertThat(rate.limitPerSecond()).isFinite();
        rate.admit(now, Congestion.NONE);
        assertThat(rate.limitPerSecond()).isInfinite();
        assertThat(rate.limitInForce(now)).isZero();
    }

    @Test
    void aLimitIsLiftedAfterAPauseEvenIfTheWindowBeforeItRefusedCalls() {
        offer(5_000, 300, Congestion.SHEDDING);
        offer(20_000, 50, Congestion.NONE);
        assertThat(rate.limitPerSecond()).isFinite();
        now += NewCallRate.RELEASE_NANOS + 1_000 * MS;
        assertThat(rate.admit(now, Congestion.NONE)).as("the first call after the pause").isTrue();
        assertThat(rate.limitPerSecond()).isInfinite();
    }

    @Test
    void noLimitIsSetWhileTheSocketWarmsUpNorFromAWindowOfFewCallsOrAfterAPause() {
        NewCallRate cold = new NewCallRate(now);
        rate = cold;
        assertThat(offer(8_000, 200, Congestion.SHEDDING)).as("1,600 calls: still warming up").isEqualTo(1_600);
        offer(1_000, 400, Congestion.NONE);
        assertThat(rate.limitPerSecond()).isInfinite();
        offer(50, 1_000, Congestion.SHEDDING);
        assertThat(rate.limitPerSecond()).as("5 calls per window").isInfinite();
        now += 100 * MS;
        rate.admit(now, Congestion.NONE);
        for (int i = 0; i < NewCallRate.MIN_CALLS_PER_WINDOW; i++) {
            rate.admit(now, Congestion.SHEDDING);
        }
        now += 3_000 * MS;
        rate.admit(now, Congestion.NONE);
        assertThat(rate.limitPerSecond()).as("a window that ran 3 s").isInfinite();
    }
}
