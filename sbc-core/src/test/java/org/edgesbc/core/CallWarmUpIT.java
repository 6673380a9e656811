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
    private static final int MOST_OF_500 = 450;
    private static final int MOST_OF_300 = 270;

    @TempDir
    Path dir;

    @Test
    void callsAreRelayedToTheEndOfTheirByeThroughRelayThreads() throws Exception {
        List<Path> before = warmUpFolders();

        CallWarmUp.Result result = CallWarmUp.run(sip(2), 500, GENEROUS_BUDGET);

        assertThat(result.attempted()).isEqualTo(500);
        assertThat(result.completed()).as("calls answered 200 to their BYE").isGreaterThanOrEqualTo(MOST_OF_500);
        assertThat(warmUpFolders()).as("the private SBC's data folder is removed").isEqualTo(before);
    }

    @Test
    void callsAreRelayedWithTheRelayOnTheIoThread() throws Exception {
        CallWarmUp.Result result = CallWarmUp.run(sip(0), 300, GENEROUS_BUDGET);

        assertThat(result.completed()).isGreaterThanOrEqualTo(MOST_OF_300);
    }

    @Test
    void theBudgetEndsAWarmUpThatCannotFinish() throws Exception {
        CallWarmUp.Result result = CallWarmUp.run(sip(2), 100_000, TimeUnit.MILLISECONDS.toNanos(300));

        assertThat(result.completed()).isLessThan(100_000);
        assertThat(result.elapsedNanos()).as("stopped at the budget, not after the calls")
                .isLessThan(TimeUnit.SECONDS.toNanos(5));
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
