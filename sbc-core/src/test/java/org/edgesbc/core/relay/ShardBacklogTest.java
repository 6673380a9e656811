package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** What a message's wait in a relay shard's queue decides, with T1 = 500 ms (thresholds 100, 200 and 500 ms). */
class ShardBacklogTest {
    private static final long T1 = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);

    private static ShardBacklog warmed(long now) {
        ShardBacklog backlog = new ShardBacklog(T1, now);
        for (int i = 0; i < ShardBacklog.WARM_UP_MESSAGES; i++) {
            assertThat(backlog.read(0, now)).isEqualTo(ShardBacklog.Verdict.SERVE);
        }
        return backlog;
    }

    @Test
    void aWarmShardRefusesNewCallsPastAFifthOfT1AndShedsOnTheIoThreadPastTwoFifths() {
        long now = 1_000 * MS;
        ShardBacklog backlog = warmed(now);
        assertThat(backlog.read(90 * MS, now)).isEqualTo(ShardBacklog.Verdict.SERVE);
        assertThat(backlog.read(150 * MS, now)).isEqualTo(ShardBacklog.Verdict.SERVE_BUT_REFUSE_NEW_CALLS);
        assertThat(backlog.shedding(now)).isFalse();
        assertThat(backlog.read(250 * MS, now)).isEqualTo(ShardBacklog.Verdict.SERVE_BUT_REFUSE_NEW_CALLS);
        assertThat(backlog.shedding(now + 99 * MS)).as("for T1/5").isTrue();
        assertThat(backlog.shedding(now + 100 * MS)).isFalse();
        assertThat(backlog.read(501 * MS, now)).isEqualTo(ShardBacklog.Verdict.DROP_STALE);
    }

    /** A cold daemon's first burst is served however long it waits, short of T1; nothing is shed for it. */
    @Test
    void whileTheShardWarmsUpItsQueuesAgeRefusesNothingButStaleMessagesAreStillDropped() {
        long now = 1_000 * MS;
        ShardBacklog backlog = new ShardBacklog(T1, now);
        assertThat(backlog.read(450 * MS, now)).isEqualTo(ShardBacklog.Verdict.SERVE);
        assertThat(backlog.shedding(now)).isFalse();
        assertThat(backlog.read(501 * MS, now)).isEqualTo(ShardBacklog.Verdict.DROP_STALE);
        for (int i = 3; i < ShardBacklog.WARM_UP_MESSAGES; i++) {
            backlog.read(0, now);
        }
        assertThat(backlog.read(450 * MS, now)).as("the last message of the warm-up")
                .isEqualTo(ShardBacklog.Verdict.SERVE);
        assertThat(backlog.read(450 * MS, now)).isEqualTo(ShardBacklog.Verdict.SERVE_BUT_REFUSE_NEW_CALLS);
        assertThat(backlog.shedding(now)).isTrue();
    }
}
