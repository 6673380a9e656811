package org.edgesbc.media.srtp;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SRTP and SRTCP crypto context of one sending party (RFC 3711 §3.2): session keys derived from its master key,
 * the rollover counter and the replay windows. The SBC keeps one per direction per stream leg: an inbound one to
 * unprotect what a peer sends, an outbound one to protect what the SBC sends it. Uses the JDK's AES (counter mode)
 * and HMAC-SHA1, which run on AES-NI and SHA intrinsics.
 *
 * <p>Methods work in place on a byte array and return the new length, or a negative value that
 * {@link #status(int)} turns into the failure; nothing is thrown on the packet path. Not thread-safe: owned by the
 * stream's event loop.
 */
public final class SrtpContext {
    private static final int RTP_HEADER = 12;
    private static final int RTCP_HEADER = 8;
    private static final int RTCP_INDEX = 4;
    private static final int REPLAY_WINDOW = 64;

    private final SrtpSuite suite;
    private final Cipher rtpCipher;
    private final Cipher rtcpCipher;
    private final SecretKeySpec rtpKey;
    private final SecretKeySpec rtcpKey;
    private final byte[] rtpSalt;
    private final byte[] rtcpSalt;
    private final Mac rtpMac;
    private final Mac rtcpMac;
    private final byte[] iv = new byte[16];
    private final byte[] tag = new byte[20];

    // Sender state (RFC 3711 §3.3.1).
    private int sendRoc;
    private int lastSentSeq = -1;
    private int nextRtcpIndex;
    // Receiver state.
    private int recvRoc;
    private int highestSeq = -1;
    private long highestIndex = -1;
    private long replayMask;
    private long highestRtcpIndex = -1;
    private long rtcpReplayMask;

    public SrtpContext(SrtpSuite suite, SrtpKeys keys) {
        this.suite = suite;
        try {
            byte[] masterKey = keys.masterKey();
            byte[] masterSalt = keys.masterSalt();
            rtpKey = new SecretKeySpec(derive(masterKey, masterSalt, 0, 16), "AES");
            rtpMac = hmac(derive(masterKey, masterSalt, 1, 20));
            rtpSalt = derive(masterKey, masterSalt, 2, 14);
            rtcpKey = new SecretKeySpec(derive(masterKey, masterSalt, 3, 16), "AES");
            rtcpMac = hmac(derive(masterKey, masterSalt, 4, 20));
            rtcpSalt = derive(masterKey, masterSalt, 5, 14);
            rtpCipher = Cipher.getInstance("AES/CTR/NoPadding");
            rtcpCipher = Cipher.getInstance("AES/CTR/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks AES-CTR or HMAC-SHA1", e);
        }
    }

    /**
     * RFC 3711 §4.3.1 key derivation with a key derivation rate of 0: AES-CM keystream under the master key, IV =
     * (label || 0^48) XOR master salt, shifted left by 16 bits.
     */
    static byte[] derive(byte[] masterKey, byte[] masterSalt, int label, int length) throws GeneralSecurityException {
        byte[] x = new byte[16];
        System.arraycopy(masterSalt, 0, x, 0, 14);
        x[7] ^= (byte) label;
        Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(masterKey, "AES"), new IvParameterSpec(x));
        return cipher.doFinal(new byte[length]);
    }

    private static Mac hmac(byte[] key) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(key, "HmacSHA1"));
        return mac;
    }

    /** Encrypts and authenticates an RTP packet; {@code packet} needs room for the tag. Returns the new length. */
    public int protectRtp(byte[] packet, int length) {
        if (length < RTP_HEADER || packet.length < length + suite.rtpTagBytes()) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        int seq = seq(packet);
        if (lastSentSeq >= 0 && seq < lastSentSeq && lastSentSeq - seq > 32_768) {
            sendRoc++;
        }
        lastSentSeq = seq;
        long index = ((long) sendRoc << 16) | seq;
        int payload = payloadOffset(packet, length);
        if (payload < 0) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        crypt(rtpCipher, rtpKey, rtpSalt, ssrc(packet, 8), index, packet, payload, length - payload);
        authenticate(rtpMac, packet, length, sendRoc);
        System.arraycopy(tag, 0, packet, length, suite.rtpTagBytes());
        return length + suite.rtpTagBytes();
    }

    /** Verifies, replay-checks and decrypts an SRTP packet in place. Returns the RTP length. */
    public int unprotectRtp(byte[] packet, int length) {
        int tagBytes = suite.rtpTagBytes();
        if (length < RTP_HEADER + tagBytes) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        int authenticated = length - tagBytes;
        int seq = seq(packet);
        // RFC 3711 Appendix A: the rollover counter this packet most likely belongs to.
        int roc = recvRoc;
        if (highestSeq >= 0) {
            if (highestSeq < 32_768) {
                if (seq - highestSeq > 32_768) {
                    roc = recvRoc - 1;
                }
            } else if (highestSeq - 32_768 > seq) {
                roc = recvRoc + 1;
            }
        }
        long index = ((long) roc << 16) | seq;
        if (!fresh(index, highestIndex, replayMask)) {
            return encode(SrtpStatus.REPLAYED);
        }
        authenticate(rtpMac, packet, authenticated, roc);
        if (!tagMatches(tag, packet, authenticated, tagBytes)) {
            return encode(SrtpStatus.AUTH_FAILED);
        }
        int payload = payloadOffset(packet, authenticated);
        if (payload < 0) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        crypt(rtpCipher, rtpKey, rtpSalt, ssrc(packet, 8), index, packet, payload, authenticated - payload);
        // Only an authenticated packet moves the state (RFC 3711 §3.3.1 step 6).
        if (index > highestIndex) {
            replayMask = highestIndex < 0 ? 1 : shift(replayMask, index - highestIndex) | 1;
            highestIndex = index;
        } else {
            replayMask |= 1L << (highestIndex - index);
        }
        if (roc > recvRoc || (roc == recvRoc && seq > highestSeq)) {
            recvRoc = roc;
            highestSeq = seq;
        }
        return authenticated;
    }

    /** Encrypts and authenticates an RTCP compound packet (RFC 3711 §3.4); needs room for index and tag. */
    public int protectRtcp(byte[] packet, int length) {
        if (length < RTCP_HEADER || packet.length < length + RTCP_INDEX + SrtpSuite.RTCP_TAG_BYTES) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        int index = nextRtcpIndex;
        nextRtcpIndex = (nextRtcpIndex + 1) & 0x7fffffff;
        crypt(rtcpCipher, rtcpKey, rtcpSalt, ssrc(packet, 4), index, packet, RTCP_HEADER, length - RTCP_HEADER);
        int e = 0x80000000 | index;
        packet[length] = (byte) (e >>> 24);
        packet[length + 1] = (byte) (e >>> 16);
        packet[length + 2] = (byte) (e >>> 8);
        packet[length + 3] = (byte) e;
        int authenticated = length + RTCP_INDEX;
        rtcpMac.update(packet, 0, authenticated);
        macInto(rtcpMac);
        System.arraycopy(tag, 0, packet, authenticated, SrtpSuite.RTCP_TAG_BYTES);
        return authenticated + SrtpSuite.RTCP_TAG_BYTES;
    }

    /** Verifies, replay-checks and decrypts an SRTCP packet in place. Returns the RTCP length. */
    public int unprotectRtcp(byte[] packet, int length) {
        int authenticated = length - SrtpSuite.RTCP_TAG_BYTES;
        int encrypted = authenticated - RTCP_INDEX;
        if (encrypted < RTCP_HEADER) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        rtcpMac.update(packet, 0, authenticated);
        macInto(rtcpMac);
        if (!tagMatches(tag, packet, authenticated, SrtpSuite.RTCP_TAG_BYTES)) {
            return encode(SrtpStatus.AUTH_FAILED);
        }
        int e = ((packet[encrypted] & 0xff) << 24) | ((packet[encrypted + 1] & 0xff) << 16)
                | ((packet[encrypted + 2] & 0xff) << 8) | (packet[encrypted + 3] & 0xff);
        long index = e & 0x7fffffffL;
        if (!fresh(index, highestRtcpIndex, rtcpReplayMask)) {
            return encode(SrtpStatus.REPLAYED);
        }
        if (index > highestRtcpIndex) {
            rtcpReplayMask = highestRtcpIndex < 0 ? 1 : shift(rtcpReplayMask, index - highestRtcpIndex) | 1;
            highestRtcpIndex = index;
        } else {
            rtcpReplayMask |= 1L << (highestRtcpIndex - index);
        }
        if ((e & 0x80000000) != 0) {
            crypt(rtcpCipher, rtcpKey, rtcpSalt, ssrc(packet, 4), index, packet, RTCP_HEADER,
                    encrypted - RTCP_HEADER);
        }
        return encrypted;
    }

    /** The failure a negative return value stands for, or OK for a length. */
    public static SrtpStatus status(int result) {
        return result >= 0 ? SrtpStatus.OK : SrtpStatus.values()[-result];
    }

    private static int encode(SrtpStatus status) {
        return -status.ordinal();
    }

    /** RFC 3711 §3.3.2: within the window and not seen before, or newer than anything seen. */
    private static boolean fresh(long index, long highest, long mask) {
        if (highest < 0 || index > highest) {
            return true;
        }
        long age = highest - index;
        return age < REPLAY_WINDOW && (mask & (1L << age)) == 0;
    }

    private static long shift(long mask, long by) {
        return by >= REPLAY_WINDOW ? 0 : mask << by;
    }

    /** AES-CM (RFC 3711 §4.1.1): IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16). */
    private void crypt(Cipher cipher, SecretKeySpec key, byte[] salt, int ssrc, long index, byte[] data, int offset,
            int length) {
        java.util.Arrays.fill(iv, (byte) 0);
        System.arraycopy(salt, 0, iv, 0, 14);
        iv[4] ^= (byte) (ssrc >>> 24);
        iv[5] ^= (byte) (ssrc >>> 16);
        iv[6] ^= (byte) (ssrc >>> 8);
        iv[7] ^= (byte) ssrc;
        for (int i = 0; i < 6; i++) {
            iv[8 + i] ^= (byte) (index >>> (40 - 8 * i));
        }
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new IvParameterSpec(iv));
            cipher.doFinal(data, offset, length, data, offset);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-CTR failed on a well-formed buffer", e);
        }
    }

    /** HMAC-SHA1 over the packet and the rollover counter (RFC 3711 §4.2), into {@link #tag}. */
    private void authenticate(Mac mac, byte[] packet, int length, int roc) {
        mac.update(packet, 0, length);
        mac.update((byte) (roc >>> 24));
        mac.update((byte) (roc >>> 16));
        mac.update((byte) (roc >>> 8));
        mac.update((byte) roc);
        macInto(mac);
    }

    /** Finishes {@code mac} into {@link #tag}, which always has room for a full HMAC-SHA1. */
    private void macInto(Mac mac) {
        try {
            mac.doFinal(tag, 0);
        } catch (javax.crypto.ShortBufferException e) {
            throw new IllegalStateException("a 20-byte buffer is short for HMAC-SHA1", e);
        }
    }

    /**
     * Compares the first {@code length} bytes of {@code expected} with the tag in {@code packet} at {@code offset},
     * in time independent of where they differ (as {@code MessageDigest.isEqual} does), without copying.
     */
    private static boolean tagMatches(byte[] expected, byte[] packet, int offset, int length) {
        int difference = 0;
        for (int i = 0; i < length; i++) {
            difference |= expected[i] ^ packet[offset + i];
        }
        return difference == 0;
    }

    private static int seq(byte[] packet) {
        return ((packet[2] & 0xff) << 8) | (packet[3] & 0xff);
    }

    private static int ssrc(byte[] packet, int offset) {
        return ((packet[offset] & 0xff) << 24) | ((packet[offset + 1] & 0xff) << 16)
                | ((packet[offset + 2] & 0xff) << 8) | (packet[offset + 3] & 0xff);
    }

    /** Where the payload starts: after the CSRC list and the header extension (RFC 3550 §5.1, §5.3.1); -1 if past end. */
    private static int payloadOffset(byte[] packet, int length) {
        int offset = RTP_HEADER + 4 * (packet[0] & 0x0f);
        if ((packet[0] & 0x10) != 0) {
            if (offset + 4 > length) {
                return -1;
            }
            int words = ((packet[offset + 2] & 0xff) << 8) | (packet[offset + 3] & 0xff);
            offset += 4 + 4 * words;
        }
        return offset <= length ? offset : -1;
    }
}
