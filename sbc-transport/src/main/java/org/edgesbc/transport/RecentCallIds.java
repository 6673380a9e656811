package org.edgesbc.transport;

import java.util.Arrays;

/**
 * The Call-IDs of the new calls one UDP socket let in lately, so that a retransmission of their INVITE is never
 * refused: refused, it would end at the caller a call that goes on at the relay, whose transaction absorbs the
 * retransmission anyway. A caller retransmits an INVITE until it has a provisional response, at most until Timer B
 * (64×T1, 32 s), and much sooner in practice: the relay answers 100 Trying at once.
 *
 * <p>Kept as 32-bit hashes in two generations of an open-addressing table: a Call-ID is remembered for one to two
 * generations, and a generation is cut short once half its slots are taken, which bounds the memory (two arrays of
 * {@link #SLOTS} ints) at any rate of calls. A hash that collides lets a new call in that the rate would have
 * refused, one in millions: harmless. Touched only on its channel's I/O thread.
 */
final class AdmittedCalls {
    /** How long a generation lasts: a Call-ID is remembered for 16 to 32 s. */
    static final long GENERATION_NANOS = 16_000_000_000L;
    /** Slots per generation; half of them fill one, 131,072 calls: 16 s at 8,192 calls/s. */
    static final int SLOTS = 1 << 18;
    private static final int MASK = SLOTS - 1;
    private static final int EMPTY = 0;

    private int[] current = new int[SLOTS];
    private int[] previous = new int[SLOTS];
    private int size;
    private long generationStart;

    AdmittedCalls(long nowNanos) {
        generationStart = nowNanos;
    }

    void add(String callId, long nowNanos) {
        if (size >= SLOTS / 2) {
            rotate(nowNanos);
        }
        expire(nowNanos);
        int hash = hash(callId);
        for (int i = hash & MASK; ; i = (i + 1) & MASK) {
            if (current[i] == hash) {
                return;
            }
            if (current[i] == EMPTY) {
                current[i] = hash;
                size++;
                return;
            }
        }
    }

    boolean contains(String callId, long nowNanos) {
        expire(nowNanos);
        int hash = hash(callId);
        return contains(current, hash) || contains(previous, hash);
    }

    private static boolean contains(int[] table, int hash) {
        for (int i = hash & MASK; table[i] != EMPTY; i = (i + 1) & MASK) {
            if (table[i] == hash) {
                return true;
            }
        }
        return false;
    }

    private void expire(long nowNanos) {
        if (nowNanos - generationStart >= GENERATION_NANOS) {
            rotate(nowNanos);
        }
    }

    private void rotate(long nowNanos) {
        int[] emptied = previous;
        Arrays.fill(emptied, EMPTY);
        previous = current;
        current = emptied;
        size = 0;
        generationStart = nowNanos;
    }

    /** The Call-ID's hash spread over all 32 bits (Fibonacci hashing), never {@link #EMPTY}. */
    private static int hash(String callId) {
        int hash = callId.hashCode() * 0x9E3779B9;
        return hash == EMPTY ? 1 : hash;
    }
}
