package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimerWheelTest {
    private static final long TICK = TimerWheel.TICK_NANOS;
    private static final long START = 1_000 * TICK + 3;

    private final List<String> fired = new ArrayList<>();
    private final TimerWheel wheel = new TimerWheel(START, (what, task) -> {
        fired.add(what);
        task.run();
    });

    private ShardTimer set(String what, long delayNanos, long nowNanos) {
        ShardTimer timer = wheel.timer(what, () -> { }, nowNanos, delayNanos);
        wheel.add(timer);
        return timer;
    }

    @Test
    void aTimerFiresOnceItsDelayPassedNeverBefore() {
        set("t1", TimeUnit.MILLISECONDS.toNanos(500), START);
        wheel.advance(START + TimeUnit.MILLISECONDS.toNanos(500) - 1);
        assertThat(fired).isEmpty();
        wheel.advance(START + TimeUnit.MILLISECONDS.toNanos(500) + TICK);
        assertThat(fired).containsExactly("t1");
        wheel.advance(START + TimeUnit.SECONDS.toNanos(60));
        assertThat(fired).containsExactly("t1");
    }

    @Test
    void timersFireInTheOrderOfTheirTicks() {
        set("late", 30 * TICK, START);
        set("early", 2 * TICK, START);
        set("middle", 10 * TICK, START);
        wheel.advance(START + 40 * TICK);
        assertThat(fired).containsExactly("early", "middle", "late");
    }

    @Test
    void aTimerLongerThanATurnWaitsForItsOwnTurn() {
        long delay = TimeUnit.SECONDS.toNanos(32);
        set("timer J", delay, START);
        for (long now = START; now < START + delay - TICK; now += 7 * TICK) {
            wheel.advance(now);
        }
        assertThat(fired).isEmpty();
        wheel.advance(START + delay + TICK);
        assertThat(fired).containsExactly("timer J");
    }

    @Test
    void aCancelledTimerNeverFiresAndLetsGoOfItsTask() {
        ShardTimer cancelled = set("cancelled", 5 * TICK, START);
        set("kept", 5 * TICK, START);
        cancelled.cancel();
        assertThat(cancelled.task).isNull();
        wheel.advance(START + 10 * TICK);
        assertThat(fired).containsExactly("kept");
    }

    @Test
    void aCancelledTimerLeavesTheWheelAtOnceWhereverItIsInItsSlot() {
        ShardTimer first = set("first", 5 * TICK, START);
        ShardTimer middle = set("middle", 5 * TICK, START);
        ShardTimer last = set("last", 5 * TICK + TimeUnit.SECONDS.toNanos(20), START);
        set("elsewhere", 6 * TICK, START);
        assertThat(wheel.size()).isEqualTo(4);
        middle.cancel();
        last.cancel();
        first.cancel();
        first.cancel();
        assertThat(wheel.size()).isEqualTo(1);
        wheel.advance(START + TimeUnit.SECONDS.toNanos(30));
        assertThat(fired).containsExactly("elsewhere");
        assertThat(wheel.size()).isZero();
    }

    @Test
    void aTaskMayCancelAnotherTimerDueAtTheSameTick() {
        ShardTimer[] victim = new ShardTimer[1];
        wheel.add(wheel.timer("canceller", () -> victim[0].cancel(), START, 5 * TICK));
        victim[0] = set("victim", 5 * TICK, START);
        set("bystander", 5 * TICK, START);
        wheel.advance(START + 6 * TICK);
        assertThat(fired).containsExactly("canceller", "bystander");
        assertThat(wheel.size()).isZero();
    }

    @Test
    void aThreadThatStalledPastAWholeTurnFiresEverythingDue() {
        set("a", 3 * TICK, START);
        set("b", TimeUnit.SECONDS.toNanos(5), START);
        set("c", TimeUnit.SECONDS.toNanos(25), START);
        set("not yet", TimeUnit.SECONDS.toNanos(40), START);
        wheel.advance(START + TimeUnit.SECONDS.toNanos(30));
        assertThat(fired).containsExactlyInAnyOrder("a", "b", "c");
        wheel.advance(START + TimeUnit.SECONDS.toNanos(41));
        assertThat(fired).contains("not yet");
    }

    @Test
    void aTimerSetByAFiringTaskIsDueAtALaterTickNotInTheSameWalk() {
        // On a tick's first nanosecond: a zero delay set then is due at the very tick being walked.
        long now = 1_002 * TICK;
        wheel.add(wheel.timer("first", () -> set("zero delay", 0, now), START, TICK));
        wheel.advance(now);
        assertThat(fired).containsExactly("first");
        wheel.advance(now + TICK);
        assertThat(fired).containsExactly("first", "zero delay");
    }

    @Test
    void theNextDueTickIsTheFirstWithATimerDueWithinTheHorizon() {
        assertThat(wheel.nextDueTick(100)).as("an empty wheel").isEqualTo(Long.MAX_VALUE);
        long lastTick = START / TICK;
        ShardTimer cancelled = set("cancelled", 2 * TICK, START);
        set("due", 5 * TICK, START);
        // Due in a later turn, its slot three ticks ahead: not due there.
        set("later turn", (TimerWheel.SLOTS + 3) * TICK, START);
        cancelled.cancel();
        assertThat(wheel.nextDueTick(100)).isEqualTo(lastTick + 6);
        assertThat(wheel.nextDueTick(4)).as("nothing due within the horizon").isEqualTo(lastTick + 4);
        wheel.advance(START + 6 * TICK);
        assertThat(fired).containsExactly("due");
        assertThat(wheel.nextDueTick(100)).as("only the later turn's timer left").isEqualTo(lastTick + 6 + 100);
    }

    @Test
    void aTimerAlreadyDueIsDueAtTheNextTickNotLookedAt() {
        wheel.advance(START + 10 * TICK);
        ShardTimer overdue = wheel.timer("overdue", () -> { }, START, TICK);
        assertThat(wheel.add(overdue)).isEqualTo(START / TICK + 11);
        ShardTimer cancelledFirst = wheel.timer("cancelled first", () -> { }, START, TICK);
        cancelledFirst.cancel();
        assertThat(wheel.add(cancelledFirst)).as("left out").isEqualTo(Long.MAX_VALUE);
        assertThat(wheel.size()).isEqualTo(1);
        assertThat(wheel.nextDueTick(100)).isEqualTo(START / TICK + 11);
    }
}
