package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class GuardedHandOffTest {
    private final List<String> failures = new ArrayList<>();
    private final GuardedHandOff handOff = new GuardedHandOff((name, failure) -> failures.add(name + " " + failure));

    @Test
    void aTaskTheExecutorTakesRunsThere() {
        List<Runnable> queue = new ArrayList<>();
        int[] runs = new int[1];
        assertThat(handOff.execute(HandOff.BAN, queue::add, () -> runs[0]++)).isTrue();
        assertThat(runs[0]).as("not before the receiving thread runs it").isZero();
        queue.forEach(Runnable::run);
        assertThat(runs[0]).isOne();
        assertThat(failures).isEmpty();
    }

    @Test
    void aFullQueueIsCountedAndReportedToTheCaller() {
        boolean accepted = handOff.execute(HandOff.TOLL_FRAUD_ANSWER, task -> {
            throw new RejectedExecutionException("full");
        }, () -> { });
        assertThat(accepted).isFalse();
        assertThat(failures).containsExactly("TOLL_FRAUD_ANSWER REJECTED");
    }

    @Test
    void aTaskThatThrowsIsCountedOnTheReceivingThreadAndGoesNoFurther() {
        handOff.execute(HandOff.SPEND_CAP_CUT, Runnable::run, () -> {
            throw new IllegalStateException("broken");
        });
        assertThat(failures).containsExactly("SPEND_CAP_CUT THREW");
    }

    @Test
    void aSubmittedTaskGivesItsResultOrItsFailure() throws Exception {
        assertThat(handOff.submit(HandOff.BAN, Runnable::run, () -> 42).get(1, TimeUnit.SECONDS)).isEqualTo(42);

        CompletableFuture<Integer> thrown = handOff.submit(HandOff.BAN, Runnable::run, () -> {
            throw new IllegalStateException("broken");
        });
        assertThatThrownBy(() -> thrown.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class);

        CompletableFuture<Integer> refused = handOff.submit(HandOff.BAN, task -> {
            throw new RejectedExecutionException("full");
        }, () -> 1);
        assertThatThrownBy(() -> refused.get(1, TimeUnit.SECONDS)).hasCauseInstanceOf(RejectedExecutionException.class);
        assertThat(failures).containsExactly("BAN THREW", "BAN REJECTED");
    }

    @Test
    void aGuardedTimerTaskSurvivesItsOwnFailure() {
        Runnable guarded = handOff.guard(HandOff.SERVICE_TIMER, () -> {
            throw new IllegalStateException("disk full");
        });
        guarded.run();
        guarded.run();
        assertThat(failures).containsExactly("SERVICE_TIMER THREW", "SERVICE_TIMER THREW");
    }
}
