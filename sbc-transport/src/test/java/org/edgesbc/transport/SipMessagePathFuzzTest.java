package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.Map;
import org.edgesbc.fixtures.rfc4475.Rfc4475Vectors;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.SipMessageGate;
import org.edgesbc.transport.message.NameAddress;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;
import org.edgesbc.transport.message.ViaHop;
import org.junit.jupiter.api.Test;

/**
 * Coverage-guided fuzz targets of the message path every untrusted byte takes: the strict gate, the relay's view
 * and writer of what the gate let through, and the TCP stream framer fed in fragments the input chooses. A finding is
 * any exception but the declared {@link SipParseException}, a hang, or a message framed beyond the gate's limit.
 * In {@code mvn verify} they run over their committed inputs ({@code src/test/resources/.../*Inputs/}); fuzzing
 * proper is {@code bench/fuzz.sh}.
 */
class SipMessagePathFuzzTest {
    private static final TransportConfig.GateLimits LIMITS = TransportConfig.GateLimits.DEFAULTS;
    private static final SipMessageGate GATE = new SipMessageGate(LIMITS);

    /** One datagram (or one framed stream message) through the gate, then through the view and writer. */
    @FuzzTest(maxDuration = "1h")
    void gateThenView(byte[] input) {
        for (boolean stream : new boolean[] {false, true}) {
            GateResult result = GATE.check(input, input.length, stream);
            if (!result.accepted()) {
                continue;
            }
            assertThat(result.message().length).isLessThanOrEqualTo(input.length + 64);
            readEverything(result.message());
        }
    }

    /** The RFC 4475 torture vectors, read from the shared folder at run time, through the gate and the view. */
    @Test
    void rfc4475VectorsThroughTheGateAndTheView() {
        java.nio.file.Path folder = Rfc4475Vectors.find();
        assumeTrue(folder != null, Rfc4475Vectors.howToProvide());
        Map<String, byte[]> vectors = Rfc4475Vectors.read(folder);
        assertThat(vectors).hasSizeGreaterThanOrEqualTo(49);
        vectors.values().forEach(this::gateThenView);
    }

    /** The relay's reading and rewriting of an accepted message: every accessor and one splice of each kind. */
    private static void readEverything(byte[] message) {
        SipMessageView view;
        try {
            view = SipMessageView.parse(message);
        } catch (SipParseException e) {
            return;
        }
        if (view.isRequest()) {
            view.method();
            view.requestUri();
        } else {
            view.statusCode();
            view.reasonPhrase();
        }
        view.callId();
        view.cseqNumber();
        view.cseqMethod();
        view.maxForwards();
        NameAddress from = view.from();
        NameAddress to = view.to();
        assertThat(from).isNotNull();
        assertThat(to).isNotNull();
        for (ViaHop via : view.vias()) {
            assertThat(via).isNotNull();
        }
        view.topViaHop();
        view.contacts();
        for (SipHeaderName name : new SipHeaderName[] {SipHeaderName.VIA, SipHeaderName.CONTACT,
                SipHeaderName.CONTENT_TYPE}) {
            view.headers(name);
        }
        view.header("Record-Route");
        byte[] rewritten = SipMessageWriter.edit(view).set(SipHeaderName.MAX_FORWARDS, "69")
                .remove(SipHeaderName.CONTACT).add("X-Fuzz", "1").toBytes();
        assertThat(rewritten.length).isLessThanOrEqualTo(message.length + 64);
    }

    /** A TCP connection's bytes, cut where the input says, through the framer and on through the view. */
    @FuzzTest(maxDuration = "1h")
    void streamFramer(FuzzedDataProvider data) {
        int maxMessageBytes = 4_096;
        TransportConfig.GateLimits limits = new TransportConfig.GateLimits(maxMessageBytes, 1_024, 2_048, 64, 16);
        EmbeddedChannel channel = new EmbeddedChannel(new SipStreamFramer(new SipMessageGate(limits),
                new GateRejectResponder(TransportMetrics.NONE), SipTransport.TCP));
        try {
            int fragments = data.consumeInt(1, 16);
            for (int i = 0; i < fragments && channel.isOpen(); i++) {
                byte[] fragment = i == fragments - 1 ? data.consumeRemainingAsBytes()
                        : data.consumeBytes(data.consumeInt(0, 2_048));
                channel.writeInbound(Unpooled.wrappedBuffer(fragment));
                Object framed;
                while ((framed = channel.readInbound()) != null) {
                    byte[] message = (byte[]) framed;
                    assertThat(message.length).as("a framed message").isLessThanOrEqualTo(maxMessageBytes + 64);
                    readEverything(message);
                }
            }
        } finally {
            Object out;
            while ((out = channel.readOutbound()) != null) {
                ((ByteBuf) out).release();
            }
            channel.finishAndReleaseAll();
        }
    }
}
