package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentInvitesTest {
    private static final long S = 1_000_000_000L;
    private long now = 1_000 * S;
    /** Half of Timer B with a T1 of 100 ms. */
    private static final long GENERATION = 3_200_000_000L;
    private final RecentInvites calls = new RecentInvites(now, GENERATION);

    @Test
    void aCallIsRememberedForOneToTwoGenerations() {
        calls.add("a@host", now);
        assertThat(calls.contains("a@host", now)).isTrue();
        assertThat(calls.contains("b@host", now)).isFalse();
        now += GENERATION + S;
        calls.add("b@host", now);
        assertThat(calls.contains("a@host", now)).as("in the previous generation").isTrue();
        now += GENERATION + S;
        assertThat(calls.contains("a@host", now)).isFalse();
        assertThat(calls.contains("b@host", now)).isTrue();
    }

    @Test
    void itIsEmptyOnlyOnceNoGenerationHoldsAKey() {
        assertThat(calls.isEmpty(now)).isTrue();
        calls.add("a@host", now);
        assertThat(calls.isEmpty(now)).isFalse();
        now += GENERATION + S;
        assertThat(calls.isEmpty(now)).as("the key in the previous generation").isFalse();
        now += GENERATION + S;
        assertThat(calls.isEmpty(now)).isTrue();
    }

    @Test
    void aFloodOfCallsCutsGenerationsShortInsteadOfGrowing() {
        int half = RecentInvites.SLOTS / 2;
        for (int i = 0; i < 3 * half; i++) {
            calls.add("flood-" + i, now);
        }
        assertThat(calls.contains("flood-0", now)).as("two generations ago").isFalse();
        assertThat(calls.contains("flood-" + (half + 1), now)).isTrue();
        assertThat(calls.contains("flood-" + (3 * half - 1), now)).isTrue();
    }
}
