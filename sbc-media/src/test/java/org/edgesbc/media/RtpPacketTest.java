package org.edgesbc.media;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/** Header reads over hostile buffers: nothing is read past the end, nothing is consumed, nothing throws. */
class RtpPacketTest {

    private static ByteBuf buffer(int... bytes) {
        ByteBuf buf = Unpooled.buffer(bytes.length);
        for (int b : bytes) {
            buf.writeByte(b);
        }
        return buf;
    }

    @Test
    void readsTheFixedHeaderRelativeToTheReaderIndex() {
        ByteBuf packet = buffer(0xFF, 0x80, 0xE0, 0x12, 0x34, 0x00, 0x00, 0x01, 0x40, 0xDE, 0xAD, 0xBE, 0xEF, 0x55);
        packet.readerIndex(1);
        assertThat(RtpPacket.isRtp(packet)).isTrue();
        assertThat(RtpPacket.marker(packet)).isTrue();
        assertThat(RtpPacket.payloadType(packet)).isEqualTo(96);
        assertThat(RtpPacket.sequence(packet)).isEqualTo(0x1234);
        assertThat(RtpPacket.timestamp(packet)).isEqualTo(0x140L);
        assertThat(RtpPacket.ssrc(packet)).isEqualTo(0xDEADBEEFL);
        assertThat(RtpPacket.headerLength(packet)).isEqualTo(12);
        assertThat(packet.readerIndex()).as("nothing consumed").isEqualTo(1);
        packet.release();
    }

    @Test
    void shortOrWrongVersionPacketsAreNotRtp() {
        for (int length = 0; length < RtpPacket.FIXED_HEADER; length++) {
            ByteBuf shortPacket = Unpooled.wrappedBuffer(new byte[length]);
            if (length > 0) {
                shortPacket.setByte(0, 0x80);
            }
            assertThat(RtpPacket.isRtp(shortPacket)).as("%d bytes", length).isFalse();
            assertThat(RtpPacket.isRtcp(shortPacket)).isFalse();
        }
        ByteBuf version1 = Unpooled.wrappedBuffer(new byte[12]);
        version1.setByte(0, 0x40);
        assertThat(RtpPacket.isRtp(version1)).isFalse();
    }

    @Test
    void csrcsAndExtensionsThatRunPastTheEndAreRefused() {
        ByteBuf fifteenCsrcs = Unpooled.wrappedBuffer(new byte[20]);
        fifteenCsrcs.setByte(0, 0x8F);
        assertThat(RtpPacket.headerLength(fifteenCsrcs)).isEqualTo(-1);

        ByteBuf extension = Unpooled.wrappedBuffer(new byte[20]);
        extension.setByte(0, 0x90);
        extension.setShort(14, 0xFFFF);
        assertThat(RtpPacket.headerLength(extension)).isEqualTo(-1);
        extension.setShort(14, 1);
        assertThat(RtpPacket.headerLength(extension)).isEqualTo(20);

        ByteBuf extensionHeaderCut = Unpooled.wrappedBuffer(new byte[14]);
        extensionHeaderCut.setByte(0, 0x90);
        assertThat(RtpPacket.headerLength(extensionHeaderCut)).isEqualTo(-1);
    }

    @Test
    void rtcpIsToldFromRtpByItsPacketType() {
        ByteBuf senderReport = buffer(0x80, 200, 0, 6, 0, 0, 0, 42);
        assertThat(RtpPacket.isRtcp(senderReport)).isTrue();
        assertThat(RtpPacket.rtcpSenderSsrc(senderReport)).isEqualTo(42);
        ByteBuf dynamicPayloadWithMarker = buffer(0x80, 0x80 | 96, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1);
        assertThat(RtpPacket.isRtcp(dynamicPayloadWithMarker)).isFalse();
        assertThat(RtpPacket.isRtp(dynamicPayloadWithMarker)).isTrue();
    }
}
