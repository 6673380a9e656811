package org.edgesbc.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import org.edgesbc.fixtures.rtp.RtpPeer;
import org.edgesbc.fixtures.rtp.T38Packets;
import org.junit.jupiter.api.Test;

class UdptlPacketTest {
    private static boolean udptl(byte[] bytes) {
        return UdptlPacket.isUdptl(ByteBuffer.wrap(bytes));
    }

    @Test
    void aT38IndicatorWithRedundancyRecoveryIsUdptl() {
        byte[] packet = T38Packets.udptl(0x1234, T38Packets.CNG);
        assertThat(udptl(packet)).isTrue();
        assertThat(UdptlPacket.sequence(ByteBuffer.wrap(packet))).isEqualTo(0x1234);
    }

    @Test
    void theTwoOctetLengthFormIsRead() {
        byte[] packet = new byte[2 + 2 + 300 + 2];
        packet[2] = (byte) (0x80 | (300 >> 8));
        packet[3] = (byte) (300 & 0xFF);
        assertThat(udptl(packet)).isTrue();
        assertThat(udptl(java.util.Arrays.copyOf(packet, 2 + 2 + 300))).as("no error-recovery part").isFalse();
    }

    @Test
    void truncatedEmptyFragmentedAndRtpPacketsAreNot() {
        byte[] packet = T38Packets.udptl(1, T38Packets.CED);
        for (int length = 0; length < packet.length - 1; length++) {
            assertThat(udptl(java.util.Arrays.copyOf(packet, length))).as("cut at %d", length).isFalse();
        }
        assertThat(udptl(new byte[] {0, 1, 0, 0, 0})).as("an empty IFP has no type").isFalse();
        assertThat(udptl(new byte[] {0, 1, (byte) 0xC1, 0, 0, 0})).as("fragmented length").isFalse();
        assertThat(udptl(new byte[] {0, 1, (byte) 0x80})).as("a long form cut after its first octet").isFalse();
        // A G.711 RTP packet: its third byte (sequence high) reads as an IFP length beyond the datagram.
        assertThat(udptl(RtpPeer.packet(0x7F00, 0, 0x1111, new byte[4]))).isFalse();
    }
}
