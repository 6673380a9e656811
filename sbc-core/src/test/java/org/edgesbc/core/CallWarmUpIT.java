package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.edgesbc.core.config.SipConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up's private SBC, its made-up trunk and PBX, on real loopback sockets. */
class CallWarmUpIT {
    private static final long GENEROUS_BUDGET = TimeUnit.SECONDS.toNanos(60);
    /**
     * A cold SBC in a test JVM sheds or drops a few of the first calls (a message that waited past T1 is dropped, and
     * the made-up trunk does not retransmit); a call flow that does not work loses most of them.
     */
    private static final double MOST = 0.9;

    @TempDir
    Path dir;

    @Test
    void callsAreRelayedToTheEndOfTheirByeThroughRelayThreads() throws Exception {
        List<Path> before = warmUpFolders();

        CallWarmUp.Result result = CallWarmUp.run(sip(2), 500, GENEROUS_BUDGET);

        // The batches while the JIT still compiles come on top of the calls asked for.
        assertThat(result.attempted()).isGreaterThanOrEqualTo(500);
        assertThat(result.completed()).as("calls answered 200 to their BYE")
                .isGreaterThanOrEqualTo((int) (MOST * result.attempted()));
        assertThat(warmUpFolders()).as("the private SBC's data folder is removed").isEqualTo(before);
    }

    @Test
    void callsAreRelayedWithTheRelayOnTheIoThread() throws Exception {
        CallWarmUp.Result result = CallWarmUp.run(sip(0), 300, GENEROUS_BUDGET);

        assertThat(result.attempted()).isGreaterThanOrEqualTo(300);
        assertThat(result.completed()).isGreaterThanOrEqualTo((int) (MOST * result.attempted()));
    }

    @Test
    void theBudgetEndsAWarmUpThatCannotFinish() throws Exception {
        CallWarmUp.Result result = CallWarmUp.run(sip(2), 100_000, TimeUnit.MILLISECONDS.toNanos(300));

        assertThat(result.completed()).isLessThan(100_000);
        assertThat(result.elapsedNanos()).as("stopped at the budget and the JIT's pauses, not after the calls")
                .isLessThan(TimeUnit.MILLISECONDS.toNanos(300) + CallWarmUp.SETTLE_NANOS + TimeUnit.SECONDS.toNanos(2));
    }

    @Test
    void theWaitForTheJitSeesItIdle() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);

        CallWarmUp.Result waited = CallWarmUp.awaitIdleJit(deadline);

        // Two answers of the JIT's queue, a poll apart, said idle; a JVM that did not answer would return at once.
        assertThat(waited.settlingNanos()).isEqualTo(waited.elapsedNanos())
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(System.nanoTime()).as("idle before the deadline").isLessThan(deadline);
    }

    @Test
    void theWaitForTheJitEndsAtItsDeadline() throws Exception {
        CallWarmUp.Result waited = CallWarmUp.awaitIdleJit(System.nanoTime());

        // Past its deadline the wait asks nothing: asking twice takes a 100 ms poll.
        assertThat(waited.elapsedNanos()).isLessThan(TimeUnit.MILLISECONDS.toNanos(50));
    }

    private SipConfig sip(int workerThreads) {
        InetSocketAddress unused = new InetSocketAddress("127.0.0.1", 9);
        return TestConfigs.withThreads(TestConfigs.loopbackUdp(dir, unused, unused), 1, workerThreads).sip();
    }

    private static List<Path> warmUpFolders() throws IOException {
        try (Stream<Path> entries = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return entries.filter(p -> p.getFileName().toString().startsWith("sbc-warm-up")).sorted().toList();
        }
    }
}
