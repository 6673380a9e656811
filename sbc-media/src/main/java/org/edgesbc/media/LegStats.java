package org.edgesbc.media;

/**
 * Counters of what one leg's peer sent, read from another thread as a snapshot that may lag a packet or two.
 *
 * @param state where the leg stands
 * @param packets RTP and RTCP packets relayed from the peer
 * @param bytes bytes of those packets as received
 * @param lost RTP packets the peer sent that never arrived (RFC 3550 A.3), 0 before any arrived
 * @param jitterMillis interarrival jitter of the peer's RTP (RFC 3550 A.8) in milliseconds, at 8000 Hz
 * @param injected packets dropped as foreign: another source address, or another SSRC than the locked one
 * @param dropped every packet arriving at this leg and not relayed, the injected ones included
 */
public record LegStats(LegState state, long packets, long bytes, long lost, double jitterMillis, long injected,
        long dropped) {

    public boolean latched() {
        return state == LegState.LATCHED;
    }
}
