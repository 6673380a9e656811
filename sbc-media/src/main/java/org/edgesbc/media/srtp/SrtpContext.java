package org.edgesbc.media.srtp;

import java.security.GeneralSecurityException;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SRTP and SRTCP crypto context of one sending party (RFC 3711 §3.2): session keys derived from its master key,
 * the rollover counter and the replay windows. The SBC keeps one per direction per leg: an inbound one to unprotect
 * what a peer sends, an outbound one to protect what the SBC relays to it. AES-CM with HMAC-SHA1 (RFC 3711) and
 * AES-GCM (RFC 7714) on the JDK's ciphers, which run on AES-NI, CLMUL and SHA intrinsics.
 *
 * <p>Methods work in place on a byte array holding the packet from index 0 and return the new length, or a
 * negative value that {@link #status(int)} turns into the failure; nothing is thrown on the packet path. Protecting
 * needs {@link #MAX_GROWTH} spare bytes after the packet. The outbound side refuses to protect a packet index twice
 * (a relayed duplicate), because a repeated index repeats the keystream and, for GCM, gives the authentication key
 * away. Not thread-safe: owned by the stream's event loop.
 */
public final class SrtpContext {
    /** The most protecting adds: SRTCP index (4 bytes) plus the longest tag (16 bytes, GCM). */
    public static final int MAX_GROWTH = 20;
    private static final int RTP_HEADER = 12;
    private static final int RTCP_HEADER = 8;
    private static final int RTCP_INDEX = 4;
    private static final int REPLAY_WINDOW = 64;
    private static final int GCM_TAG_BITS = 128;
    private static final int E_FLAG = 0x80000000;
    /**
     * SSRCs with their own index state; a ninth authentic one replaces the oldest, whose state is forgotten (a
     * peer that changes SSRC eight times and then resumes the first starts that one afresh).
     */
    private static final int MAX_SSRCS = 8;

    private final SrtpSuite suite;
    private final Cipher rtpCipher;
    private final Cipher rtcpCipher;
    private final SecretKeySpec rtpKey;
    private final SecretKeySpec rtcpKey;
    private final byte[] rtpSalt;
    private final byte[] rtcpSalt;
    /** HMAC-SHA1 of AES-CM suites; null for GCM. */
    private final Mac rtpMac;
    private final Mac rtcpMac;
    private final byte[] iv = new byte[16];
    private final byte[] tag = new byte[20];
    private final byte[] rtcpIndexWord = new byte[RTCP_INDEX];

    /** Index and replay state per SSRC (RFC 3711 §3.2.3: one cryptographic context per SSRC), at most 8. */
    private final SsrcState[] ssrcs = new SsrcState[MAX_SSRCS];
    private int ssrcCount;
    private int nextEviction;
    private SsrcState lastUsed;
    private SsrcState scratch;
    private int nextRtcpIndex;

    /**
     * A context with session keys derived from {@code keys} (RFC 3711 §4.3.1, key derivation rate 0).
     *
     * @throws IllegalArgumentException when the master salt is shorter than the suite needs
     */
    public SrtpContext(SrtpSuite suite, SrtpKeys keys) {
        this(suite, derivedKeys(suite, keys));
    }

    /** A context with the given session keys, the same for SRTP and SRTCP: for RFC test vectors. */
    static SrtpContext withSessionKeys(SrtpSuite suite, byte[] key, byte[] salt, byte[] authKey) {
        return new SrtpContext(suite, new byte[][] {key, authKey, salt, key, authKey, salt});
    }

    /** @param session RTP key, auth key, salt, then RTCP key, auth key, salt (auth keys null for GCM) */
    private SrtpContext(SrtpSuite suite, byte[][] session) {
        this.suite = suite;
        try {
            String transformation = suite.aead() ? "AES/GCM/NoPadding" : "AES/CTR/NoPadding";
            rtpKey = new SecretKeySpec(session[0], "AES");
            rtpMac = suite.aead() ? null : hmac(session[1]);
            rtpSalt = session[2];
            rtcpKey = new SecretKeySpec(session[3], "AES");
            rtcpMac = suite.aead() ? null : hmac(session[4]);
            rtcpSalt = session[5];
            rtpCipher = Cipher.getInstance(transformation);
            rtcpCipher = Cipher.getInstance(transformation);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks AES-CTR, AES-GCM or HMAC-SHA1", e);
        }
    }

    private static byte[][] derivedKeys(SrtpSuite suite, SrtpKeys keys) {
        if (!keys.fits(suite)) {
            throw new IllegalArgumentException("a " + suite + " master salt has " + suite.masterSaltBytes() + " bytes");
        }
        byte[] masterKey = keys.masterKey();
        byte[] masterSalt = keys.masterSalt(suite.masterSaltBytes());
        int salt = suite.masterSaltBytes();
        try {
            // RFC 3711 §4.3.2 labels; GCM derives no auth keys (RFC 7714 §11).
            return new byte[][] {
                derive(masterKey, masterSalt, 0, 16),
                suite.aead() ? null : derive(masterKey, masterSalt, 1, 20),
                derive(masterKey, masterSalt, 2, salt),
                derive(masterKey, masterSalt, 3, 16),
                suite.aead() ? null : derive(masterKey, masterSalt, 4, 20),
                derive(masterKey, masterSalt, 5, salt)};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks AES-CTR", e);
        }
    }

    /**
     * RFC 3711 §4.3.1 key derivation with a key derivation rate of 0: AES-CM keystream under the master key, IV =
     * (label || 0^48) XOR master salt, shifted left by 16 bits. A 96-bit GCM salt is padded with zeros to 112 bits
     * (RFC 7714 §11 uses the same AES-CM PRF).
     */
    static byte[] derive(byte[] masterKey, byte[] masterSalt, int label, int length) throws GeneralSecurityException {
        byte[] x = new byte[16];
        System.arraycopy(masterSalt, 0, x, 0, masterSalt.length);
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

    public SrtpSuite suite() {
        return suite;
    }

    /** Encrypts and authenticates an RTP packet (RFC 3711 §3.3, RFC 7714 §8). Returns the SRTP length. */
    public int protectRtp(byte[] packet, int length) {
        if (length < RTP_HEADER || packet.length < length + suite.rtpTagBytes()) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        int header = headerLength(packet, length);
        if (header < 0) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        int ssrc = readInt(packet, 8);
        PacketIndex sent = state(ssrc).sentRtp;
        long index = sent.estimate(seq(packet));
        if (index < 0 || !sent.window.fresh(index)) {
            return encode(SrtpStatus.REPLAYED);
        }
        sent.accept(index);
        if (suite.aead()) {
            gcmRtpIv(ssrc, index);
            if (!gcm(rtpCipher, Cipher.ENCRYPT_MODE, rtpKey, packet, 0, header, null, header, length - header)) {
                return encode(SrtpStatus.AUTH_FAILED);
            }
            return length + suite.rtpTagBytes();
        }
        ctr(rtpCipher, rtpKey, rtpSalt, ssrc, index, packet, header, length - header);
        authenticate(rtpMac, packet, length, (int) (index >>> 16));
        System.arraycopy(tag, 0, packet, length, suite.rtpTagBytes());
        return length + suite.rtpTagBytes();
    }

    /**
     * Verifies, replay-checks and decrypts an SRTP packet in place, in the order of RFC 3711 §3.3 (index
     * estimation, replay check, authentication, decryption; only an authenticated packet moves the state). Returns
     * the RTP length.
     */
    public int unprotectRtp(byte[] packet, int length) {
        int tagBytes = suite.rtpTagBytes();
        int authenticated = length - tagBytes;
        if (authenticated < RTP_HEADER) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        int header = headerLength(packet, authenticated);
        if (header < 0) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        int ssrc = readInt(packet, 8);
        SsrcState source = receiving(ssrc);
        PacketIndex received = source.receivedRtp;
        long index = received.estimate(seq(packet));
        if (index < 0 || !received.window.fresh(index)) {
            return encode(SrtpStatus.REPLAYED);
        }
        if (suite.aead()) {
            gcmRtpIv(ssrc, index);
            if (!gcm(rtpCipher, Cipher.DECRYPT_MODE, rtpKey, packet, 0, header, null, header, length - header)) {
                return encode(SrtpStatus.AUTH_FAILED);
            }
        } else {
            authenticate(rtpMac, packet, authenticated, (int) (index >>> 16));
            if (!tagMatches(tag, packet, authenticated, tagBytes)) {
                return encode(SrtpStatus.AUTH_FAILED);
            }
            ctr(rtpCipher, rtpKey, rtpSalt, ssrc, index, packet, header, authenticated - header);
        }
        received.accept(index);
        admit(source);
        return authenticated;
    }

    /**
     * Encrypts and authenticates an RTCP compound packet (RFC 3711 §3.4, RFC 7714 §9) with the E flag set and the
     * next SRTCP index. Returns the SRTCP length.
     */
    public int protectRtcp(byte[] packet, int length) {
        int tagBytes = suite.rtcpTagBytes();
        if (length < RTCP_HEADER || packet.length < length + RTCP_INDEX + tagBytes) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        int index = nextRtcpIndex;
        nextRtcpIndex = (nextRtcpIndex + 1) & ~E_FLAG;
        writeInt(rtcpIndexWord, 0, E_FLAG | index);
        int ssrc = readInt(packet, 4);
        if (suite.aead()) {
            // Header, encrypted payload and tag, then the index word, which is authenticated as AAD.
            gcmRtcpIv(ssrc, index);
            if (!gcm(rtcpCipher, Cipher.ENCRYPT_MODE, rtcpKey, packet, 0, RTCP_HEADER, rtcpIndexWord, RTCP_HEADER,
                    length - RTCP_HEADER)) {
                return encode(SrtpStatus.AUTH_FAILED);
            }
            System.arraycopy(rtcpIndexWord, 0, packet, length + tagBytes, RTCP_INDEX);
            return length + tagBytes + RTCP_INDEX;
        }
        ctr(rtcpCipher, rtcpKey, rtcpSalt, ssrc, index, packet, RTCP_HEADER, length - RTCP_HEADER);
        System.arraycopy(rtcpIndexWord, 0, packet, length, RTCP_INDEX);
        int authenticated = length + RTCP_INDEX;
        rtcpMac.update(packet, 0, authenticated);
        macInto(rtcpMac);
        System.arraycopy(tag, 0, packet, authenticated, tagBytes);
        return authenticated + tagBytes;
    }

    /** Verifies, replay-checks and decrypts an SRTCP packet in place. Returns the RTCP length. */
    public int unprotectRtcp(byte[] packet, int length) {
        int tagBytes = suite.rtcpTagBytes();
        int rtcpLength = length - tagBytes - RTCP_INDEX;
        if (rtcpLength < RTCP_HEADER) {
            return encode(SrtpStatus.TOO_SHORT);
        }
        // AES-CM: header | payload | index word | tag.  GCM: header | payload | tag | index word.
        int wordAt = suite.aead() ? length - RTCP_INDEX : rtcpLength;
        int word = readInt(packet, wordAt);
        long index = word & ~E_FLAG;
        boolean encrypted = (word & E_FLAG) != 0;
        int ssrc = readInt(packet, 4);
        SsrcState source = receiving(ssrc);
        ReplayWindow rtcpReceived = source.receivedRtcp;
        if (!rtcpReceived.fresh(index)) {
            return encode(SrtpStatus.REPLAYED);
        }
        if (suite.aead()) {
            System.arraycopy(packet, wordAt, rtcpIndexWord, 0, RTCP_INDEX);
            gcmRtcpIv(ssrc, (int) index);
            // E = 0 (RFC 7714 §9.2): the whole packet is associated data and only the tag is checked.
            int aad = encrypted ? RTCP_HEADER : rtcpLength;
            if (!gcm(rtcpCipher, Cipher.DECRYPT_MODE, rtcpKey, packet, 0, aad, rtcpIndexWord, aad,
                    rtcpLength - aad + tagBytes)) {
                return encode(SrtpStatus.AUTH_FAILED);
            }
        } else {
            rtcpMac.update(packet, 0, rtcpLength + RTCP_INDEX);
            macInto(rtcpMac);
            if (!tagMatches(tag, packet, rtcpLength + RTCP_INDEX, tagBytes)) {
                return encode(SrtpStatus.AUTH_FAILED);
            }
            if (encrypted) {
                ctr(rtcpCipher, rtcpKey, rtcpSalt, ssrc, index, packet, RTCP_HEADER, rtcpLength - RTCP_HEADER);
            }
        }
        rtcpReceived.accept(index);
        admit(source);
        return rtcpLength;
    }

    /** The state of {@code ssrc} for sending, created on first sight. */
    private SsrcState state(int ssrc) {
        SsrcState found = find(ssrc);
        if (found == null) {
            found = new SsrcState(ssrc);
            admit(found);
        }
        return found;
    }

    /**
     * The state of {@code ssrc} for receiving: the known one, or a scratch state that {@link #admit} keeps only once
     * a packet authenticated with it, so forged packets can never create or evict state.
     */
    private SsrcState receiving(int ssrc) {
        SsrcState found = find(ssrc);
        if (found != null) {
            return found;
        }
        if (scratch == null || scratch.ssrc != ssrc) {
            scratch = new SsrcState(ssrc);
        }
        return scratch;
    }

    private SsrcState find(int ssrc) {
        if (lastUsed != null && lastUsed.ssrc == ssrc) {
            return lastUsed;
        }
        for (int i = 0; i < ssrcCount; i++) {
            if (ssrcs[i].ssrc == ssrc) {
                lastUsed = ssrcs[i];
                return lastUsed;
            }
        }
        return null;
    }

    /** Keeps {@code state} (no-op when kept already), replacing the oldest entry when all are taken. */
    private void admit(SsrcState state) {
        if (find(state.ssrc) == state) {
            return;
        }
        if (ssrcCount < MAX_SSRCS) {
            ssrcs[ssrcCount++] = state;
        } else {
            ssrcs[nextEviction] = state;
            nextEviction = (nextEviction + 1) % MAX_SSRCS;
        }
        if (state == scratch) {
            scratch = null;
        }
        lastUsed = state;
    }

    /** The failure a negative return value stands for, or OK for a length. */
    public static SrtpStatus status(int result) {
        return result >= 0 ? SrtpStatus.OK : SrtpStatus.values()[-result];
    }

    private static int encode(SrtpStatus status) {
        return -status.ordinal();
    }

    /** AES-CM (RFC 3711 §4.1.1): IV = (salt * 2^16) XOR (SSRC * 2^64) XOR (index * 2^16). */
    private void ctr(Cipher cipher, SecretKeySpec key, byte[] salt, int ssrc, long index, byte[] data, int offset,
            int length) {
        Arrays.fill(iv, (byte) 0);
        System.arraycopy(salt, 0, iv, 0, 14);
        xorInt(iv, 4, ssrc);
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

    /** RFC 7714 §8.1: IV = (0x0000 || SSRC || ROC || SEQ) XOR salt, into the first 12 bytes of {@link #iv}. */
    void gcmRtpIv(int ssrc, long index) {
        System.arraycopy(rtpSalt, 0, iv, 0, 12);
        xorInt(iv, 2, ssrc);
        xorInt(iv, 6, (int) (index >>> 16));
        iv[10] ^= (byte) (index >>> 8);
        iv[11] ^= (byte) index;
    }

    /** RFC 7714 §9.1: IV = (0x0000 || SSRC || 0x0000 || 0 || SRTCP index) XOR salt. */
    void gcmRtcpIv(int ssrc, int index) {
        System.arraycopy(rtcpSalt, 0, iv, 0, 12);
        xorInt(iv, 2, ssrc);
        xorInt(iv, 8, index);
    }

    /** The GCM IV last built, for the RFC 7714 vectors. */
    byte[] lastGcmIv() {
        return Arrays.copyOf(iv, 12);
    }

    /**
     * One GCM operation in place: {@code packet[0, aad)} and then {@code extraAad} as associated data, the
     * {@code length} bytes at {@code offset} encrypted (tag appended) or decrypted (tag checked and removed). False
     * when the tag does not match, or when encrypting would reuse the last IV (the JDK refuses; the index check
     * above prevents it).
     */
    private boolean gcm(Cipher cipher, int mode, SecretKeySpec key, byte[] packet, int aadOffset, int aad,
            byte[] extraAad, int offset, int length) {
        try {
            cipher.init(mode, key, new GCMParameterSpec(GCM_TAG_BITS, iv, 0, 12));
            cipher.updateAAD(packet, aadOffset, aad);
            if (extraAad != null) {
                cipher.updateAAD(extraAad);
            }
            cipher.doFinal(packet, offset, length, packet, offset);
            return true;
        } catch (GeneralSecurityException e) {
            // AEADBadTagException: forged or corrupted. Anything else cannot happen with the index check above.
            return false;
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
        } catch (ShortBufferException e) {
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

    private static int readInt(byte[] packet, int offset) {
        return ((packet[offset] & 0xff) << 24) | ((packet[offset + 1] & 0xff) << 16)
                | ((packet[offset + 2] & 0xff) << 8) | (packet[offset + 3] & 0xff);
    }

    private static void writeInt(byte[] into, int offset, int value) {
        into[offset] = (byte) (value >>> 24);
        into[offset + 1] = (byte) (value >>> 16);
        into[offset + 2] = (byte) (value >>> 8);
        into[offset + 3] = (byte) value;
    }

    private static void xorInt(byte[] into, int offset, int value) {
        into[offset] ^= (byte) (value >>> 24);
        into[offset + 1] ^= (byte) (value >>> 16);
        into[offset + 2] ^= (byte) (value >>> 8);
        into[offset + 3] ^= (byte) value;
    }

    /**
     * Length of the RTP header with CSRCs and extension (RFC 3550 §5.1, §5.3.1), which SRTP leaves in clear; -1
     * when it runs past {@code length}.
     */
    private static int headerLength(byte[] packet, int length) {
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

    /** RFC 3711 §3.3.2: a sliding window over the last {@value #REPLAY_WINDOW} indices below the highest seen. */
    private static final class ReplayWindow {
        private long highest = -1;
        private long mask;

        /** Newer than anything seen, or within the window and not seen before. */
        boolean fresh(long index) {
            if (highest < 0 || index > highest) {
                return true;
            }
            long age = highest - index;
            return age < REPLAY_WINDOW && (mask & (1L << age)) == 0;
        }

        void accept(long index) {
            if (index > highest) {
                long shift = highest < 0 ? REPLAY_WINDOW : index - highest;
                mask = (shift >= REPLAY_WINDOW ? 0 : mask << shift) | 1;
                highest = index;
            } else {
                mask |= 1L << (highest - index);
            }
        }
    }

    /** Index and replay state of one synchronisation source. */
    private static final class SsrcState {
        final int ssrc;
        final PacketIndex sentRtp = new PacketIndex();
        final PacketIndex receivedRtp = new PacketIndex();
        final ReplayWindow receivedRtcp = new ReplayWindow();

        SsrcState(int ssrc) {
            this.ssrc = ssrc;
        }
    }

    /**
     * The 48-bit SRTP packet index (ROC || SEQ) of one stream, estimated from a 16-bit sequence number as RFC 3711
     * Appendix A does, with the replay window beside it. Used for sending too: the SBC relays a stream it did not
     * originate, so its packets arrive reordered like anyone's.
     */
    private static final class PacketIndex {
        final ReplayWindow window = new ReplayWindow();

        /** The likely index of {@code seq}, or -1 when it would fall before the first rollover. */
        long estimate(int seq) {
            long highest = window.highest;
            if (highest < 0) {
                return seq;
            }
            long roc = highest >>> 16;
            int last = (int) (highest & 0xffff);
            long v;
            if (last < 32_768) {
                v = seq - last > 32_768 ? roc - 1 : roc;
            } else {
                v = last - 32_768 > seq ? roc + 1 : roc;
            }
            return v < 0 || v > 0xffffffffL ? -1 : (v << 16) | seq;
        }

        void accept(long index) {
            window.accept(index);
        }
    }
}
