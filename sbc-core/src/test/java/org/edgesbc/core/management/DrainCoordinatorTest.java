package org.edgesbc.core.management;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DrainCoordinatorTest {
    private long nanos = 1_000;
    private final List<Runnable> scheduled = new ArrayList<>();
    private final FakeRelay relay = new FakeRelay();
    private final DrainCoordinator drain = new DrainCoordinator(relay, Duration.ofMinutes(5), Duration.ofSeconds(32),
            () -> nanos, scheduled::add);

    @Test
    void servesUntilStartedAndThenRefusesNewCallsOnce() {
        assertThat(drain.draining()).isFalse();
        assertThat(drain.status().phase()).isEqualTo(DrainCoordinator.Phase.SERVING);
        drain.tick();
        assertThat(relay.refusals).isZero();

        CompletableFuture<Void> first = drain.start("SIGTERM");
        CompletableFuture<Void> second = drain.start("admin API");

        assertThat(second).isSameAs(first).isSameAs(drain.drained());
        assertThat(drain.draining()).isTrue();
        assertThat(relay.refusals).as("refused once").isEqualTo(1);
        assertThat(scheduled).as("ticking starts once").hasSize(1);
        assertThat(drain.status().trigger()).isEqualTo("SIGTERM");
    }

    @Test
    void endsAsSoonAsTheLastCallEndsWithoutEndingAnyCall() {
        relay.active = 2;
        drain.start("SIGTERM");
        advance(Duration.ofMinutes(1));
        drain.tick();
        assertThat(drain.drained()).isNotDone();
        assertThat(drain.status().secondsToTimeout()).isEqualTo(240);

        relay.active = 0;
        drain.tick();

        assertThat(drain.drained()).isDone();
        assertThat(drain.status().phase()).isEqualTo(DrainCoordinator.Phase.DRAINED);
        assertThat(relay.endOrders).isEmpty();
    }

    @Test
    void atTheTimeoutTheCallsLeftAreEndedAndTheDrainWaitsForTheirByes() {
        relay.active = 3;
        drain.start("SIGTERM");
        advance(Duration.ofMinutes(5).minusNanos(1));
        drain.tick();
        assertThat(relay.endOrders).as("not before the timeout").isEmpty();

        advance(Duration.ofNanos(1));
        drain.tick();
        assertThat(relay.endOrders).containsExactly("drain-timeout");
        assertThat(drain.status().phase()).isEqualTo(DrainCoordinator.Phase.ENDING_CALLS);
        drain.tick();
        assertThat(relay.endOrders).as("ordered once").hasSize(1);
        assertThat(drain.drained()).isNotDone();

        relay.active = 0;
        drain.tick();
        assertThat(drain.drained()).isDone();
    }

    @Test
    void dialogsThatOutliveTheGraceDoNotHoldTheStopForever() {
        relay.active = 1;
        drain.start("SIGTERM");
        advance(Duration.ofMinutes(5));
        drain.tick();
        advance(Duration.ofSeconds(31));
        drain.tick();
        assertThat(drain.drained()).isNotDone();

        advance(Duration.ofSeconds(1));
        drain.tick();

        assertThat(drain.drained()).isDone();
        assertThat(relay.endOrders).hasSize(1);
    }

    @Test
    void aZeroTimeoutEndsTheCallsAtTheFirstCheck() {
        DrainCoordinator immediate = new DrainCoordinator(relay, Duration.ZERO, Duration.ofSeconds(32), () -> nanos,
                scheduled::add);
        relay.active = 1;
        immediate.start("admin API");
        immediate.tick();
        assertThat(relay.endOrders).containsExactly("drain-timeout");
    }

    private void advance(Duration by) {
        nanos += by.toNanos();
    }

    private static final class FakeRelay implements DrainCoordinator.Target {
        int active;
        int refusals;
        final List<String> endOrders = new ArrayList<>();

        @Override
        public void refuseNewCalls() {
            refusals++;
        }

        @Override
        public int activeCalls() {
            return active;
        }

        @Override
        public CompletableFuture<Integer> endAllCalls(String reason) {
            endOrders.add(reason);
            return CompletableFuture.completedFuture(active);
        }
    }

    @Test
    void statusCountsDownToTheTimeout() {
        drain.start("SIGTERM");
        advance(Duration.ofSeconds(90));
        assertThat(drain.status().secondsToTimeout()).isEqualTo(TimeUnit.MINUTES.toSeconds(5) - 90);
    }
}
