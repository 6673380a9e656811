package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShardExecutorTest {
    private final ShardExecutor shard = new ShardExecutor(new DefaultThreadFactory("shard-test"), 1 << 16);

    @AfterEach
    void stop() {
        shard.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    @Test
    void anIdleShardsWorkRunsOnTheCallingThreadHoldingTheTurn() {
        AtomicReference<Thread> ranOn = new AtomicReference<>();
        AtomicReference<Boolean> heldTurn = new AtomicReference<>();

        boolean ran = shard.runHere(() -> true, () -> {
            ranOn.set(Thread.currentThread());
            heldTurn.set(shard.holdsTurn());
        });

        assertThat(ran).isTrue();
        assertThat(ranOn.get()).isSameAs(Thread.currentThread());
        assertThat(heldTurn.get()).isTrue();
        assertThat(shard.holdsTurn()).isFalse();
    }

    @Test
    void whileTheShardsThreadRunsATaskTheWorkIsLeftToIt() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicReference<Boolean> ownThreadHeldTurn = new AtomicReference<>();
        shard.execute(() -> {
            ownThreadHeldTurn.set(shard.holdsTurn());
            running.countDown();
            awaitQuietly(release);
        });
        assertThat(running.await(5, TimeUnit.SECONDS)).isTrue();

        boolean ran = shard.runHere(() -> true, () -> { });
        release.countDown();

        assertThat(ran).isFalse();
        assertThat(ownThreadHeldTurn.get()).isTrue();
    }

    @Test
    void workIsLeftToTheShardsThreadWhenTheShardIsNotIdleOnceTheTurnIsTaken() {
        boolean[] ran = {false};

        assertThat(shard.runHere(() -> false, () -> ran[0] = true)).isFalse();
        assertThat(ran[0]).isFalse();
    }

    @Test
    void aShardShuttingDownRunsNothingElsewhere() {
        shard.shutdownGracefully(0, 1, TimeUnit.SECONDS);

        assertThat(shard.runHere(() -> true, () -> { })).isFalse();
    }

    @Test
    void theShardsOwnTasksAndTheWorkDoneInItsPlaceNeverOverlap() throws Exception {
        // A plain field, no other guard: lost updates would show if the two threads ever ran the shard together.
        int[] counter = {0};
        int rounds = 20_000;
        CountDownLatch queued = new CountDownLatch(rounds);
        Thread lender = new Thread(() -> {
            for (int i = 0; i < rounds; i++) {
                shard.execute(() -> {
                    increment(counter);
                    queued.countDown();
                });
            }
        });
        lender.start();
        int here = 0;
        for (int i = 0; i < rounds; i++) {
            if (shard.runHere(() -> true, () -> increment(counter))) {
                here++;
            }
        }
        lender.join(TimeUnit.SECONDS.toMillis(10));
        assertThat(queued.await(10, TimeUnit.SECONDS)).isTrue();
        int[] seen = new int[1];
        CountDownLatch read = new CountDownLatch(1);
        shard.execute(() -> {
            seen[0] = counter[0];
            read.countDown();
        });
        assertThat(read.await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(seen[0]).isEqualTo(rounds + here);
    }

    /** Reads, lingers, writes: two threads inside at once would lose an update. */
    private static void increment(int[] counter) {
        int read = counter[0];
        for (int i = 0; i < 100; i++) {
            Thread.onSpinWait();
        }
        counter[0] = read + 1;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
