package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SignallingLossWatchTest {
    private static final Duration SETTLE = Duration.ofSeconds(32);
    private static final Instant START = Instant.parse("2026-12-06T10:00:00Z");

    private long drops;
    private long nanos;
    private final List<Instant> checks = new ArrayList<>();

    private SignallingLossWatch watch() {
        return new SignallingLossWatch(() -> drops, drops, clockAtNanos(), () -> nanos, SETTLE, cutoff -> {
            checks.add(cutoff);
            return CompletableFuture.completedFuture(1);
        }, null);
    }

    /** The wall clock moves with the monotonic one here. */
    private Clock clockAtNanos() {
        return new Clock() {
            @Override public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override public Instant instant() {
                return START.plusNanos(nanos);
            }
        };
    }

    private void after(long seconds, SignallingLossWatch watch) {
        nanos += TimeUnit.SECONDS.toNanos(seconds);
        watch.read();
    }

    @Test
    void dropsBeforeTheStartAreNoLoss() {
        drops = 500;
        SignallingLossWatch watch = watch();
        for (int i = 0; i < 20; i++) {
            after(5, watch);
        }
        assertThat(checks).isEmpty();
    }

    @Test
    void callsAnsweredUntilTheLastDropsSeenAreAskedOnceTheCountStoodStillFor64T1() {
        SignallingLossWatch watch = watch();
        after(5, watch);
        drops = 10;
        after(5, watch);
        drops = 30;
        after(5, watch);
        Instant lastLossSeen = START.plusSeconds(15);
        for (int i = 0; i < 6; i++) {
            after(5, watch);
        }
        assertThat(checks).as("30 s of the 32 after the last drops").isEmpty();

        after(5, watch);
        assertThat(checks).containsExactly(lastLossSeen);

        for (int i = 0; i < 20; i++) {
            after(5, watch);
        }
        assertThat(checks).as("one check per loss").hasSize(1);

        drops = 31;
        after(5, watch);
        for (int i = 0; i < 7; i++) {
            after(5, watch);
        }
        assertThat(checks).as("a later loss is checked again").hasSize(2);
        assertThat(checks.get(1)).isEqualTo(START.plusSeconds(15 + 35 + 100 + 5));
    }

    @Test
    void whileDropsGoOnNothingIsAsked() {
        SignallingLossWatch watch = watch();
        for (int i = 0; i < 30; i++) {
            drops += 3;
            after(5, watch);
        }
        assertThat(checks).isEmpty();
    }
}
