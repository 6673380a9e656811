package org.edgesbc.core.relay;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.edgesbc.transport.SipFlow;

/**
 * Completed transactions that stay only to absorb retransmissions for a fixed time (RFC 3261 Timers J and K, RFC 6026
 * Timers L and M): each is its key, the zone it talks to and, where a retransmission is answered, the response to
 * send again; an accepted INVITE the SBC sent also keeps the To-tag of its 2xx and the flow toward the far side, so
 * that a 2xx from another early dialog can still be hung up ({@link SurplusAnswers}).
 * At 3,000 calls/s about 200,000 of them wait at any moment, each for 32 s; as objects (transaction, key, map entry,
 * timer, response) every one of them survived young collections, was promoted and made the full collections that
 * stopped the relay. Here they are bytes in arrays that are reused: entries in the order they came (all have the same
 * lifetime, so they expire from the oldest, with no timer each), their key and response bytes in a second ring, and
 * an open-addressing index from key to entry.
 *
 * <p>Both rings are made of fixed-size segments, taken as the ring grows and kept for reuse as it shrinks, and the
 * index is split into sub-tables by hash, each grown and shrunk on its own. Rings that doubled instead allocated one
 * array as large as everything kept and copied it: at 6,000 calls/s a byte ring of 64 MB, which the young collection
 * that followed copied again, stopping the SBC for 200-390 ms several times in its first minute (docs/performance.md).
 * Segments are not given back: by the time a ring shrinks they sit in the old generation, where letting them go
 * would only fill it with garbage for a full collection to stop the SBC for, as the load comes back; what a peak
 * took stays within the store's bounds.
 * Past its bounds the oldest entries are let go early, and each is reported. One relay shard's thread only.
 */
final class AbsorbingTransactions {
    /** Where a lookup found nothing. */
    static final long NONE = -1;
    /** Entries per segment (a power of two): its ten arrays take about 48 KB. */
    private static final int ENTRY_SHIFT = 10;
    private static final int ENTRIES_PER_SEGMENT = 1 << ENTRY_SHIFT;
    /** Bytes per segment of the byte ring (a power of two). */
    private static final int BYTE_SHIFT = 16;
    private static final int BYTES_PER_SEGMENT = 1 << BYTE_SHIFT;
    /** The index's sub-tables, picked by the top bits of a key's mixed hash (25 bits, see {@link #mix}). */
    private static final int TABLE_BITS = 6;
    private static final int MIXED_HASH_BITS = 25;
    private static final int SMALLEST_TABLE = 64;
    /**
     * An index slot holds an entry's mixed hash above the low bits of its sequence number, and a top bit that tells
     * it from an empty slot (0). Probing, shifting back a chain and rehashing then read the table alone, where reading
     * each probed entry's hash from its segment cost a cache miss per slot passed (docs/performance.md, "The
     * absorbing store's index"). The live entries span fewer sequence numbers than the low bits count, so those bits
     * and the head give the whole number back.
     */
    private static final int SEQUENCE_BITS = 38;
    private static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;
    private static final long OCCUPIED = Long.MIN_VALUE;

    private final long lifetimeNanos;
    private final LongSupplier nanoClock;
    private final int maxEntries;
    private final int maxBytes;

    // Entries, by sequence number: entry s lives in segment s >>> ENTRY_SHIFT at s & (ENTRIES_PER_SEGMENT - 1); the
    // live ones are [head, tail). A segment sits in its table at its number modulo the table's length.
    private long head;
    private long tail;
    private EntrySegment[] entrySegments = new EntrySegment[4];
    private final ArrayDeque<EntrySegment> spareEntrySegments = new ArrayDeque<>();

    // Bytes, by absolute offset, segmented the same way; the live ones are [bytesHead, bytesTail).
    private byte[][] byteSegments = new byte[4][];
    private final ArrayDeque<byte[]> spareByteSegments = new ArrayDeque<>();
    private long bytesHead;
    private long bytesTail;
    private int segmentsAllocated;

