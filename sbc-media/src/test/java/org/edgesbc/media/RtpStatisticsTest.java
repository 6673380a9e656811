package org.edgesbc.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RtpStatisticsTest {
    private static final long PACKET_NANOS = 20_000_000L;

    @Test
    void steadyStreamHasNoLossAndNoJitter() {
        RtpStatistics stats = new RtpStatistics();
        for (int i = 0; i < 100; i++) {
            stats.record(i, i * 160L, i * PACKET_NANOS);
        }
        assertThat(stats.lost()).isZero();
        assertThat(stats.jitterMillis()).isCloseTo(0.0, within(0.01));
    }

    @Test
    void gapsCountAsLossAcrossTheSequenceWrap() {
        RtpStatistics stats = new RtpStatistics();
        for (int i = 0; i < 100; i++) {
            if (i % 10 != 3) {
                int seq = (65_500 + i) & 0xffff;
                stats.record(seq, i * 160L, i * PACKET_NANOS);
            }
        }
        assertThat(stats.expected()).isEqualTo(100);
        assertThat(stats.lost()).isEqualTo(10);
    }

    @Test
    void alternatingLateArrivalsShowAsJitter() {
        RtpStatistics stats = new RtpStatistics();
        for (int i = 0; i < 400; i++) {
            long skew = (i % 2) * 10_000_000L;
            stats.record(i, i * 160L, i * PACKET_NANOS + skew);
        }
        // Transit alternates by 10 ms, so |D| is 10 ms every packet and J converges to it (RFC 3550 A.8).
        assertThat(stats.jitterMillis()).isCloseTo(10.0, within(0.5));
    }
}
