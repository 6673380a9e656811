package org.edgesbc.media;

import java.util.ArrayDeque;
import java.util.BitSet;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * Even RTP ports (the odd port above each carries RTCP, RFC 3550 §11) from a configured range. Bounded by the range:
 * each pair is free, in use, or in quarantine. A released pair rests in quarantine for the configured time before it
 * is handed out again, so late packets of an ended call never reach a new one. Exhaustion returns an empty result,
 * never throws; releasing a port that is not in use is ignored. Thread-safe (allocations come from relay shards,
 * releases from whoever ends a call), with one lock: allocation is per call, not per packet.
 */
public final class PortPool {
    private final int first;
    private final int capacity;
    private final long quarantineNanos;
    private final LongSupplier nanoClock;
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    /** Released pairs in release order, so the head is always the first to leave quarantine. */
    private final ArrayDeque<Integer> quarantined = new ArrayDeque<>();
    private final ArrayDeque<Long> releasedAt = new ArrayDeque<>();
    /** Pair index (port - first) / 2 of every pair in use. */
    private final BitSet inUse = new BitSet();

    /**
     * @param portMin first port; an odd value starts at the next even port
     * @param portMax last port; the last pair must fit below or at it
     * @param quarantineNanos how long a released pair rests before reuse, 0 or more
     * @param nanoClock monotonic clock in nanoseconds ({@code System::nanoTime}; a manual clock in tests)
     * @throws IllegalArgumentException when the range holds no pair
     */
    public PortPool(int portMin, int portMax, long quarantineNanos, LongSupplier nanoClock) {
        this.first = portMin % 2 == 0 ? portMin : portMin + 1;
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

    /** An even RTP port whose pair is now in use, or empty when every pair is in use or in quarantine. */
    public synchronized OptionalInt allocate() {
        endQuarantine();
        Integer port = free.pollFirst();
        if (port == null) {
            return OptionalInt.empty();
        }
        inUse.set(pairIndex(port));
        return OptionalInt.of(port);
    }

    /**
     * Puts the pair of {@code port} into quarantine. Returns false, changing nothing, when the port is not an RTP
     * port this pool handed out and that is still in use (a double release must not put a pair in twice).
     */
    public synchronized boolean release(int port) {
        int index = pairIndex(port);
        if (port < first || (port - first) % 2 != 0 || index >= capacity || !inUse.get(index)) {
            return false;
        }
        inUse.clear(index);
        quarantined.addLast(port);
        releasedAt.addLast(nanoClock.getAsLong());
        return true;
    }

    /** Pairs neither in use nor in quarantine. */
    public synchronized int available() {
        endQuarantine();
        return free.size();
    }

    /** Pairs handed out and not released. */
    public synchronized int inUse() {
        return inUse.cardinality();
    }

    /** Pairs resting in quarantine. */
    public synchronized int inQuarantine() {
        endQuarantine();
        return quarantined.size();
    }

    /** Frees the pairs whose quarantine has run out; the head of the queue was released first. */
    private void endQuarantine() {
        long now = nanoClock.getAsLong();
        while (!quarantined.isEmpty() && now - releasedAt.peekFirst() >= quarantineNanos) {
            releasedAt.pollFirst();
            free.addLast(quarantined.pollFirst());
        }
    }

    /** Every pair of the range. */
    public int capacity() {
        return capacity;
    }

    private int pairIndex(int port) {
        return Math.max(0, port - first) / 2;
    }
}
