package org.edgesbc.policy.ban;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;

class AuthFailureTrackerTest {
    private final ManualClock clock = new ManualClock();
    private final AuthFailureTracker tracker = new AuthFailureTracker(
            new AuthFailureTracker.Settings(5, Duration.ofMinutes(10), 6, 2, 100, 100), clock);
    private final InetAddress guesser = Cidr.address("127.0.0.50");

    @Test
    void aSourceIsBannedAtTheThresholdWithinTheWindow() {
        for (int i = 1; i < 5; i++) {
            assertThat(tracker.recordFailure(guesser, null).banSource()).isFalse();
        }
        AuthFailureTracker.Outcome fifth = tracker.recordFailure(guesser, null);
        assertThat(fifth.banSource()).isTrue();
        assertThat(fifth.sourceFailures()).isEqualTo(5);
        assertThat(fifth.sourceThreshold()).isEqualTo(5);
        assertThat(tracker.recordFailure(guesser, null).sourceFailures()).as("restarts after a ban").isEqualTo(1);
    }

    @Test
    void failuresSpreadOverMoreThanTheWindowDoNotBan() {
        for (int i = 0; i < 20; i++) {
            assertThat(tracker.recordFailure(guesser, null).banSource()).isFalse();
            clock.advance(Duration.ofMinutes(3));
            if (i % 4 == 3) {
                clock.advance(Duration.ofMinutes(1));
            }
        }
    }

    @Test
    void successClearsTheSourceCount() {
        for (int i = 0; i < 4; i++) {
            tracker.recordFailure(guesser, null);
        }
        tracker.recordSuccess(guesser);
        assertThat(tracker.recordFailure(guesser, null).sourceFailures()).isEqualTo(1);
    }

    @Test
    void anAccountUnderAttackRaisesAnAlertAndTightensPerSourceThresholdsButIsNeverLocked() {
        int alerts = 0;
        for (int host = 1; host <= 12; host++) {
            AuthFailureTracker.Outcome outcome = tracker.recordFailure(Cidr.address("127.0.1." + host), "1001");
            alerts += outcome.userAlert() ? 1 : 0;
            assertThat(outcome.banSource()).as("one failure per source stays under any threshold").isFalse();
        }
        assertThat(alerts).as("at 6 and at 12").isEqualTo(2);
        InetAddress next = Cidr.address("127.0.1.99");
        assertThat(tracker.recordFailure(next, "1001").banSource()).isFalse();
        AuthFailureTracker.Outcome second = tracker.recordFailure(next, "1001");
        assertThat(second.banSource()).as("tightened to 2 while the account is under attack").isTrue();
        assertThat(second.sourceThreshold()).isEqualTo(2);
        assertThat(tracker.recordFailure(Cidr.address("127.0.2.1"), null).sourceThreshold())
                .as("failures naming no account keep the normal threshold").isEqualTo(5);
    }
}
