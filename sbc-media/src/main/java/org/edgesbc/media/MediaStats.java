package org.edgesbc.media;

import java.util.List;

/**
 * The media summary of one call (for the CDR and the admin API): the sums over its streams and sides.
 *
 * @param packets packets relayed in both directions
 * @param bytes bytes relayed in both directions, as received
 * @param lost RTP packets lost on the way to the SBC, both directions
 * @param maxJitterMillis the worst interarrival jitter of any leg, in milliseconds
 * @param injected foreign packets dropped (wrong source or SSRC): attempted call tampering
 * @param dropped every packet not relayed, injected ones included
 * @param latched whether every stream has both peers latched
 * @param legs per stream, side A's then side B's stats
 */
public record MediaStats(long packets, long bytes, long lost, double maxJitterMillis, long injected, long dropped,
        boolean latched, List<LegStats> legs) {

    static MediaStats of(List<LegStats> legs) {
        long packets = 0;
        long bytes = 0;
        long lost = 0;
        double jitter = 0;
        long injected = 0;
        long dropped = 0;
        boolean latched = !legs.isEmpty();
        for (LegStats leg : legs) {
            packets += leg.packets();
            bytes += leg.bytes();
            lost += leg.lost();
            jitter = Math.max(jitter, leg.jitterMillis());
            injected += leg.injected();
            dropped += leg.dropped();
            latched &= leg.latched();
        }
        return new MediaStats(packets, bytes, lost, jitter, injected, dropped, latched, List.copyOf(legs));
    }
}
