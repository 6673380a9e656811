package org.edgesbc.media.srtp;

/**
 * The SDES crypto suites the SBC speaks (RFC 4568 §6.2, RFC 7714 §14.2), all with a 128-bit AES master key:
 * AES in counter mode with HMAC-SHA1, its SRTP tag cut to 80 or 32 bits (SRTCP always carries 80 bits, RFC 4568
 * §6.2.2), and AES-GCM with a 128-bit tag and a 96-bit salt.
 */
public enum SrtpSuite {
    AES_CM_128_HMAC_SHA1_80(10, 10, 14, false),
    AES_CM_128_HMAC_SHA1_32(4, 10, 14, false),
    /** RFC 7714: authenticated encryption; the tag is GCM's, there is no HMAC. */
    AEAD_AES_128_GCM(16, 16, 12, true);

    /** RFC 3711 §8.2 default master key length, which every suite here uses. */
    public static final int MASTER_KEY_BYTES = 16;
    /** The longest master salt (RFC 3711 §8.2, 112 bits); GCM uses the first 96 bits (RFC 7714 §12). */
    public static final int MASTER_SALT_BYTES = 14;

    private final int rtpTagBytes;
    private final int rtcpTagBytes;
    private final int masterSaltBytes;
    private final boolean aead;

    SrtpSuite(int rtpTagBytes, int rtcpTagBytes, int masterSaltBytes, boolean aead) {
        this.rtpTagBytes = rtpTagBytes;
        this.rtcpTagBytes = rtcpTagBytes;
        this.masterSaltBytes = masterSaltBytes;
        this.aead = aead;
    }

    public int rtpTagBytes() {
        return rtpTagBytes;
    }

    public int rtcpTagBytes() {
        return rtcpTagBytes;
    }

    /** The master salt length, which is also the session salt length. */
    public int masterSaltBytes() {
        return masterSaltBytes;
    }

    /** Authenticated encryption (AES-GCM) rather than AES-CM with HMAC-SHA1. */
    public boolean aead() {
        return aead;
    }

    /** The name in {@code a=crypto} lines. */
    public String sdesName() {
        return name();
    }

    /** The suite an {@code a=crypto} line names, or null for one the SBC does not support. */
    public static SrtpSuite fromSdes(String name) {
        for (SrtpSuite suite : values()) {
            if (suite.name().equals(name)) {
                return suite;
            }
        }
        return null;
    }
}
