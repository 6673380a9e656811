package org.edgesbc.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** Header reads over hostile buffers: nothing is read past the end, nothing is consumed, nothing throws. */
class RtpPacketTest {

    private static ByteBuffer buffer(int... bytes) {
        ByteBuffer buf = ByteBuffer.allocate(bytes.length);
        for (int b : bytes) {
            buf.put((byte) b);
        }
        return buf.flip();
    }

    @Test
    void readsTheFixedHeaderRelativeToThePosition() {
        ByteBuffer packet = buffer(0xFF, 0x80, 0xE0, 0x12, 0x34, 0x00, 0x00, 0x01, 0x40, 0xDE, 0xAD, 0xBE, 0xEF, 0x55);
        packet.position(1);
        assertThat(RtpPacket.isRtp(packet)).isTrue();
        assertThat(RtpPacket.marker(packet)).isTrue();
        assertThat(RtpPacket.payloadType(packet)).isEqualTo(96);
        assertThat(RtpPacket.sequence(packet)).isEqualTo(0x1234);
        assertThat(RtpPacket.timestamp(packet)).isEqualTo(0x140L);
        assertThat(RtpPacket.ssrc(packet)).isEqualTo(0xDEADBEEFL);
        assertThat(RtpPacket.headerLength(packet)).isEqualTo(12);
        assertThat(packet.position()).as("nothing consumed").isEqualTo(1);
    }

    @Test
    void shortOrWrongVersionPacketsAreNotRtp() {
        for (int length = 0; length < RtpPacket.FIXED_HEADER; length++) {
            ByteBuffer shortPacket = ByteBuffer.wrap(new byte[length]);
            if (length > 0) {
                shortPacket.put(0, (byte) 0x80);
            }
            assertThat(RtpPacket.isRtp(shortPacket)).as("%d bytes", length).isFalse();
            assertThat(RtpPacket.isRtcp(shortPacket)).isFalse();
        }
        ByteBuffer version1 = ByteBuffer.wrap(new byte[12]);
        version1.put(0, (byte) 0x40);
        assertThat(RtpPacket.isRtp(version1)).isFalse();
    }

    @Test
    void csrcsAndExtensionsThatRunPastTheEndAreRefused() {
        ByteBuffer fifteenCsrcs = ByteBuffer.wrap(new byte[20]);
        fifteenCsrcs.put(0, (byte) 0x8F);
        assertThat(RtpPacket.headerLength(fifteenCsrcs)).isEqualTo(-1);

        ByteBuffer extension = ByteBuffer.wrap(new byte[20]);
        extension.put(0, (byte) 0x90);
        extension.putShort(14, (short) 0xFFFF);
        assertThat(RtpPacket.headerLength(extension)).isEqualTo(-1);
        extension.putShort(14, (short) 1);
        assertThat(RtpPacket.headerLength(extension)).isEqualTo(20);

        ByteBuffer extensionHeaderCut = ByteBuffer.wrap(new byte[14]);
        extensionHeaderCut.put(0, (byte) 0x90);
        assertThat(RtpPacket.headerLength(extensionHeaderCut)).isEqualTo(-1);
    }

    @Test
    void rtcpIsToldFromRtpByItsPacketType() {
        ByteBuffer senderReport = buffer(0x80, 200, 0, 6, 0, 0, 0, 42);
        assertThat(RtpPacket.isRtcp(senderReport)).isTrue();
        assertThat(RtpPacket.rtcpSenderSsrc(senderReport)).isEqualTo(42);
        ByteBuffer dynamicPayloadWithMarker = buffer(0x80, 0x80 | 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1);
        assertThat(RtpPacket.isRtcp(dynamicPayloadWithMarker)).isFalse();
        assertThat(RtpPacket.isRtp(dynamicPayloadWithMarker)).isTrue();
    }
}
