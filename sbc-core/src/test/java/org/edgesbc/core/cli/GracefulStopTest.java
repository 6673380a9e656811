package org.edgesbc.core.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.management.Drainable;
import org.junit.jupiter.api.Test;

class GracefulStopTest {
    private final FakeSbc sbc = new FakeSbc();
    private final GracefulStop stop = new GracefulStop();
    private final CompletableFuture<Void> closing = CompletableFuture.runAsync(() -> {
        try {
            stop.closeWhenAsked();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    });

    @Test
    void firstSigtermDrainsAndTheSbcIsClosedOnceTheDrainIsOver() throws Exception {
        stop.started(sbc);
        stop.terminate();

        assertThat(sbc.drains).containsExactly("SIGTERM");
        assertThat(closing).as("still draining").isNotDone();
        assertThat(sbc.closes).isZero();

        sbc.drained.complete(null);

        closing.get(5, TimeUnit.SECONDS);
        assertThat(sbc.closes).isEqualTo(1);
    }

    @Test
    void secondSigtermClosesAtOnce() throws Exception {
        stop.started(sbc);
        stop.terminate();
        stop.terminate();

        closing.get(5, TimeUnit.SECONDS);
        assertThat(sbc.drains).as("drained once").hasSize(1);
        assertThat(sbc.closes).isEqualTo(1);
    }

    @Test
    void aSigtermWhileTheSbcStartsDrainsItOnceItRuns() throws Exception {
        stop.terminate();

        assertThat(sbc.drains).as("nothing to drain yet").isEmpty();
        stop.started(sbc);
        assertThat(sbc.drains).containsExactly("SIGTERM");

        sbc.drained.complete(null);
        closing.get(5, TimeUnit.SECONDS);
        assertThat(sbc.closes).isEqualTo(1);
    }

    @Test
    void aSecondSigtermWhileTheSbcStartsClosesItAtOnceOnceItRuns() throws Exception {
        stop.terminate();
        stop.terminate();
        stop.started(sbc);

        closing.get(5, TimeUnit.SECONDS);
        assertThat(sbc.drains).as("drained once").hasSize(1);
        assertThat(sbc.closes).isEqualTo(1);
    }

    @Test
    void aDrainStartedElsewhereAlsoStopsTheSbc() throws Exception {
        stop.started(sbc);
        sbc.drained.complete(null);

        closing.get(5, TimeUnit.SECONDS);
        assertThat(sbc.drains).as("the admin API drained it, not a signal").isEmpty();
        assertThat(sbc.closes).isEqualTo(1);
    }

    @Test
    void theShutdownHookReturnsOnlyOnceTheSbcIsClosed() throws Exception {
        stop.started(sbc);
        stop.stopFromShutdownHook();

        assertThat(sbc.closes).as("closed before the hook returned").isEqualTo(1);
        closing.get(5, TimeUnit.SECONDS);
    }

    @Test
    void anSbcThatCannotDrainIsClosedOnTheFirstSigterm() throws Exception {
        List<String> closed = new ArrayList<>();
        GracefulStop plain = new GracefulStop();
        plain.started(() -> closed.add("closed"));
        CompletableFuture<Void> done = CompletableFuture.runAsync(() -> {
            try {
                plain.closeWhenAsked();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        plain.terminate();

        done.get(5, TimeUnit.SECONDS);
        assertThat(closed).containsExactly("closed");
    }

    private static final class FakeSbc implements Drainable {
        final CompletableFuture<Void> drained = new CompletableFuture<>();
        final List<String> drains = new ArrayList<>();
        volatile int closes;

        @Override
        public CompletableFuture<Void> drain(String why) {
            drains.add(why);
            return drained;
        }

        @Override
        public CompletableFuture<Void> drained() {
            return drained;
        }

        @Override
        public void close() {
            closes++;
        }
    }
}
