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

    private static byte[] rtp(int seq, int ssrc, String payload) {
        byte[] body = payload.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        byte[] packet = new byte[12 + body.length + 16];
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
        byte[] rtcp = new byte[28 + 14];
        rtcp[0] = (byte) 0x80;
        rtcp[1] = (byte) 200;
        rtcp[3] = 6;
        rtcp[7] = 42;
        for (int i = 8; i < 28; i++) {
            rtcp[i] = (byte) i;
        }
        byte[] plain = Arrays.copyOf(rtcp, 28);
        int length = sender.protectRtcp(rtcp, 28);
        assertThat(length).isEqualTo(28 + 4 + 10);
        byte[] replay = rtcp.clone();
        assertThat(receiver.unprotectRtcp(rtcp, length)).isEqualTo(28);
        assertThat(Arrays.copyOf(rtcp, 28)).isEqualTo(plain);
        assertThat(SrtpContext.status(receiver.unprotectRtcp(replay, length))).isEqualTo(SrtpStatus.REPLAYED);
    }
}