    /** Linear probing over index slots ({@link #indexSlot}; 0: empty), each sub-table at most half full. */
    private final long[][] tables = new long[1 << TABLE_BITS][];
    private final int[] tableCounts = new int[1 << TABLE_BITS];
    private final Runnable cutShort;

    /** One segment of entries: parallel arrays, so that the collector sees ten arrays instead of 1,024 objects. */
    private static final class EntrySegment {
        final long[] expiresAt = new long[ENTRIES_PER_SEGMENT];
        final long[] start = new long[ENTRIES_PER_SEGMENT];
        final int[] keyLength = new int[ENTRIES_PER_SEGMENT];
        /** Bytes of the tag after the key; -1 for none. */
        final int[] tagLength = new int[ENTRIES_PER_SEGMENT];
        final int[] payloadLength = new int[ENTRIES_PER_SEGMENT];
        final int[] hash = new int[ENTRIES_PER_SEGMENT];
        final SipFlow[] flow = new SipFlow[ENTRIES_PER_SEGMENT];
        final SipFlow[] farFlow = new SipFlow[ENTRIES_PER_SEGMENT];
        final String[] zone = new String[ENTRIES_PER_SEGMENT];
        /** Of an accepted INVITE: the To-tag of the last surplus 2xx hung up, or null (rare, so kept as a string). */
        final String[] surplusTag = new String[ENTRIES_PER_SEGMENT];
    }

    /**
     * @param lifetimeNanos how long each entry absorbs retransmissions
     * @param maxEntries entries kept at most; beyond them the oldest goes early
     * @param maxBytes key and response bytes kept at most; beyond them the oldest go early
     * @param cutShort told of each entry let go before its time (a retransmission after that is not absorbed)
     */
    AbsorbingTransactions(long lifetimeNanos, LongSupplier nanoClock, int maxEntries, int maxBytes,
            Runnable cutShort) {
        this(lifetimeNanos, nanoClock, maxEntries, maxBytes, cutShort, 0);
    }

    /**
     * As the other constructor, with sequence numbers from {@code firstSequence} (a multiple of a segment's entries)
     * instead of 0: a store that has run for years, whose numbers passed what an index slot holds of them.
     */
    AbsorbingTransactions(long lifetimeNanos, LongSupplier nanoClock, int maxEntries, int maxBytes,
            Runnable cutShort, long firstSequence) {
        if (maxBytes < 1) {
            throw new IllegalArgumentException("maxBytes must be positive");
        }
        this.lifetimeNanos = lifetimeNanos;
        this.nanoClock = nanoClock;
        this.maxEntries = Math.max(1, maxEntries);
        this.maxBytes = maxBytes;
        this.cutShort = cutShort;
        if (slot(firstSequence) != 0) {
            throw new IllegalArgumentException("firstSequence must start a segment");
        }
        this.head = firstSequence;
        this.tail = firstSequence;
        for (int t = 0; t < tables.length; t++) {
            tables[t] = new long[SMALLEST_TABLE];
        }
    }

    int size() {
        expire();
        return (int) (tail - head);
    }

    /**
     * Keeps {@code key} for the lifetime: a retransmission found by it is absorbed ({@link #resend} sends
     * {@code response} again over {@code flow}, if there is one).
     *
     * @param zone the zone the transaction talks to, for the caller's checks
     * @param response the final response to send again, or null
     */
    void add(String key, String zone, SipFlow flow, byte[] response) {
        add(key, zone, flow, response, null, null);
    }

