package org.edgesbc.media.srtp;

/**
 * The SDES crypto suites the SBC speaks (RFC 4568 §6.2): AES in counter mode with a 128-bit key and HMAC-SHA1, its
 * tag cut to 80 or 32 bits on SRTP. SRTCP always carries the 80-bit tag (RFC 4568 §6.2.2).
 */
public enum SrtpSuite {
    AES_CM_128_HMAC_SHA1_80(10),
    AES_CM_128_HMAC_SHA1_32(4);

    /** RFC 3711 §8.2 defaults: 128-bit master key, 112-bit master salt. */
    public static final int MASTER_KEY_BYTES = 16;
    public static final int MASTER_SALT_BYTES = 14;
    public static final int RTCP_TAG_BYTES = 10;

    private final int rtpTagBytes;

    SrtpSuite(int rtpTagBytes) {
        this.rtpTagBytes = rtpTagBytes;
    }

    public int rtpTagBytes() {
        return rtpTagBytes;
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
