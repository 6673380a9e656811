package org.edgesbc.core.relay;

import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;
import org.edgesbc.transport.SipFlow;

/**
 * Completed transactions that stay only to absorb retransmissions for a fixed time (RFC 3261 Timers J and K, RFC 6026
 * Timers L and M): each is its key, the zone it talks to and, where a retransmission is answered, the response to
 * send again; an accepted INVITE the SBC sent also keeps the To-tag of its 2xx and the flow toward the far side, so
 * that a 2xx from another early dialog can still be hung up ({@link SurplusAnswers}).
 * At 3,000 calls/s about 200,000 of them wait at any moment, each for 32 s; as objects (transaction, key, map entry,
 * timer, response) every one of them survived young collections, was promoted and made the full collections that
 * stopped the relay. Here they are bytes in arrays that are allocated once and reused: one ring of entries in the
 * order they came (all have the same lifetime, so they expire from the oldest, with no timer each), one ring of key
 * and response bytes, and an open-addressing index from key to entry. Both rings grow by doubling up to their
 * bounds; past a bound the oldest entries are let go early, and each is reported. One relay shard's thread only.
 */
final class AbsorbingTransactions {
    /** Where a lookup found nothing. */
    static final long NONE = -1;
    private static final int FIRST_ENTRIES = 1024;
    private static final int FIRST_BYTES = 256 * 1024;

    private final long lifetimeNanos;
    private final LongSupplier nanoClock;
    private final int maxEntries;
    private final int maxBytes;

    // Entry ring, by sequence number: entry s lives in slot s & (capacity - 1); the live ones are [head, tail).
    private long head;
    private long tail;
    private long[] expiresAt = new long[FIRST_ENTRIES];
    private long[] start = new long[FIRST_ENTRIES];
    private int[] keyLength = new int[FIRST_ENTRIES];
    /** Bytes of the tag after the key; -1 for none. */
    private int[] tagLength = new int[FIRST_ENTRIES];
    private int[] payloadLength = new int[FIRST_ENTRIES];
    private int[] hash = new int[FIRST_ENTRIES];
    private SipFlow[] flow = new SipFlow[FIRST_ENTRIES];
    private SipFlow[] farFlow = new SipFlow[FIRST_ENTRIES];
    private String[] zone = new String[FIRST_ENTRIES];
    /** Of an accepted INVITE: the To-tag of the last surplus 2xx hung up, or null (rare, so kept as a string). */
    private String[] surplusTag = new String[FIRST_ENTRIES];

    // Byte ring, by absolute offset: byte o lives at o & (bytes.length - 1); the live ones are [bytesHead, bytesTail).
    private byte[] bytes = new byte[FIRST_BYTES];
    private long bytesHead;
    private long bytesTail;

    /** Linear probing over sequence number + 1 (0: empty), at most half full. */
    private long[] index = new long[2 * FIRST_ENTRIES];
    private final Runnable cutShort;

    /**
     * @param lifetimeNanos how long each entry absorbs retransmissions
     * @param maxEntries entries kept at most; beyond them the oldest goes early
     * @param maxBytes key and response bytes kept at most (a power of two); beyond them the oldest go early
     * @param cutShort told of each entry let go before its time (a retransmission after that is not absorbed)
     */
    AbsorbingTransactions(long lifetimeNanos, LongSupplier nanoClock, int maxEntries, int maxBytes,
            Runnable cutShort) {
        if (Integer.bitCount(maxBytes) != 1 || maxBytes < FIRST_BYTES) {
            throw new IllegalArgumentException("maxBytes must be a power of two of at least " + FIRST_BYTES);
        }
        this.lifetimeNanos = lifetimeNanos;
        this.nanoClock = nanoClock;
        this.maxEntries = Math.max(1, maxEntries);
        this.maxBytes = maxBytes;
        this.cutShort = cutShort;
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
        if (tail - head == expiresAt.length) {
            growEntries();
        }
        while (bytesTail - bytesHead + need > bytes.length) {
            growBytes();
        }
        int slot = slot(tail);
        expiresAt[slot] = nanoClock.getAsLong() + lifetimeNanos;
        start[slot] = bytesTail;
        keyLength[slot] = keyBytes.length;
        tagLength[slot] = tagBytes == null ? -1 : tagBytes.length;
        payloadLength[slot] = payload;
        hash[slot] = key.hashCode();
        this.flow[slot] = flow;
        this.farFlow[slot] = farFlow;
        this.zone[slot] = zone;
        this.surplusTag[slot] = null;
        write(keyBytes);
        if (tagBytes != null) {
            write(tagBytes);
        }
        if (response != null) {
            write(response);
        }
        insertIndex(tail);
        tail++;
    }

    /** The live entry kept under {@code key}, or {@link #NONE}. */
    long find(String key) {
        expire();
        if (tail == head) {
            return NONE;
        }
        byte[] keyBytes = key.getBytes(StandardCharsets.UTF_8);
        int h = key.hashCode();
        int mask = index.length - 1;
        for (int i = mix(h) & mask; index[i] != 0; i = (i + 1) & mask) {
            long seq = index[i] - 1;
            int slot = slot(seq);
            if (hash[slot] == h && keyLength[slot] == keyBytes.length && bytesEqual(start[slot], keyBytes)) {
                return seq;
            }
        }
        return NONE;
    }

    String zone(long entry) {
        return zone[slot(entry)];
    }

    /** Whether the entry kept {@code tag} (a null tag only matches an entry kept without one). */
    boolean hasTag(long entry, String tag) {
        int slot = slot(entry);
        if (tag == null || tagLength[slot] < 0) {
            return tag == null && tagLength[slot] < 0;
        }
        byte[] tagBytes = tag.getBytes(StandardCharsets.UTF_8);
        return tagBytes.length == tagLength[slot] && bytesEqual(start[slot] + keyLength[slot], tagBytes);
    }