    /**
     * As {@link #add(String, String, SipFlow, byte[])}, for an accepted INVITE the SBC sent: {@code flow} and
     * {@code response} are the caller's and the 2xx relayed to it, {@code tag} the To-tag of the far side's 2xx
     * ({@link #hasTag}), {@code farFlow} the flow the INVITE went out on.
     */
    void add(String key, String zone, SipFlow flow, byte[] response, String tag, SipFlow farFlow) {
        expire();
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        byte[] tagBytes = tag == null ? null : tag.getBytes(StandardCharsets.UTF_8);
        int payload = response == null ? 0 : response.length;
        int need = keyBytes.length + (tagBytes == null ? 0 : tagBytes.length) + payload;
        if (need > maxBytes) {
            cutShort.run();
            return;
        }
        while (tail - head >= maxEntries || bytesTail - bytesHead + need > maxBytes) {
            removeHead();
            cutShort.run();
        }
        EntrySegment segment = slot(tail) == 0 ? takeEntrySegment() : segment(tail);
        int slot = slot(tail);
        segment.expiresAt[slot] = nanoClock.getAsLong() + lifetimeNanos;
        segment.start[slot] = bytesTail;
        segment.keyLength[slot] = keyBytes.length;
        segment.tagLength[slot] = tagBytes == null ? -1 : tagBytes.length;
        segment.payloadLength[slot] = payload;
        segment.hash[slot] = key.hashCode();
        segment.flow[slot] = flow;
        segment.farFlow[slot] = farFlow;
        segment.zone[slot] = zone;
        segment.surplusTag[slot] = null;
        write(keyBytes);
        if (tagBytes != null) {
            write(tagBytes);
        }
        if (response != null) {
            write(response);
        }
        insertIndex(tail, segment.hash[slot]);
        tail++;
    }

    /** The live entry kept under {@code key}, or {@link #NONE}. */
    long find(String key) {
        expire();
        if (tail == head) {
            return NONE;
        }
        int h = key.hashCode();
        int mixed = mix(h);
        long hashBits = hashBits(mixed);
        long[] table = tables[mixed >>> (MIXED_HASH_BITS - TABLE_BITS)];
        int mask = table.length - 1;
        byte[] keyBytes = null;
        for (int i = mixed & mask; table[i] != 0; i = (i + 1) & mask) {
            if ((table[i] & ~SEQUENCE_MASK) != hashBits) {
                continue;
            }
            long seq = sequence(table[i]);
            EntrySegment segment = segment(seq);
            int slot = slot(seq);
            if (keyBytes == null) {
                keyBytes = key.getBytes(StandardCharsets.UTF_8);
            }
            if (segment.hash[slot] == h && segment.keyLength[slot] == keyBytes.length
                    && bytesEqual(segment.start[slot], keyBytes)) {
                return seq;
            }
        }
        return NONE;
    }

    String zone(long entry) {
        return segment(entry).zone[slot(entry)];
    }

    /** Whether the entry kept {@code tag} (a null tag only matches an entry kept without one). */
    boolean hasTag(long entry, String tag) {
        EntrySegment segment = segment(entry);
        int slot = slot(entry);
        if (tag == null || segment.tagLength[slot] < 0) {
            return tag == null && segment.tagLength[slot] < 0;
        }
        byte[] tagBytes = tag.getBytes(StandardCharsets.UTF_8);
        return tagBytes.length == segment.tagLength[slot]
                && bytesEqual(segment.start[slot] + segment.keyLength[slot], tagBytes);
    }

    SipFlow farFlow(long entry) {
        return segment(entry).farFlow[slot(entry)];
    }

    String surplusTag(long entry) {
        return segment(entry).surplusTag[slot(entry)];
    }

    void surplusTag(long entry, String tag) {
        segment(entry).surplusTag[slot(entry)] = tag;
    }

    /** Sends the entry's response again over its flow; false when it kept none. */
    boolean resend(long entry) {
        EntrySegment segment = segment(entry);
        int slot = slot(entry);
        if (segment.payloadLength[slot] == 0) {
            return false;
        }
        byte[] response = new byte[segment.payloadLength[slot]];
        read(segment.start[slot] + segment.keyLength[slot] + Math.max(0, segment.tagLength[slot]), response);
        segment.flow[slot].send(response);
        return true;
    }

    /** Lets go of every entry whose lifetime is over. */
    void expire() {
        long now = nanoClock.getAsLong();
        while (tail != head && segment(head).expiresAt[slot(head)] - now <= 0) {
            removeHead();
        }
    }

