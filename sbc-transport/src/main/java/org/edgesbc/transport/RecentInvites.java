package org.edgesbc.transport;

import java.util.Arrays;
import org.edgesbc.transport.gate.KeyHash;
import org.edgesbc.transport.gate.ReplyLines;

/**
 * The new INVITEs one UDP socket decided on lately, each known by a key: one set for the calls it let in (keyed by
 * Call-ID) and one for the INVITEs it refused (keyed by the headers that identify the transaction), so that a
 * retransmission can get the decision its first copy got ({@link SipDatagramHandler} decides when). A call let in
 * and then refused on a retransmission, or on a retry of its INVITE (after a challenge, say), would end at the caller
 * while it goes on at the relay; during an overload, an INVITE refused and then let in on a retransmission would take
 * a place that a new caller needs, and a retransmission counted as a new call makes the overload look larger than it
 * is. A retry of a refused INVITE is a new transaction (a new branch and CSeq, after the 503's Retry-After, RFC 3261
 * §21.5.4), so it is judged afresh. A caller retransmits an INVITE until it has a response, at most until Timer B
 * (64×T1, 32 s): much sooner in practice for a call let in (the relay answers 100 Trying at once), up to Timer B for
 * one whose 503 it did not read.
 *
 * <p>Kept as 64-bit hashes ({@link KeyHash}) in two generations of an open-addressing table: a key is remembered for
 * one to two generations, and a generation is cut short once half its slots are taken, which bounds the memory (two
 * arrays of {@link #SLOTS} longs) at any rate of calls. With at most 2 × 131,072 hashes held, a new key matches one
 * by chance about once in 10^14. Touched only on its channel's I/O thread.
 */
final class RecentInvites {
    /** Slots per generation; half of them fill one, 131,072 keys: 16 s at 8,192 calls/s. */
    static final int SLOTS = 1 << 18;
    private static final int MASK = SLOTS - 1;
    private static final long EMPTY = 0;

    private long[] current = new long[SLOTS];
    private long[] previous = new long[SLOTS];
    private int size;
    private int previousSize;
    private long generationStart;
    private final long generationNanos;

    /**
     * @param generationNanos how long a generation lasts: a key is remembered for one to two of them; half of Timer B
     *     (16 s with the RFC's T1) keeps it for as long as a caller retransmits at least
     */
    RecentInvites(long nowNanos, long generationNanos) {
        this.generationStart = nowNanos;
        this.generationNanos = generationNanos;
    }

    void add(String key, long nowNanos) {
        add(KeyHash.of(key), nowNanos);
    }

    /** Remembers a transaction by the lines that identify it, octet for octet. */
    void add(ReplyLines transaction, long nowNanos) {
        add(transaction.hash(KeyHash.FNV_OFFSET), nowNanos);
    }

    private void add(long keyHash, long nowNanos) {
        if (size >= SLOTS / 2) {
            rotate(nowNanos);
        }
        expire(nowNanos);
        long hash = stored(keyHash);
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

    /** Whether no key is remembered. */
    boolean isEmpty(long nowNanos) {
        expire(nowNanos);
        return size == 0 && previousSize == 0;
    }

    /** Whether {@code key} is remembered; without hashing it while nothing is (a socket that refused no INVITE). */
    boolean contains(String key, long nowNanos) {
        return !isEmpty(nowNanos) && contains(KeyHash.of(key));
    }

    /** Whether the transaction these lines identify is remembered; without hashing them while nothing is. */
    boolean contains(ReplyLines transaction, long nowNanos) {
        return !isEmpty(nowNanos) && contains(transaction.hash(KeyHash.FNV_OFFSET));
    }

    private boolean contains(long keyHash) {
        long hash = stored(keyHash);
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
        if (nowNanos - generationStart >= generationNanos) {
            rotate(nowNanos);
        }
    }

    private void rotate(long nowNanos) {
        long[] emptied = previous;
        Arrays.fill(emptied, EMPTY);
        previous = current;
        current = emptied;
        previousSize = size;
        size = 0;
        generationStart = nowNanos;
    }

    /** A key's hash as the table holds it: never {@link #EMPTY}, which marks a free slot. */
    private static long stored(long keyHash) {
        return keyHash == EMPTY ? 1 : keyHash;
    }
}
