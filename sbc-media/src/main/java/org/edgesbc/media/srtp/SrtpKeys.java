package org.edgesbc.media.srtp;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/**
 * A master key and master salt (RFC 3711 §3.2.1), as SDES carries them: base64 of key || salt (RFC 4568 §6.1). The
 * key is 128 bits; the salt 112 bits (AES-CM) or 96 bits (AES-GCM, RFC 7714 §12). A suite with the shorter salt
 * uses the first 96 bits of a longer one, so keys from {@link #random} serve every suite.
 */
public final class SrtpKeys {
    private static final int SHORT_SALT_BYTES = 12;

    private final byte[] masterKey;
    private final byte[] masterSalt;

    /** @throws IllegalArgumentException unless the key has 16 bytes and the salt 12 or 14 */
    public SrtpKeys(byte[] masterKey, byte[] masterSalt) {
        if (masterKey.length != SrtpSuite.MASTER_KEY_BYTES
                || (masterSalt.length != SrtpSuite.MASTER_SALT_BYTES && masterSalt.length != SHORT_SALT_BYTES)) {
            throw new IllegalArgumentException("need a 16-byte master key and a 14- or 12-byte master salt");
        }
        this.masterKey = masterKey.clone();
        this.masterSalt = masterSalt.clone();
    }

    /** Fresh keys for one direction of one leg: a 16-byte key and a 14-byte salt, usable with every suite. */
    public static SrtpKeys random(SecureRandom random) {
        byte[] key = new byte[SrtpSuite.MASTER_KEY_BYTES];
        byte[] salt = new byte[SrtpSuite.MASTER_SALT_BYTES];
        random.nextBytes(key);
        random.nextBytes(salt);
        return new SrtpKeys(key, salt);
    }

    /** @throws IllegalArgumentException when the text is not base64 of 30 (AES-CM) or 28 (AES-GCM) bytes */
    public static SrtpKeys fromInline(String base64) {
        byte[] both;
        try {
            both = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("inline key is not base64", e);
        }
        int key = SrtpSuite.MASTER_KEY_BYTES;
        if (both.length != key + SrtpSuite.MASTER_SALT_BYTES && both.length != key + SHORT_SALT_BYTES) {
            throw new IllegalArgumentException("inline key holds " + both.length + " bytes, not 30 or 28");
        }
        return new SrtpKeys(Arrays.copyOfRange(both, 0, key), Arrays.copyOfRange(both, key, both.length));
    }

    /** Base64 of the key and the whole salt. */
    public String toInline() {
        return toInline(masterSalt.length);
    }

    /** Base64 of the key and the first {@code saltBytes} of the salt, as a suite with that salt length writes it. */
    public String toInline(int saltBytes) {
        byte[] both = new byte[masterKey.length + saltBytes];
        System.arraycopy(masterKey, 0, both, 0, masterKey.length);
        System.arraycopy(masterSalt, 0, both, masterKey.length, saltBytes);
        return Base64.getEncoder().encodeToString(both);
    }

    /** Whether the salt is long enough for {@code suite}. */
    public boolean fits(SrtpSuite suite) {
        return masterSalt.length >= suite.masterSaltBytes();
    }

    int saltLength() {
        return masterSalt.length;
    }

    byte[] masterKey() {
        return masterKey;
    }

    /** The first {@code bytes} of the master salt. */
    byte[] masterSalt(int bytes) {
        return Arrays.copyOf(masterSalt, bytes);
    }
}
