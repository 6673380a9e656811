package org.edgesbc.transport;

import java.util.Arrays;

/**
 * The Call-IDs of the new calls one UDP socket decided on lately, one set for those it let in and one for those it
 * refused, so that a retransmission of their INVITE gets the decision its first copy got. A call let in and then
 * refused on a retransmission would end at the caller while it goes on at the relay, whose transaction absorbs the
 * retransmission anyway; a call refused and then let in on a retransmission would take a place that a new caller
 * needs, and a retransmission counted as a new call makes an overload look larger than it is. A caller retransmits
 * an INVITE until it has a response, at most until Timer B (64×T1, 32 s): much sooner in practice for a call let
 * in (the relay answers 100 Trying at once), up to Timer B for one whose 503 it did not read.
 *
 * <p>Kept as 64-bit hashes in two generations of an open-addressing table: a Call-ID is remembered for one to two
 * generations, and a generation is cut short once half its slots are taken, which bounds the memory (two arrays of
 * {@link #SLOTS} longs) at any rate of calls. With at most 2 × 131,072 hashes held, a new Call-ID matches one by
 * chance about once in 10^14 calls. Touched only on its channel's I/O thread.
 */
final class RecentCallIds {
    /** How long a generation lasts: a Call-ID is remembered for 16 to 32 s, as long as Timer B at least. */
    static final long GENERATION_NANOS = 16_000_000_000L;
    /** Slots per generation; half of them fill one, 131,072 calls: 16 s at 8,192 calls/s. */
    static final int SLOTS = 1 << 18;
    private static final int MASK = SLOTS - 1;
    private static final long EMPTY = 0;

    private long[] current = new long[SLOTS];
    private long[] previous = new long[SLOTS];
    private int size;
    private long generationStart;

    RecentCallIds(long nowNanos) {
        generationStart = nowNanos;
    }

    void add(String callId, long nowNanos) {
        if (size >= SLOTS / 2) {
            rotate(nowNanos);
        }
        expire(nowNanos);
        long hash = hash(callId);
        for (int i = (int) hash & MASK; ; i = (i + 1) & MASK) {
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
        long hash = hash(callId);
        return contains(current, hash) || contains(previous, hash);
    }

    private static boolean contains(long[] table, long hash) {
        for (int i = (int) hash & MASK; table[i] != EMPTY; i = (i + 1) & MASK) {
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
        long[] emptied = previous;
        Arrays.fill(emptied, EMPTY);
        previous = current;
        current = emptied;
        size = 0;
        generationStart = nowNanos;
    }

    /**
     * The Call-ID's 64-bit hash (FNV-1a over its characters, then MurmurHash3's finaliser so that the low bits that
     * index the table depend on every character), never {@link #EMPTY}. {@code String.hashCode} has 32 bits only.
     */
    private static long hash(String callId) {
        long hash = 0xcbf29ce484222325L;
        for (int i = 0; i < callId.length(); i++) {
            hash = (hash ^ callId.charAt(i)) * 0x100000001b3L;
        }
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        hash ^= hash >>> 33;
        return hash == EMPTY ? 1 : hash;
    }
}
