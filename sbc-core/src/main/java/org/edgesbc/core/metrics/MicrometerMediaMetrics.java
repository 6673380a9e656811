package org.edgesbc.core.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import org.edgesbc.media.MediaDropReason;
import org.edgesbc.media.MediaMetrics;

/** {@link MediaMetrics} on Micrometer. */
public final class MicrometerMediaMetrics implements MediaMetrics {
    private final Counter packets;
    private final Counter bytes;
    private final Map<MediaDropReason, Counter> dropped = new EnumMap<>(MediaDropReason.class);
    private final Counter udptlRelayed;
    private final Map<MediaDropReason, Counter> udptlDropped = new EnumMap<>(MediaDropReason.class);
    private final Counter opened;
    private final Counter closed;
    private final Counter exhausted;

    MicrometerMediaMetrics(PrometheusMeterRegistry registry) {
        packets = SbcMetrics.counter(registry, SbcMetrics.MEDIA_PACKETS, "RTP, RTCP and UDPTL packets relayed");
        bytes = SbcMetrics.counter(registry, SbcMetrics.MEDIA_BYTES, "RTP, RTCP and UDPTL bytes relayed");
        String udptlHelp = "T.38 fax (UDPTL) packets relayed or dropped, also counted in the media totals";
        udptlRelayed = SbcMetrics.counter(registry, SbcMetrics.MEDIA_UDPTL_PACKETS, udptlHelp, "result", "relayed");
        for (MediaDropReason reason : MediaDropReason.values()) {
            dropped.put(reason, SbcMetrics.counter(registry, SbcMetrics.MEDIA_DROPPED,
                    "Media packets dropped (foreign_source and foreign_ssrc are injection attempts)", "reason",
                    reason.name().toLowerCase(Locale.ROOT)));
            udptlDropped.put(reason, SbcMetrics.counter(registry, SbcMetrics.MEDIA_UDPTL_PACKETS, udptlHelp,
                    "result", reason.name().toLowerCase(Locale.ROOT)));
        }
        opened = SbcMetrics.counter(registry, SbcMetrics.MEDIA_SESSIONS_OPENED, "Media sessions opened");
        closed = SbcMetrics.counter(registry, SbcMetrics.MEDIA_SESSIONS_CLOSED, "Media sessions closed");
        exhausted = SbcMetrics.counter(registry, SbcMetrics.MEDIA_PORTS_EXHAUSTED,
                "Streams refused because no RTP port pair was free");
    }

    @Override
    public void packetRelayed(int size) {
        packets.increment();
        bytes.increment(size);
    }

    @Override
    public void packetDropped(MediaDropReason reason) {
        dropped.get(reason).increment();
    }

    @Override
    public void udptlRelayed() {
        udptlRelayed.increment();
    }

    @Override
    public void udptlDropped(MediaDropReason reason) {
        udptlDropped.get(reason).increment();
    }

    @Override
    public void sessionOpened() {
        opened.increment();
    }

    @Override
    public void sessionClosed() {
        closed.increment();
    }

    @Override
    public void portsExhausted() {
        exhausted.increment();
    }
}
