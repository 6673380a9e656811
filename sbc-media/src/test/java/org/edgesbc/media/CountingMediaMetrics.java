package org.edgesbc.media;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;

/** Drop counters by reason, as core's Micrometer adapter would keep them. */
final class CountingMediaMetrics implements MediaMetrics {
    private final Map<MediaDropReason, AtomicLong> dropped = new EnumMap<>(MediaDropReason.class);
    private final Map<MediaDropReason, AtomicLong> udptlDropped = new EnumMap<>(MediaDropReason.class);
    final AtomicLong udptlRelayed = new AtomicLong();
    final AtomicLong exhausted = new AtomicLong();
    final CountDownLatch noSession = new CountDownLatch(1);

    CountingMediaMetrics() {
        for (MediaDropReason reason : MediaDropReason.values()) {
            dropped.put(reason, new AtomicLong());
            udptlDropped.put(reason, new AtomicLong());
        }
    }

    long dropped(MediaDropReason reason) {
        return dropped.get(reason).get();
    }

    long udptlDroppedFor(MediaDropReason reason) {
        return udptlDropped.get(reason).get();
    }

    @Override public void packetRelayed(int bytes) { }
    @Override public void udptlRelayed() {
        udptlRelayed.incrementAndGet();
    }
    @Override public void udptlDropped(MediaDropReason reason) {
        udptlDropped.get(reason).incrementAndGet();
    }
    @Override public void packetDropped(MediaDropReason reason) {
        dropped.get(reason).incrementAndGet();
        if (reason == MediaDropReason.NO_SESSION) {
            noSession.countDown();
        }
    }
    @Override public void sessionOpened() { }
    @Override public void sessionClosed() { }
    @Override public void portsExhausted() {
        exhausted.incrementAndGet();
    }
}
