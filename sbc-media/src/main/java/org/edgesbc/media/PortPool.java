package org.edgesbc.media;

import java.util.ArrayDeque;
import java.util.function.LongSupplier;

/**
 * Even RTP ports (the odd port above each carries RTCP, RFC 3550 §11) from a configured range. Released pairs rest
 * in quarantine before reuse. Bounded by the range; exhaustion returns -1, never throws. Thread-safe (allocations
 * come from relay shards, releases from media threads), with one lock: allocation is per call, not per packet.
 */
public final class PortPool {
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final ArrayDeque<long[]> quarantined = new ArrayDeque<>();
    private final long quarantineNanos;
    private final LongSupplier nanoClock;
    private final int capacity;

    /**
     * @param nanoClock monotonic clock in nanoseconds ({@code System::nanoTime}; a manual clock in tests)
     */
    public PortPool(int portMin, int portMax, long quarantineNanos, LongSupplier nanoClock) {
        int first = portMin % 2 == 0 ? portMin : portMin + 1;
        for (int port = first; port + 1 <= portMax; port += 2) {
            free.add(port);
        }
        if (free.isEmpty()) {
            throw new IllegalArgumentException("port range " + portMin + "-" + portMax + " holds no RTP/RTCP pair");
        }
        this.capacity = free.size();
        this.quarantineNanos = quarantineNanos;
        this.nanoClock = nanoClock;
    }

    /** An even port whose pair is free, or -1 when every pair is in use or in quarantine. */
    public synchronized int allocate() {
        long now = nanoClock.getAsLong();
        while (!quarantined.isEmpty() && now - quarantined.peekFirst()[1] >= quarantineNanos) {
            free.addLast((int) quarantined.pollFirst()[0]);
        }
        Integer port = free.pollFirst();
        return port == null ? -1 : port;
    }

    public synchronized void release(int port) {
        quarantined.addLast(new long[] {port, nanoClock.getAsLong()});
    }

    /** Pairs neither in use nor in quarantine. */
    public synchronized int available() {
        return free.size();
    }

    public int capacity() {
        return capacity;
    }
}
