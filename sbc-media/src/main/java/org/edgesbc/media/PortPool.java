package org.edgesbc.media;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.BitSet;
import java.util.OptionalInt;
import java.util.function.LongSupplier;

/**
 * Even RTP ports (the odd port above each carries RTCP, RFC 3550 §11) from a configured range. Bounded by the range:
 * each pair is free, in use, or in quarantine. A released pair rests in quarantine for the configured time before it
 * is handed out again, so late packets of an ended call never reach a new one. Exhaustion returns an empty result,
 * never throws; releasing a port that is not in use is ignored. Thread-safe (allocations come from relay shards,
 * releases from whoever ends a call), with one lock: allocation is per call, not per packet.
 *
 * <p>A pair may also be bound: its sockets, registered with one of the relay's event loops (a slot), stay open
 * from the moment they are {@link #markBound bound} until the relay shuts down or retires the pair. A bound pair
 * that is neither in use nor in quarantine is ready: {@link #allocateBound} hands it out for its slot, and after
 * release and quarantine it is ready again, not closed and rebound. {@link #allocate} hands out only unbound pairs,
 * to be bound; a pair that cannot be bound is released like any other and rests in quarantine. Ready pairs beyond
 * what a slot keeps are {@link #retireSurplus retired} (closed by the relay, then {@link #unbound} and free again),
 * so the sockets held follow the load instead of its high-water mark.
 */
public final class PortPool {
    private final int first;
    private final int capacity;
    private final long quarantineNanos;
    private final LongSupplier nanoClock;
    /** Pairs neither in use nor in quarantine that are not bound. */
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    /** Per slot, bound pairs neither in use nor in quarantine, in the order they became ready. */
    private final ArrayDeque<Integer>[] ready;
    private int readyCount;
    /** Per pair index, the slot whose loop holds its bound sockets; -1 while unbound. */
    private final int[] slotOf;
    /** Released pairs in release order, so the head is always the first to leave quarantine. */
    private final ArrayDeque<Integer> quarantined = new ArrayDeque<>();
    private final ArrayDeque<Long> releasedAt = new ArrayDeque<>();
    /** Pair index (port - first) / 2 of every pair in use. */
    private final BitSet inUse = new BitSet();
    /** Pair index of every retired pair whose sockets are being closed. */
    private final BitSet retiring = new BitSet();

    /**
     * @param portMin first port; an odd value starts at the next even port
     * @param portMax last port; the last pair must fit below or at it
     * @param slots event loops bound pairs may belong to, at least 1
     * @param quarantineNanos how long a released pair rests before reuse, 0 or more
     * @param nanoClock monotonic clock in nanoseconds ({@code System::nanoTime}; a manual clock in tests)
     * @throws IllegalArgumentException when the range holds no pair or there is no slot
     */
    @SuppressWarnings("unchecked")
    public PortPool(int portMin, int portMax, int slots, long quarantineNanos, LongSupplier nanoClock) {
        if (slots < 1) {
            throw new IllegalArgumentException("slots " + slots + " must be at least 1");
        }
        this.first = portMin % 2 == 0 ? portMin : portMin + 1;
        for (int port = first; port + 1 <= portMax; port += 2) {
            free.add(port);
        }
        if (free.isEmpty()) {
            throw new IllegalArgumentException("port range " + portMin + "-" + portMax + " holds no RTP/RTCP pair");
        }
        this.capacity = free.size();
        this.slotOf = new int[capacity];
        Arrays.fill(slotOf, -1);
        this.ready = new ArrayDeque[slots];
        for (int slot = 0; slot < slots; slot++) {
            ready[slot] = new ArrayDeque<>();
        }
        this.quarantineNanos = quarantineNanos;
        this.nanoClock = nanoClock;
    }

