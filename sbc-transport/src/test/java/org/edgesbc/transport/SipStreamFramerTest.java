package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.transport.gate.SipMessageGate;
import org.junit.jupiter.api.Test;

/** The stream framer fed whole, in every fragment size down to one byte, and with hostile framing. */
class SipStreamFramerTest {
    private static final String OPTIONS = "OPTIONS sip:a@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\nFrom: <sip:b@x>;tag=1\r\n"
            + "To: <sip:a@x>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    private static final String MESSAGE = "MESSAGE sip:a@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK-2\r\nMax-Forwards: 70\r\nFrom: <sip:b@x>;tag=1\r\n"
            + "To: <sip:a@x>\r\nCall-ID: c2\r\nCSeq: 2 MESSAGE\r\nContent-Type: text/plain\r\n"
            + "l: 12\r\n\r\nhello\r\nworld";

    private static EmbeddedChannel channel(int maxMessageBytes) {
        TransportConfig.GateLimits limits = new TransportConfig.GateLimits(maxMessageBytes, 1024, 2048, 64, 16);
        return new EmbeddedChannel(new SipStreamFramer(new SipMessageGate(limits),
                new GateRejectResponder(TransportMetrics.NONE), SipTransport.TCP));
    }

    @Test
    void messagesAreFramedInEveryFragmentSize() {
        byte[] stream = ("\r\n" + OPTIONS + MESSAGE + "\r\n\r\n" + OPTIONS).getBytes(StandardCharsets.UTF_8);
        for (int fragment = 1; fragment <= stream.length; fragment++) {
            EmbeddedChannel channel = channel(16_384);
            for (int offset = 0; offset < stream.length; offset += fragment) {
                channel.writeInbound(Unpooled.wrappedBuffer(stream, offset,
                        Math.min(fragment, stream.length - offset)));
            }
            List<String> framed = new ArrayList<>();
            byte[] message;
            while ((message = channel.readInbound()) != null) {
                framed.add(new String(message, StandardCharsets.UTF_8));
            }
            assertThat(framed).as("fragment size %d", fragment).containsExactly(OPTIONS, MESSAGE, OPTIONS);
            assertThat(channel.isOpen()).isTrue();
            releaseOutbound(channel);
            assertThat(channel.finish()).isFalse();
        }
    }

    @Test
    void doubleCrlfPingGetsACrlfPong() {
        EmbeddedChannel channel = channel(16_384);
        channel.writeInbound(Unpooled.copiedBuffer("\r\n\r\n", StandardCharsets.US_ASCII));
        ByteBuf pong = channel.readOutbound();
        assertThat(pong.toString(StandardCharsets.US_ASCII)).isEqualTo("\r\n");
        pong.release();
        assertThat((Object) channel.readInbound()).isNull();
        channel.finish();
    }

    @Test
    void contentLengthBeyondTheLimitIsAnsweredAndClosed() {
        EmbeddedChannel channel = channel(2_048);
        channel.writeInbound(Unpooled.copiedBuffer(OPTIONS.replace("Content-Length: 0", "Content-Length: 99999"),
                StandardCharsets.US_ASCII));
        ByteBuf answer = channel.readOutbound();
        assertThat(answer.toString(StandardCharsets.US_ASCII)).startsWith("SIP/2.0 4");
        answer.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readInbound()).isNull();
    }

    @Test
    void headersThatNeverEndCloseTheConnection() {
        EmbeddedChannel channel = channel(1_024);
        String endless = "INVITE sip:a@x SIP/2.0\r\n" + "X-Pad: 0123456789\r\n".repeat(200);
        channel.writeInbound(Unpooled.copiedBuffer(endless, StandardCharsets.US_ASCII));
        assertThat(channel.isOpen()).isFalse();
        releaseOutbound(channel);
    }

    @Test
    void missingOrDuplicateContentLengthLosesTheFraming() {
        for (String broken : List.of(OPTIONS.replace("Content-Length: 0\r\n", ""),
                OPTIONS.replace("Content-Length: 0\r\n", "Content-Length: 0\r\nContent-Length: 0\r\n"),
                OPTIONS.replace("Content-Length: 0", "Content-Length: -1"))) {
            EmbeddedChannel channel = channel(16_384);
            channel.writeInbound(Unpooled.copiedBuffer(broken, StandardCharsets.US_ASCII));
            assertThat(channel.isOpen()).as(broken).isFalse();
            assertThat((Object) channel.readInbound()).isNull();
            releaseOutbound(channel);
        }
    }

    @Test
    void aPingSplitOverSeveralReadsStillGetsItsPongAndTwoPingsGetTwo() {
        EmbeddedChannel channel = channel(16_384);
        for (String piece : List.of("\r", "\n\r", "\n")) {
            channel.writeInbound(Unpooled.copiedBuffer(piece, StandardCharsets.US_ASCII));
        }
        assertThat(pongs(channel)).isEqualTo(1);
        channel.writeInbound(Unpooled.copiedBuffer("\r\n\r\n\r\n\r\n" + OPTIONS, StandardCharsets.US_ASCII));
        assertThat(pongs(channel)).isEqualTo(2);
        assertThat(new String((byte[]) channel.readInbound(), StandardCharsets.UTF_8)).isEqualTo(OPTIONS);
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void aSingleCrlfBetweenMessagesIsNoPing() {
        EmbeddedChannel channel = channel(16_384);
        channel.writeInbound(Unpooled.copiedBuffer(OPTIONS + "\r\n" + OPTIONS, StandardCharsets.US_ASCII));
        assertThat(pongs(channel)).isZero();
        assertThat((Object) channel.readInbound()).isNotNull();
        assertThat((Object) channel.readInbound()).isNotNull();
        assertThat(channel.finish()).isFalse();
    }

    @Test
    void anOversizedHeaderBlockOfARequestIsAnswered413AndClosed() {
        EmbeddedChannel channel = channel(1_024);
        String padded = OPTIONS.replace("Content-Length: 0\r\n", "X-Pad: 0123456789\r\n".repeat(60));
        channel.writeInbound(Unpooled.copiedBuffer(padded, StandardCharsets.US_ASCII));
        ByteBuf answer = channel.readOutbound();
        assertThat(answer.toString(StandardCharsets.US_ASCII)).startsWith("SIP/2.0 413 ").contains("Call-ID: c1\r\n");
        answer.release();
        assertThat(channel.isOpen()).isFalse();
        assertThat((Object) channel.readInbound()).isNull();
    }

    private static int pongs(EmbeddedChannel channel) {
        int pongs = 0;
        ByteBuf out;
        while ((out = channel.readOutbound()) != null) {
            assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("\r\n");
            out.release();
            pongs++;
        }
        return pongs;
    }

    private static void releaseOutbound(EmbeddedChannel channel) {
        Object out;
        while ((out = channel.readOutbound()) != null) {
            io.netty.util.ReferenceCountUtil.release(out);
        }
    }
}
