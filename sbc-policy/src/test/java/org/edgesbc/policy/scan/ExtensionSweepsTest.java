package org.edgesbc.policy.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;

class ExtensionSweepsTest {
    private static final long MINUTE = Duration.ofMinutes(1).toNanos();

    private final ManualClock clock = new ManualClock();

    @Test
    void distinctNumericUsersAreCountedOnceEachAndOtherUsersNotAtAll() {
        ExtensionSweeps<String> sweeps = new ExtensionSweeps<>(100, 50, clock::nanos);
        for (int extension = 100; extension < 110; extension++) {
            assertThat(sweeps.record("scanner", Integer.toString(extension), MINUTE)).isEqualTo(extension - 99);
        }
        assertThat(sweeps.record("scanner", "105", MINUTE)).as("a user named again").isEqualTo(10);
        assertThat(sweeps.record("scanner", "+4930123456", MINUTE)).isEqualTo(11);
        for (String user : new String[] {"alice", "1001a", "", null, "+", "1234567890123456"}) {
            assertThat(sweeps.record("scanner", user, MINUTE)).as("%s is no extension", user).isZero();
        }
        assertThat(sweeps.record("phone", "100", MINUTE)).as("each source counts apart").isEqualTo(1);
        sweeps.reset("scanner");
        assertThat(sweeps.record("scanner", "200", MINUTE)).as("after a success or a ban").isEqualTo(1);
    }

    @Test
    void aWindowLastsItsLengthOnTheMonotonicClockWhateverTheWallClockDoes() {
        ExtensionSweeps<String> sweeps = new ExtensionSweeps<>(100, 50, clock::nanos);
        sweeps.record("scanner", "100", MINUTE);
        clock.stepWall(Duration.ofHours(1));
        assertThat(sweeps.record("scanner", "101", MINUTE)).as("a step forward closes nothing").isEqualTo(2);
        clock.stepWall(Duration.ofHours(-3));
        clock.advance(Duration.ofSeconds(59));
        assertThat(sweeps.record("scanner", "102", MINUTE)).isEqualTo(3);
        clock.advance(Duration.ofSeconds(1));
        assertThat(sweeps.record("scanner", "103", MINUTE)).as("a slow walk starts over").isEqualTo(1);
    }

    @Test
    void theTableAndEachSourcesUsersAreBounded() {
        ExtensionSweeps<Integer> sweeps = new ExtensionSweeps<>(2, 5, clock::nanos);
        for (int extension = 100; extension < 120; extension++) {
            sweeps.record(1, Integer.toString(extension), MINUTE);
        }
        assertThat(sweeps.record(1, "999", MINUTE)).as("at most 5 users remembered").isEqualTo(5);
        sweeps.record(2, "100", MINUTE);
        assertThat(sweeps.record(3, "100", MINUTE)).as("a full table tracks no new source").isZero();
        assertThat(sweeps.untracked()).isEqualTo(1);
        clock.advance(Duration.ofMinutes(1));
        assertThat(sweeps.record(3, "100", MINUTE)).as("closed windows make room").isEqualTo(1);
        assertThat(sweeps.size()).isEqualTo(1);
    }
}