    SipFlow farFlow(long entry) {
        return farFlow[slot(entry)];
    }

    String surplusTag(long entry) {
        return surplusTag[slot(entry)];
    }

    void surplusTag(long entry, String tag) {
        surplusTag[slot(entry)] = tag;
    }

    /** Sends the entry's response again over its flow; false when it kept none. */
    boolean resend(long entry) {
        int slot = slot(entry);
        if (payloadLength[slot] == 0) {
            return false;
        }
        byte[] response = new byte[payloadLength[slot]];
        read(start[slot] + keyLength[slot] + Math.max(0, tagLength[slot]), response);
        flow[slot].send(response);
        return true;
    }

    /** Lets go of every entry whose lifetime is over. */
    void expire() {
        long now = nanoClock.getAsLong();
        while (tail != head && expiresAt[slot(head)] - now <= 0) {
            removeHead();
        }
    }

    private void removeHead() {
        int slot = slot(head);
        removeIndex(head, hash[slot]);
        flow[slot] = null;
        farFlow[slot] = null;
        zone[slot] = null;
        surplusTag[slot] = null;
        head++;
        bytesHead = tail == head ? bytesTail : start[slot(head)];
    }

    private int slot(long seq) {
        return (int) seq & (expiresAt.length - 1);
    }

    private static int mix(int h) {
        // Fibonacci hashing spreads String hashes, whose low bits cluster for keys differing only at their end.
        return (h * 0x9E3779B9) >>> 7;
    }

    private void insertIndex(long seq) {
        int mask = index.length - 1;
        int i = mix(hash[slot(seq)]) & mask;
        while (index[i] != 0) {
            i = (i + 1) & mask;
        }
        index[i] = seq + 1;
    }

    /** Removes {@code seq}'s index slot and shifts back the probe chain behind it, so no lookup stops short. */
    private void removeIndex(long seq, int h) {
        int mask = index.length - 1;
        int i = mix(h) & mask;
        while (index[i] != seq + 1) {
            i = (i + 1) & mask;
        }
        int j = i;
        while (true) {
            j = (j + 1) & mask;
            if (index[j] == 0) {
                break;
            }
            int home = mix(hash[slot(index[j] - 1)]) & mask;
            // The entry at j may move to the hole at i unless its home lies cyclically in (i, j].
            boolean homeBetween = i <= j ? home > i && home <= j : home > i || home <= j;
            if (!homeBetween) {
                index[i] = index[j];
                i = j;
            }
        }
        index[i] = 0;
    }

    private void growEntries() {
        int capacity = expiresAt.length * 2;
        long[] newExpiresAt = new long[capacity];
        long[] newStart = new long[capacity];
        int[] newKeyLength = new int[capacity];
        int[] newTagLength = new int[capacity];
        int[] newPayloadLength = new int[capacity];
        int[] newHash = new int[capacity];
        SipFlow[] newFlow = new SipFlow[capacity];
        SipFlow[] newFarFlow = new SipFlow[capacity];
        String[] newZone = new String[capacity];
        String[] newSurplusTag = new String[capacity];
        for (long seq = head; seq < tail; seq++) {
            int from = slot(seq);
            int to = (int) seq & (capacity - 1);
            newExpiresAt[to] = expiresAt[from];
            newStart[to] = start[from];
            newKeyLength[to] = keyLength[from];
            newTagLength[to] = tagLength[from];
            newPayloadLength[to] = payloadLength[from];
            newHash[to] = hash[from];
            newFlow[to] = flow[from];
            newFarFlow[to] = farFlow[from];
            newZone[to] = zone[from];
            newSurplusTag[to] = surplusTag[from];
        }
        expiresAt = newExpiresAt;
        start = newStart;
        keyLength = newKeyLength;
        tagLength = newTagLength;
        payloadLength = newPayloadLength;
        hash = newHash;
        flow = newFlow;
        farFlow = newFarFlow;
        zone = newZone;
        surplusTag = newSurplusTag;
        index = new long[2 * capacity];
        for (long seq = head; seq < tail; seq++) {
            insertIndex(seq);
        }
    }

    private void growBytes() {
        byte[] grown = new byte[bytes.length * 2];
        for (long o = bytesHead; o < bytesTail; ) {
            int from = (int) o & (bytes.length - 1);
            int to = (int) o & (grown.length - 1);
            int run = (int) Math.min(bytesTail - o, Math.min(bytes.length - from, grown.length - to));
            System.arraycopy(bytes, from, grown, to, run);
            o += run;
        }
        bytes = grown;
    }

    private void write(byte[] source) {
        int at = (int) bytesTail & (bytes.length - 1);
        int first = Math.min(source.length, bytes.length - at);
        System.arraycopy(source, 0, bytes, at, first);
        System.arraycopy(source, first, bytes, 0, source.length - first);
        bytesTail += source.length;
    }

    private void read(long offset, byte[] target) {
        int at = (int) offset & (bytes.length - 1);
        int first = Math.min(target.length, bytes.length - at);
        System.arraycopy(bytes, at, target, 0, first);
        System.arraycopy(bytes, 0, target, first, target.length - first);
    }

    private boolean bytesEqual(long offset, byte[] expected) {
        int mask = bytes.length - 1;
        for (int i = 0; i < expected.length; i++) {
            if (bytes[(int) (offset + i) & mask] != expected[i]) {
                return false;
            }
        }
        return true;
    }
}
