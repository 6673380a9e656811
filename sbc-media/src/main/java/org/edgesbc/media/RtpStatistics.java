package org.edgesbc.media;

/**
 * Reception statistics of one RTP source as RFC 3550 Appendix A computes them: extended highest sequence number
 * (A.1), packets expected and lost (A.3), and interarrival jitter (A.8) in timestamp units. The clock rate is
 * taken as 8000 Hz, the rate of the narrowband codecs a PBX trunk carries (G.711, G.729); wideband streams report
 * jitter in their own units scaled by that assumption. Owned by the stream's event loop.
 */
final class RtpStatistics {
    private static final int CLOCK_RATE = 8_000;
    private static final int SEQ_MOD = 1 << 16;

    private boolean started;
    private int baseSeq;
    private int maxSeq;
    private long cycles;
    private long received;
    private long lastTransit;
    private double jitter;
    /** Losses of the sources this one replaced (an SSRC switch starts a new sequence space). */
    private long lostBefore;

    void record(int seq, long rtpTimestamp, long arrivalNanos) {
        long arrival = arrivalNanos * CLOCK_RATE / 1_000_000_000L;
        long transit = arrival - rtpTimestamp;
        if (!started) {
            started = true;
            baseSeq = seq;
            maxSeq = seq;
        } else {
            int delta = (seq - maxSeq) & 0xffff;
            if (delta < 3_000) {
                if (seq < maxSeq) {
                    cycles += SEQ_MOD;
                }
                maxSeq = seq;
            }
            long d = Math.abs(transit - lastTransit);
            jitter += (d - jitter) / 16.0;
        }
        lastTransit = transit;
        received++;
    }

    /** Packets expected from the current source (RFC 3550 A.3). */
    long expected() {
        return started ? cycles + maxSeq - baseSeq + 1 : 0;
    }

    long lost() {
        return lostBefore + Math.max(0, expected() - received);
    }

    /** A new SSRC took over: its sequence numbers start afresh, the losses so far are kept. */
    void newSource() {
        lostBefore = lost();
        started = false;
        cycles = 0;
        received = 0;
    }

    double jitterMillis() {
        return jitter * 1000.0 / CLOCK_RATE;
    }
}
