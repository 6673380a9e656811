package org.edgesbc.transport.gate;

/**
 * 64-bit hashes of the keys the I/O thread remembers and derives from requests: FNV-1a over the key's octets (or
 * characters), then MurmurHash3's 64-bit finaliser, so that the low bits a table indexes by depend on every octet.
 * {@code String.hashCode} has 32 bits only. A seed other than {@link #FNV_OFFSET} gives a keyed variant.
 */
public final class KeyHash {
    public static final long FNV_OFFSET = 0xcbf29ce484222325L;
    private static final long FNV_PRIME = 0x100000001b3L;

    private KeyHash() {
    }

    /** The hash of {@code key}'s characters. */
    public static long of(CharSequence key) {
        long hash = FNV_OFFSET;
        for (int i = 0; i < key.length(); i++) {
            hash = step(hash, key.charAt(i));
        }
        return finish(hash);
    }

    static long step(long hash, int unit) {
        return (hash ^ unit) * FNV_PRIME;
    }

    static long finish(long hash) {
        hash ^= hash >>> 33;
        hash *= 0xff51afd7ed558ccdL;
        hash ^= hash >>> 33;
        hash *= 0xc4ceb9fe1a85ec53L;
        return hash ^ (hash >>> 33);
    }
}
