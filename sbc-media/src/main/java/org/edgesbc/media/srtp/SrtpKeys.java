package org.edgesbc.media.srtp;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;

/** A master key and master salt (RFC 3711 §3.2.1), as SDES carries them: base64 of key || salt (RFC 4568 §6.1). */
public final class SrtpKeys {
    private final byte[] masterKey;
    private final byte[] masterSalt;

    public SrtpKeys(byte[] masterKey, byte[] masterSalt) {
        if (masterKey.length != SrtpSuite.MASTER_KEY_BYTES || masterSalt.length != SrtpSuite.MASTER_SALT_BYTES) {
            throw new IllegalArgumentException("need a 16-byte master key and a 14-byte master salt");
        }
        this.masterKey = masterKey.clone();
        this.masterSalt = masterSalt.clone();
    }

    /** Fresh keys for one direction of one leg. */
    public static SrtpKeys random(SecureRandom random) {
        byte[] key = new byte[SrtpSuite.MASTER_KEY_BYTES];
        byte[] salt = new byte[SrtpSuite.MASTER_SALT_BYTES];
        random.nextBytes(key);
        random.nextBytes(salt);
        return new SrtpKeys(key, salt);
    }

    /** @throws IllegalArgumentException when the text is not base64 of exactly 30 bytes */
    public static SrtpKeys fromInline(String base64) {
        byte[] both;
        try {
            both = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("inline key is not base64", e);
        }
        if (both.length != SrtpSuite.MASTER_KEY_BYTES + SrtpSuite.MASTER_SALT_BYTES) {
            throw new IllegalArgumentException("inline key holds " + both.length + " bytes, not 30");
        }
        return new SrtpKeys(Arrays.copyOfRange(both, 0, 16), Arrays.copyOfRange(both, 16, 30));
    }

    public String toInline() {
        byte[] both = new byte[30];
        System.arraycopy(masterKey, 0, both, 0, 16);
        System.arraycopy(masterSalt, 0, both, 16, 14);
        return Base64.getEncoder().encodeToString(both);
    }

    byte[] masterKey() {
        return masterKey;
    }

    byte[] masterSalt() {
        return masterSalt;
    }
}
