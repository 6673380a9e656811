package org.edgesbc.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** Checked against the test vectors of RFC 3711 Appendix B, then round trips, tampering and replay. */
class SrtpContextTest {
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    @Test
    void rfc3711AppendixB3KeyDerivation() throws Exception {
        byte[] masterKey = HEX.parseHex("E1F97A0D3E018BE0D64FA32C06DE4139");
        byte[] masterSalt = HEX.parseHex("0EC675AD498AFEEBB6960B3AABE6");
        assertThat(HEX.formatHex(SrtpContext.derive(masterKey, masterSalt, 0, 16)))
                .isEqualTo("C61E7A93744F39EE10734AFE3FF7A087");
        assertThat(HEX.formatHex(SrtpContext.derive(masterKey, masterSalt, 2, 14)))
                .isEqualTo("30CBBC08863D8C85D49DB34A9AE1");
        assertThat(HEX.formatHex(SrtpContext.derive(masterKey, masterSalt, 1, 20)))
                .isEqualTo("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4");
    }

    @Test
    void rfc3711AppendixB2AesCounterModeKeystream() throws Exception {
        // Session key and salt of B.2; SSRC, ROC and SEQ all zero, so the IV is the salt shifted by 16 bits.
        byte[] sessionKey = HEX.parseHex("2B7E151628AED2A6ABF7158809CF4F3C");
        byte[] iv = HEX.parseHex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000");
        Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(sessionKey, "AES"), new IvParameterSpec(iv));
        byte[] keystream = cipher.doFinal(new byte[48]);
        assertThat(HEX.formatHex(keystream)).isEqualTo("E03EAD0935C95E80E166B16DD92B4EB4"
                + "D23513162B02D0F72A43A2FE4A5F97AB" + "41E95B3BB0A2E8DD477901E4FCA894C0");
    }

    // RFC 7714 §16: session key and salt, and the RTP packet "Gallia est omnis divisa in partes tres".
    private static final byte[] GCM_KEY = HEX.parseHex("000102030405060708090A0B0C0D0E0F");
    private static final byte[] GCM_SALT = HEX.parseHex("517569642070726F2071756F");
    private static final String GCM_PLAIN = "8040F17B8041F8D35501A0B2"
            + "47616C6C696120657374206F6D6E69732064697669736120696E207061727465732074726573";
    private static final String GCM_PROTECTED = "8040F17B8041F8D35501A0B2"
            + "F24DE3A3FB34DE6CACBA861C9D7E4BCABE633BD50D294E6F42A5F47A51C7D19B36DE3ADF8833899D7F27BEB16A9152CF765EE4390CCE";

    @Test
    void rfc7714Section16RtpIvAndAeadAes128GcmProtection() {
        SrtpContext sender = SrtpContext.withSessionKeys(SrtpSuite.AEAD_AES_128_GCM, GCM_KEY, GCM_SALT, null);
        byte[] plain = HEX.parseHex(GCM_PLAIN);
        byte[] packet = Arrays.copyOf(plain, plain.length + SrtpContext.MAX_GROWTH);
        int length = sender.protectRtp(packet, plain.length);
        assertThat(HEX.formatHex(sender.lastGcmIv())).isEqualTo("51753C6580C2726F20718414");
        assertThat(HEX.formatHex(Arrays.copyOf(packet, length))).isEqualTo(GCM_PROTECTED);

        SrtpContext receiver = SrtpContext.withSessionKeys(SrtpSuite.AEAD_AES_128_GCM, GCM_KEY, GCM_SALT, null);
        byte[] wire = HEX.parseHex(GCM_PROTECTED);
        int plainLength = receiver.unprotectRtp(wire, wire.length);
        assertThat(SrtpContext.status(plainLength)).isEqualTo(SrtpStatus.OK);
        assertThat(HEX.formatHex(Arrays.copyOf(wire, plainLength))).isEqualTo(GCM_PLAIN);

        byte[] tampered = HEX.parseHex(GCM_PROTECTED);
        tampered[tampered.length - 1] ^= 1;
        SrtpContext fresh = SrtpContext.withSessionKeys(SrtpSuite.AEAD_AES_128_GCM, GCM_KEY, GCM_SALT, null);
        assertThat(SrtpContext.status(fresh.unprotectRtp(tampered, tampered.length)))
                .isEqualTo(SrtpStatus.AUTH_FAILED);
    }

    @Test
    void rfc7714Section17SrtcpIv() {
        SrtpContext context = SrtpContext.withSessionKeys(SrtpSuite.AEAD_AES_128_GCM, GCM_KEY, GCM_SALT, null);
        context.gcmRtcpIv(0x4D617273, 0x5D4);
        assertThat(HEX.formatHex(context.lastGcmIv())).isEqualTo("517524055203726F207170BB");
    }

    @Test
    void gcmRtpAndRtcpRoundTripFromMasterKeys() {
        SrtpKeys keys = SrtpKeys.fromInline(SrtpKeys.random(new SecureRandom()).toInline(12));
        SrtpContext sender = new SrtpContext(SrtpSuite.AEAD_AES_128_GCM, keys);
        SrtpContext receiver = new SrtpContext(SrtpSuite.AEAD_AES_128_GCM, keys);
        for (int i = 0; i < 10; i++) {
            byte[] packet = rtp(65_530 + i, 0x4242, "gcm-" + i);
            int plainLength = 12 + ("gcm-" + i).length();
            byte[] plain = Arrays.copyOf(packet, plainLength);
            int length = sender.protectRtp(packet, plainLength);
            assertThat(length).isEqualTo(plainLength + 16);
            assertThat(receiver.unprotectRtp(packet, length)).isEqualTo(plainLength);
            assertThat(Arrays.copyOf(packet, plainLength)).isEqualTo(plain);
        }
        assertSrtcpRoundTripThenReplayRefused(sender, receiver, 16 + 4);
    }

    /** One sender report protected, unprotected back to the same bytes, then refused when replayed. */
    private static void assertSrtcpRoundTripThenReplayRefused(SrtpContext sender, SrtpContext receiver, int growth) {
        byte[] rtcp = senderReport();
        byte[] plain = Arrays.copyOf(rtcp, 28);
        int length = sender.protectRtcp(rtcp, 28);
        assertThat(length).isEqualTo(28 + growth);
        assertThat(Arrays.copyOfRange(rtcp, 8, 28)).as("encrypted").isNotEqualTo(Arrays.copyOfRange(plain, 8, 28));
        byte[] replay = rtcp.clone();
        assertThat(receiver.unprotectRtcp(rtcp, length)).isEqualTo(28);
        assertThat(Arrays.copyOf(rtcp, 28)).isEqualTo(plain);
        assertThat(SrtpContext.status(receiver.unprotectRtcp(replay, length))).isEqualTo(SrtpStatus.REPLAYED);
    }

    @Test
    void eachSsrcHasItsOwnIndexAndTheSenderNeverReusesOne() {
        SrtpKeys keys = SrtpKeys.random(new SecureRandom());
        SrtpContext sender = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, keys);
        SrtpContext receiver = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, keys);
        // A long-running source far past its first rollover, then a new source starting low: both pass.
        for (int i = 0; i < 3; i++) {
            byte[] first = rtp(65_534 + i, 1, "a");
            assertThat(receiver.unprotectRtp(first, sender.protectRtp(first, 13))).isEqualTo(13);
        }
        byte[] other = rtp(10, 2, "b");
        assertThat(receiver.unprotectRtp(other, sender.protectRtp(other, 13))).isEqualTo(13);

        byte[] duplicate = rtp(10, 2, "c");
        assertThat(SrtpContext.status(sender.protectRtp(duplicate, 13)))
                .as("a relayed duplicate is not protected under a used index").isEqualTo(SrtpStatus.REPLAYED);
    }

    @Test
    void forgedPacketsWithNewSsrcsCannotEvictAGenuineStream() {
        SrtpKeys keys = SrtpKeys.random(new SecureRandom());
        SrtpContext sender = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, keys);
        SrtpContext receiver = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, keys);
        SrtpContext forger = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, SrtpKeys.random(new SecureRandom()));
        // Past a rollover, so a forgotten state would misjudge the index and refuse the genuine stream.
        for (int seq = 65_530; seq < 65_540; seq++) {
            byte[] packet = rtp(seq & 0xffff, 7, "x");
            assertThat(receiver.unprotectRtp(packet, sender.protectRtp(packet, 13))).isEqualTo(13);
        }
        for (int ssrc = 100; ssrc < 120; ssrc++) {
            byte[] forged = rtp(1, ssrc, "f");
            assertThat(SrtpContext.status(receiver.unprotectRtp(forged, forger.protectRtp(forged, 13))))
                    .isEqualTo(SrtpStatus.AUTH_FAILED);
        }
        byte[] next = rtp(4, 7, "y");
        assertThat(receiver.unprotectRtp(next, sender.protectRtp(next, 13))).isEqualTo(13);
    }

    private static byte[] senderReport() {
        byte[] rtcp = new byte[28 + SrtpContext.MAX_GROWTH];
        rtcp[0] = (byte) 0x80;
        rtcp[1] = (byte) 200;
        rtcp[3] = 6;
        rtcp[7] = 42;
        for (int i = 8; i < 28; i++) {
            rtcp[i] = (byte) i;
        }
        return rtcp;
    }

    private static byte[] rtp(int seq, int ssrc, String payload) {
        byte[] body = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] packet = new byte[12 + body.length + SrtpContext.MAX_GROWTH];
        packet[0] = (byte) 0x80;
        packet[2] = (byte) (seq >>> 8);
        packet[3] = (byte) seq;
        packet[8] = (byte) (ssrc >>> 24);
        packet[11] = (byte) ssrc;
        System.arraycopy(body, 0, packet, 12, body.length);
        return packet;
    }

    @Test
    void protectedPacketsRoundTripForBothSuitesAcrossSequenceWrap() {
        for (SrtpSuite suite : SrtpSuite.values()) {
            SrtpKeys keys = SrtpKeys.random(new SecureRandom());
            SrtpContext sender = new SrtpContext(suite, keys);
            SrtpContext receiver = new SrtpContext(suite, SrtpKeys.fromInline(keys.toInline()));
            for (int i = 0; i < 40; i++) {
                int seq = (65_520 + i) & 0xffff;
                byte[] packet = rtp(seq, 0x1234, "payload-" + i);
                int plainLength = 12 + ("payload-" + i).length();
                byte[] plain = Arrays.copyOf(packet, plainLength);
                int protectedLength = sender.protectRtp(packet, plainLength);
                assertThat(protectedLength).isEqualTo(plainLength + suite.rtpTagBytes());
                assertThat(Arrays.copyOfRange(packet, 12, plainLength)).isNotEqualTo(Arrays.copyOfRange(plain, 12,
                        plainLength));
                int length = receiver.unprotectRtp(packet, protectedLength);
                assertThat(SrtpContext.status(length)).as("%s seq %d", suite, seq).isEqualTo(SrtpStatus.OK);
                assertThat(Arrays.copyOf(packet, length)).isEqualTo(plain);
            }
        }
    }

    @Test
    void tamperedAndReplayedPacketsAreRefused() {
        SrtpKeys keys = SrtpKeys.random(new SecureRandom());
        SrtpContext sender = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, keys);
        SrtpContext receiver = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, keys);
        byte[] packet = rtp(7, 99, "hello");
        int length = sender.protectRtp(packet, 17);
        byte[] copy = packet.clone();
        byte[] tampered = packet.clone();
        tampered[14] ^= 1;
        assertThat(SrtpContext.status(receiver.unprotectRtp(tampered, length))).isEqualTo(SrtpStatus.AUTH_FAILED);
        assertThat(SrtpContext.status(receiver.unprotectRtp(packet, length))).isEqualTo(SrtpStatus.OK);
        assertThat(SrtpContext.status(receiver.unprotectRtp(copy, length))).isEqualTo(SrtpStatus.REPLAYED);
        SrtpContext stranger = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_80, SrtpKeys.random(new SecureRandom()));
        byte[] forged = rtp(8, 99, "hello");
        int forgedLength = stranger.protectRtp(forged, 17);
        assertThat(SrtpContext.status(receiver.unprotectRtp(forged, forgedLength))).isEqualTo(SrtpStatus.AUTH_FAILED);
    }

    @Test
    void srtcpRoundTripsAndRejectsReplay() {
        SrtpKeys keys = SrtpKeys.random(new SecureRandom());
        SrtpContext sender = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_32, keys);
        SrtpContext receiver = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_32, keys);
        // SRTCP carries the 80-bit tag even for the _32 suite (RFC 4568 §6.2.2).
        assertSrtcpRoundTripThenReplayRefused(sender, receiver, 4 + 10);
    }
}
