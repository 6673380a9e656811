package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.edgesbc.media.MediaConfig;
import org.edgesbc.media.MediaIo;
import org.junit.jupiter.api.Test;

/** The media warm-up's private relay, its made-up calls and chains, on real loopback sockets. */
class MediaWarmUpIT {
    private static final long GENEROUS_BUDGET = TimeUnit.SECONDS.toNanos(30);
    private static final int PORT_MIN = 38_000;

    @Test
    void callsComeAndGoAndChainsRelayEachPacketManyTimes() throws Exception {
        MediaWarmUp.Result result = MediaWarmUp.run(config(PORT_MIN, PORT_MIN + 999), 60_000, GENEROUS_BUDGET);

        // The warm-up stops once its packets were sent to make that many relays; a few of them meet a hung-up call.
        assertThat(result.relayed()).as("relayed, each stream of a chain counting").isGreaterThan(48_000);
        assertThat(result.calls()).as("calls set up, one per tick after the first").isGreaterThan(300);
        // Only the chains make more relays than packets sent; calls relay each packet once.
        assertThat(result.relayed()).isGreaterThan(2 * result.sent());
        // A hung-up call's packets still on their way are dropped, as they are for a real call.
        assertThat(result.returned()).as("packets back at the peers").isGreaterThan(result.sent() / 2);
        assertThat(everyPortFree(PORT_MIN, PORT_MIN + 999)).as("the private relay let go of its ports").isTrue();
    }

    @Test
    void aRangeTooSmallForAChainShortensIt() throws Exception {
        // Four port pairs: a chain of one stream, a call at a time in the other.
        MediaWarmUp.Result result = MediaWarmUp.run(config(PORT_MIN, PORT_MIN + 7), 5_000, GENEROUS_BUDGET);

        assertThat(result.relayed()).isGreaterThan(4_000);
        assertThat(result.calls()).isGreaterThan(100);
    }

    @Test
    void theBudgetEndsAWarmUpThatCannotFinish() throws Exception {
        long budget = TimeUnit.MILLISECONDS.toNanos(300);

        MediaWarmUp.Result result = MediaWarmUp.run(config(PORT_MIN, PORT_MIN + 999), 100_000_000, budget);

        assertThat(result.relayed()).isLessThan(100_000_000);
        assertThat(result.elapsedNanos()).as("stopped at the budget and the JIT's pause, not after the packets")
                .isLessThan(budget + MediaWarmUp.SETTLE_NANOS + TimeUnit.SECONDS.toNanos(2));
    }

    private static MediaConfig config(int portMin, int portMax) throws Exception {
        return new MediaConfig(InetAddress.getByName("127.0.0.1"), "127.0.0.1", portMin, portMax,
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofHours(1), 1, false, MediaIo.AUTO,
                MediaConfig.KERNEL_RECEIVE_BUFFER);
    }

    private static boolean everyPortFree(int portMin, int portMax) {
        for (int port = portMin; port <= portMax; port++) {
            try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
                probe.getLocalPort();
            } catch (java.net.SocketException e) {
                return false;
            }
        }
        return true;
    }
}