    /** Segments of both rings allocated so far: what the store weighs, since none is given back. */
    int segmentsAllocated() {
        return segmentsAllocated;
    }

    private void removeHead() {
        EntrySegment segment = segment(head);
        int slot = slot(head);
        removeIndex(head, segment.hash[slot]);
        segment.flow[slot] = null;
        segment.farFlow[slot] = null;
        segment.zone[slot] = null;
        segment.surplusTag[slot] = null;
        head++;
        if (slot(head) == 0) {
            int passed = entryIndex(head - 1);
            spareEntrySegments.push(entrySegments[passed]);
            entrySegments[passed] = null;
        }
        long newBytesHead = tail == head ? bytesTail : segment(head).start[slot(head)];
        for (long s = bytesHead >>> BYTE_SHIFT; s < newBytesHead >>> BYTE_SHIFT; s++) {
            int passed = (int) s & (byteSegments.length - 1);
            spareByteSegments.push(byteSegments[passed]);
            byteSegments[passed] = null;
        }
        bytesHead = newBytesHead;
    }

    private EntrySegment segment(long seq) {
        return entrySegments[entryIndex(seq)];
    }

    private int entryIndex(long seq) {
        return (int) (seq >>> ENTRY_SHIFT) & (entrySegments.length - 1);
    }

    private static int slot(long seq) {
        return (int) seq & (ENTRIES_PER_SEGMENT - 1);
    }

    /** A new segment for the entry at the tail, the first of its segment, placed in the table (grown if full). */
    private EntrySegment takeEntrySegment() {
        long first = head >>> ENTRY_SHIFT;
        long taken = tail >>> ENTRY_SHIFT;
        if (taken - first + 1 > entrySegments.length) {
            entrySegments = grown(entrySegments, first, taken);
        }
        EntrySegment segment = reuseOrAllocate(spareEntrySegments, EntrySegment::new);
        entrySegments[entryIndex(tail)] = segment;
        return segment;
    }

    /** The byte segment the tail writes at {@code offset}: a new one, placed in the table, at a segment's start. */
    private byte[] byteSegmentForWrite(long offset) {
        if ((offset & (BYTES_PER_SEGMENT - 1)) != 0) {
            return byteSegment(offset);
        }
        long first = bytesHead >>> BYTE_SHIFT;
        long taken = offset >>> BYTE_SHIFT;
        if (taken - first + 1 > byteSegments.length) {
            byteSegments = grown(byteSegments, first, taken);
        }
        byte[] segment = reuseOrAllocate(spareByteSegments, () -> new byte[BYTES_PER_SEGMENT]);
        byteSegments[(int) taken & (byteSegments.length - 1)] = segment;
        return segment;
    }

    /**
     * A table of segments twice as long as {@code table}, holding segments {@code first} (inclusive) to
     * {@code end} (exclusive) at their numbers modulo its length.
     */
    private static <T> T[] grown(T[] table, long first, long end) {
        T[] grown = Arrays.copyOf(table, table.length * 2);
        Arrays.fill(grown, null);
        for (long s = first; s < end; s++) {
            grown[(int) s & (grown.length - 1)] = table[(int) s & (table.length - 1)];
        }
        return grown;
    }

    /** A spare segment, or a new one (counted) when none is spare. */
    private <T> T reuseOrAllocate(ArrayDeque<T> spares, Supplier<T> allocate) {
        T segment = spares.poll();
        if (segment == null) {
            segment = allocate.get();
            segmentsAllocated++;
        }
        return segment;
    }

    private byte[] byteSegment(long offset) {
        return byteSegments[(int) (offset >>> BYTE_SHIFT) & (byteSegments.length - 1)];
    }

    private static int mix(int h) {
        // Fibonacci hashing spreads String hashes, whose low bits cluster for keys differing only at their end.
        return (h * 0x9E3779B9) >>> (32 - MIXED_HASH_BITS);
    }