    /**
     * An even RTP port of an unbound pair, now in use so that it can be bound; empty when every such pair is in use
     * or in quarantine.
     */
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
     * Marks the in-use pair of {@code port}, just bound on {@code slot}'s loop, ready for {@link #allocateBound}.
     * Returns false, changing nothing, when the pair is not in use or already bound.
     */
    public synchronized boolean markBound(int port, int slot) {
        if (!isInUse(port) || slotOf[pairIndex(port)] >= 0 || slot < 0 || slot >= ready.length) {
            return false;
        }
        inUse.clear(pairIndex(port));
        slotOf[pairIndex(port)] = slot;
        ready[slot].addLast(port);
        readyCount++;
        return true;
    }

    /** An even RTP port of a bound pair of {@code slot}, now in use; empty when none of its bound pairs is ready. */
    public synchronized OptionalInt allocateBound(int slot) {
        endQuarantine();
        Integer port = ready[slot].pollFirst();
        if (port == null) {
            return OptionalInt.empty();
        }
        readyCount--;
        inUse.set(pairIndex(port));
        return OptionalInt.of(port);
    }

    /** Bound pairs of {@code slot} neither in use nor in quarantine. */
    public synchronized int ready(int slot) {
        endQuarantine();
        return ready[slot].size();
    }

    /** Bound pairs of every slot neither in use nor in quarantine. */
    public synchronized int ready() {
        endQuarantine();
        return readyCount;
    }

    /**
     * Takes the ready pairs of {@code slot} beyond the {@code keep} longest ready out of the pool, to be closed: until
     * {@link #unbound} returns each, it is neither ready nor free, so no loop binds or hands out a pair whose
     * sockets are still open. Returns their even RTP ports, none when the slot has at most {@code keep} ready.
     */
    public synchronized int[] retireSurplus(int slot, int keep) {
        endQuarantine();
        int surplus = Math.max(0, ready[slot].size() - keep);
        int[] retired = new int[surplus];
        for (int i = 0; i < surplus; i++) {
            retired[i] = ready[slot].pollLast();
            retiring.set(pairIndex(retired[i]));
        }
        readyCount -= surplus;
        return retired;
    }

    /**
     * Makes a {@link #retireSurplus retired} pair, its sockets now closed, free to be bound again. Returns false,
     * changing nothing, for a port that is not retired.
     */
    public synchronized boolean unbound(int port) {
        int index = pairIndex(port);
        if (!isPairPort(port) || !retiring.get(index)) {
            return false;
        }
        retiring.clear(index);
        slotOf[index] = -1;
        free.addLast(port);
        return true;
    }

    /**
     * Puts the pair of {@code port} into quarantine. Returns false, changing nothing, when the port is not an RTP
     * port this pool handed out and that is still in use (a double release must not put a pair in twice).
     */
    public synchronized boolean release(int port) {
        if (!isInUse(port)) {
            return false;
        }
        inUse.clear(pairIndex(port));
        quarantined.addLast(port);
        releasedAt.addLast(nanoClock.getAsLong());
        return true;
    }

    /** Pairs neither in use nor in quarantine, bound or not. */
    public synchronized int available() {
        endQuarantine();
        return free.size() + readyCount;
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

    /**
     * Frees the pairs whose quarantine has run out, a bound pair as ready on its slot; the head of the queue was
     * released first.
     */
    private void endQuarantine() {
        long now = nanoClock.getAsLong();
        while (!quarantined.isEmpty() && now - releasedAt.peekFirst() >= quarantineNanos) {
            releasedAt.pollFirst();
            int port = quarantined.pollFirst();
            int slot = slotOf[pairIndex(port)];
            if (slot < 0) {
                free.addLast(port);
            } else {
                ready[slot].addLast(port);
                readyCount++;
            }
        }
    }

    private boolean isInUse(int port) {
        return isPairPort(port) && inUse.get(pairIndex(port));
    }

    /** Whether {@code port} is the even RTP port of a pair of the range. */
    private boolean isPairPort(int port) {
        return port >= first && (port - first) % 2 == 0 && pairIndex(port) < capacity;
    }

    /** Every pair of the range. */
    public int capacity() {
        return capacity;
    }

    /** Where the pair of an RTP port of the range sits, 0 to {@link #capacity} - 1. */
    int pairIndex(int port) {
        return Math.max(0, port - first) / 2;
    }
}
