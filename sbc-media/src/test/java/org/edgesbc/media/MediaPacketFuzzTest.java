package org.edgesbc.media;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.util.Arrays;
import org.edgesbc.media.srtp.SrtpContext;
import org.edgesbc.media.srtp.SrtpKeys;
import org.edgesbc.media.srtp.SrtpSuite;

/**
 * Coverage-guided fuzz targets of what the media relay reads from any datagram on an open RTP port: the RTP and
 * RTCP header reads and the UDPTL shape check (flyweights over the packet), and SRTP/SRTCP unprotection, both of
 * a forged packet and of a packet protected by a peer and then altered by the input. Any exception or a hang is a
 * finding; so is a header length beyond the packet, an altered or forged packet that authenticates, or a
 * protected packet that does not come back as it was. Regression mode in {@code mvn verify} over
 * {@code src/test/resources/.../MediaPacketFuzzTestInputs/}; fuzzing with {@code bench/fuzz.sh rtp srtp}.
 */
class MediaPacketFuzzTest {
    private static final SrtpKeys KEYS = new SrtpKeys(new byte[SrtpSuite.MASTER_KEY_BYTES],
            new byte[SrtpSuite.MASTER_SALT_BYTES]);

    @FuzzTest(maxDuration = "1h")
    void rtpRtcpUdptl(FuzzedDataProvider data) {
        byte[] bytes = data.consumeRemainingAsBytes();
        ByteBuffer packet = ByteBuffer.wrap(bytes);
        if (RtpPacket.isRtp(packet)) {
            assertThat(RtpPacket.payloadType(packet)).isBetween(0, 127);
            RtpPacket.marker(packet);
            assertThat(RtpPacket.sequence(packet)).isBetween(0, 65_535);
            assertThat(RtpPacket.timestamp(packet)).isNotNegative();
            assertThat(RtpPacket.ssrc(packet)).isNotNegative();
            int header = RtpPacket.headerLength(packet);
            assertThat(header == -1 || header >= RtpPacket.FIXED_HEADER && header <= bytes.length)
                    .as("header length %d of a %d-byte packet", header, bytes.length).isTrue();
        }
        if (RtpPacket.isRtcp(packet)) {
            assertThat(RtpPacket.rtcpSenderSsrc(packet)).isNotNegative();
        }
        if (UdptlPacket.isUdptl(packet)) {
            assertThat(UdptlPacket.sequence(packet)).isBetween(0, 65_535);
        }
        assertThat(packet.position()).isZero();
        assertThat(packet.limit()).isEqualTo(bytes.length);
    }

    @FuzzTest(maxDuration = "1h")
    void srtpUnprotect(FuzzedDataProvider data) {
        SrtpSuite suite = data.pickValue(SrtpSuite.values());
        boolean rtcp = data.consumeBoolean();
        boolean protectFirst = data.consumeBoolean();
        int flip = data.consumeInt(-1, 2_000);
        byte[] plain = data.consumeRemainingAsBytes();
        byte[] buffer = Arrays.copyOf(plain, plain.length + SrtpContext.MAX_GROWTH);
        SrtpContext receiver = new SrtpContext(suite, KEYS);
        if (!protectFirst) {
            int length = rtcp ? receiver.unprotectRtcp(buffer, plain.length) : receiver.unprotectRtp(buffer,
                    plain.length);
            assertThat(length).as("a forged packet authenticates").isNegative();
            return;
        }
        SrtpContext sender = new SrtpContext(suite, KEYS);
        int protectedLength = rtcp ? sender.protectRtcp(buffer, plain.length) : sender.protectRtp(buffer,
                plain.length);
        if (protectedLength < 0) {
            return;
        }
        boolean altered = flip >= 0 && flip < protectedLength;
        if (altered) {
            buffer[flip] ^= 0x01;
        }
        int length = rtcp ? receiver.unprotectRtcp(buffer, protectedLength) : receiver.unprotectRtp(buffer,
                protectedLength);
        if (altered) {
            assertThat(length).as("a packet altered at byte %d authenticates", flip).isNegative();
        } else {
            assertThat(length).as(SrtpContext.status(length).toString()).isEqualTo(plain.length);
            assertThat(Arrays.copyOf(buffer, length)).isEqualTo(plain);
        }
    }
}
