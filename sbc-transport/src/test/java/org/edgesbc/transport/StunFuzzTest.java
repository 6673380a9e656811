package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * Coverage-guided fuzz target of the STUN keep-alive decoder (RFC 5389 Binding requests on the SIP port, RFC 5626
 * §4.4.2) on any datagram a hostile source sends: any exception or a hang is a finding; so is an answer to a
 * datagram the SIP path would not have sorted out as STUN, an answer of another size than a Binding success with
 * one XOR-MAPPED-ADDRESS, or a request read past its bounds or consumed. Regression mode in {@code mvn verify}
 * over {@code src/test/resources/.../StunFuzzTestInputs/}; fuzzing with {@code bench/fuzz.sh stun}.
 */
class StunFuzzTest {
    @FuzzTest(maxDuration = "1h")
    void bindingRequest(FuzzedDataProvider data) throws Exception {
        boolean v6 = data.consumeBoolean();
        int port = data.consumeInt(0, 65_535);
        byte[] datagram = data.consumeRemainingAsBytes();
        InetSocketAddress sender = new InetSocketAddress(
                InetAddress.getByName(v6 ? "2001:db8::7" : "198.51.100.7"), port);
        ByteBuf request = Unpooled.wrappedBuffer(datagram);
        ByteBuf answer = Unpooled.buffer();
        try {
            boolean stun = StunKeepAlive.looksLikeStun(request);
            boolean answered = StunKeepAlive.answer(request, sender, answer);
            assertThat(request.readerIndex()).isZero();
            if (answered) {
                assertThat(stun).as("answered but not sorted out as STUN").isTrue();
                assertThat(answer.readableBytes()).isEqualTo(20 + 4 + 4 + (v6 ? 16 : 4));
                assertThat(answer.getUnsignedShort(0)).isEqualTo(0x0101);
                assertThat(answer.getInt(4)).isEqualTo(StunKeepAlive.MAGIC_COOKIE);
            } else {
                assertThat(answer.readableBytes()).isZero();
            }
        } finally {
            request.release();
            answer.release();
        }
    }
}
