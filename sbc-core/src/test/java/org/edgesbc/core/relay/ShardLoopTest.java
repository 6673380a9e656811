package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOffMetrics;
import org.edgesbc.core.RateLimitedLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ShardLoopTest {
    /** Tasks the shard's thread ran: the timers handed over and the wheel's turns. */
    private final AtomicInteger tasks = new AtomicInteger();
    private final SingleThreadEventExecutor executor = new SingleThreadEventExecutor(null,
            new DefaultThreadFactory("shard-loop-test"), true) {
        @Override
        protected void run() {
            while (!confirmShutdown()) {
                Runnable task = takeTask();
                if (task != null) {
                    tasks.incrementAndGet();
                    runTask(task);
                    updateLastExecutionTime();
                }
            }
        }
    };
    private final ShardLoop loop = new ShardLoop(0, executor, new RecordingRelayMetrics(),
            new RateLimitedLog("test.relay"), new GuardedHandOff(HandOffMetrics.NONE));

    @AfterEach
    void stop() {
        executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void anIdleShardsThreadTurnsItsWheelOnlyWhenATimerIsDue() throws Exception {
        CountDownLatch fired = new CountDownLatch(1);
        loop.schedule("test", fired::countDown, 300);
        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(300);
        // The timer handed over and a turn or two; turned every 10 ms tick, the wheel would have turned 60 times.
        assertThat(tasks.get()).isBetween(2, 6);
    }

    @Test
    void aTimerFiresOnceItsDelayPassedFromAnyThread() throws Exception {
        long[] firedAfter = new long[2];
        CountDownLatch fired = new CountDownLatch(2);
        long start = System.nanoTime();
        loop.schedule("from another thread", () -> {
            firedAfter[0] = System.nanoTime() - start;
            fired.countDown();
        }, 150);
        executor.execute(() -> loop.schedule("from the shard", () -> {
            firedAfter[1] = System.nanoTime() - start;
            fired.countDown();
        }, 100));
        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(firedAfter[0]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(150));
        assertThat(firedAfter[1]).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void aTimerSetBeforeTheNextWakeMovesTheWakeEarlier() throws Exception {
        List<String> fired = new CopyOnWriteArrayList<>();
        CountDownLatch shortFired = new CountDownLatch(1);
        loop.schedule("long", () -> fired.add("long"), 3_000);
        loop.schedule("short", () -> {
            fired.add("short");
            shortFired.countDown();
        }, 50);
        assertThat(shortFired.await(2, TimeUnit.SECONDS)).as("fired well before the long timer's wake").isTrue();
        assertThat(fired).containsExactly("short");
    }
}