    /** The index slot's bits above the sequence number for an entry of mixed hash {@code mixed}. */
    private static long hashBits(int mixed) {
        return OCCUPIED | (long) mixed << SEQUENCE_BITS;
    }

    private static long indexSlot(long seq, int mixed) {
        return hashBits(mixed) | seq & SEQUENCE_MASK;
    }

    private static int mixedOf(long indexSlot) {
        return (int) (indexSlot >>> SEQUENCE_BITS) & ((1 << MIXED_HASH_BITS) - 1);
    }

    /** The sequence number of a live entry from its index slot: the one in [head, tail) with those low bits. */
    private long sequence(long indexSlot) {
        return head + ((indexSlot - head) & SEQUENCE_MASK);
    }

    private void insertIndex(long seq, int h) {
        int mixed = mix(h);
        int t = mixed >>> (MIXED_HASH_BITS - TABLE_BITS);
        if (2 * (tableCounts[t] + 1) > tables[t].length) {
            resizeTable(t, tables[t].length * 2);
        }
        long[] table = tables[t];
        int mask = table.length - 1;
        int i = mixed & mask;
        while (table[i] != 0) {
            i = (i + 1) & mask;
        }
        table[i] = indexSlot(seq, mixed);
        tableCounts[t]++;
    }

    /** Removes {@code seq}'s index slot and shifts back the probe chain behind it, so no lookup stops short. */
    private void removeIndex(long seq, int h) {
        int mixed = mix(h);
        int t = mixed >>> (MIXED_HASH_BITS - TABLE_BITS);
        long[] table = tables[t];
        int mask = table.length - 1;
        int i = mixed & mask;
        long removed = indexSlot(seq, mixed);
        while (table[i] != removed) {
            i = (i + 1) & mask;
        }
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (table[j] == 0) {
                break;
            }
            int home = mixedOf(table[j]) & mask;
            // The entry at j may move to the hole at i unless its home lies cyclically in (i, j].
            boolean homeBetween = i <= j ? home > i && home <= j : home > i || home <= j;
            if (!homeBetween) {
                table[i] = table[j];
                i = j;
            }
        }
        table[i] = 0;
        tableCounts[t]--;
        if (table.length > SMALLEST_TABLE && 8 * tableCounts[t] < table.length) {
            resizeTable(t, table.length / 2);
        }
    }

    /** Rehashes one sub-table into {@code length} slots: a sixty-fourth of the entries, never all of them. */
    private void resizeTable(int t, int length) {
        long[] old = tables[t];
        long[] resized = new long[length];
        int mask = length - 1;
        for (long entry : old) {
            if (entry != 0) {
                int i = mixedOf(entry) & mask;
                while (resized[i] != 0) {
                    i = (i + 1) & mask;
                }
                resized[i] = entry;
            }
        }
        tables[t] = resized;
    }

    private void write(byte[] source) {
        for (int done = 0; done < source.length; ) {
            byte[] segment = byteSegmentForWrite(bytesTail);
            int at = (int) bytesTail & (BYTES_PER_SEGMENT - 1);
            int run = Math.min(source.length - done, BYTES_PER_SEGMENT - at);
            System.arraycopy(source, done, segment, at, run);
            done += run;
            bytesTail += run;
        }
    }

    private void read(long offset, byte[] target) {
        for (int done = 0; done < target.length; ) {
            int at = (int) (offset + done) & (BYTES_PER_SEGMENT - 1);
            int run = Math.min(target.length - done, BYTES_PER_SEGMENT - at);
            System.arraycopy(byteSegment(offset + done), at, target, done, run);
            done += run;
        }
    }

    private boolean bytesEqual(long offset, byte[] expected) {
        for (int done = 0; done < expected.length; ) {
            int at = (int) (offset + done) & (BYTES_PER_SEGMENT - 1);
            int run = Math.min(expected.length - done, BYTES_PER_SEGMENT - at);
            if (!Arrays.equals(byteSegment(offset + done), at, at + run, expected, done, done + run)) {
                return false;
            }
            done += run;
        }
        return true;
    }
}
