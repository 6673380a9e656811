package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class StunKeepAliveTest {
    /** RFC 5769 §2.1's transaction ID. */
    private static final String TRANSACTION = "b7e7a701bc34d686fa87dfae";

    private static ByteBuf bindingRequest(String attributesHex) {
        byte[] attributes = ByteBufUtil.decodeHexDump(attributesHex);
        ByteBuf request = Unpooled.buffer();
        request.writeShort(0x0001).writeShort(attributes.length).writeInt(StunKeepAlive.MAGIC_COOKIE)
                .writeBytes(ByteBufUtil.decodeHexDump(TRANSACTION)).writeBytes(attributes);
        return request;
    }

    @Test
    void bindingResponseCarriesTheXorMappedAddressOfRfc5769Vectors() {
        ByteBuf out = Unpooled.buffer();
        assertThat(StunKeepAlive.answer(bindingRequest(""), new InetSocketAddress("192.0.2.1", 32853), out)).isTrue();
        // RFC 5769 §2.2: XOR-MAPPED-ADDRESS of 192.0.2.1 port 32853 is 0020 0008 0001 a147 e112a643.
        assertThat(ByteBufUtil.hexDump(out)).isEqualTo("0101000c2112a442" + TRANSACTION + "00200008" + "0001a147e112a643");
    }

    @Test
    void ipv6SourcesAreXoredWithCookieAndTransaction() {
        ByteBuf out = Unpooled.buffer();
        InetSocketAddress source = new InetSocketAddress("2001:db8:1234:5678:11:2233:4455:6677", 32853);
        assertThat(StunKeepAlive.answer(bindingRequest(""), source, out)).isTrue();
        // RFC 5769 §2.3: 0002 a147 0113a9fa a5d3f179 bc25f4b5 bed2b9d9 for that address and port.
        assertThat(ByteBufUtil.hexDump(out)).endsWith("00200014" + "0002a147" + "0113a9faa5d3f179bc25f4b5bed2b9d9");
    }

    @Test
    void onlyWellFormedBindingRequestsAreAnswered() {
        InetSocketAddress source = new InetSocketAddress("192.0.2.1", 5060);
        ByteBuf indication = bindingRequest("");
        indication.setShort(0, 0x0011);
        ByteBuf badLength = bindingRequest("");
        badLength.setShort(2, 8);
        ByteBuf oldStun = bindingRequest("");
        oldStun.setInt(4, 0x12345678);
        for (ByteBuf notAnswered : new ByteBuf[] {indication, badLength, oldStun,
                Unpooled.wrappedBuffer(new byte[12])}) {
            ByteBuf out = Unpooled.buffer();
            assertThat(StunKeepAlive.answer(notAnswered, source, out)).isFalse();
            assertThat(out.readableBytes()).isZero();
        }
    }

    @Test
    void sipTextNeverLooksLikeStun() {
        for (String start : new String[] {"INVITE sip:a@b SIP/2.0\r\n", "SIP/2.0 200 OK\r\nVia: x\r\n",
                "\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"}) {
            assertThat(StunKeepAlive.looksLikeStun(Unpooled.copiedBuffer(start, StandardCharsets.US_ASCII)))
                    .as(start).isFalse();
        }
        assertThat(StunKeepAlive.looksLikeStun(bindingRequest(""))).isTrue();
    }
}
