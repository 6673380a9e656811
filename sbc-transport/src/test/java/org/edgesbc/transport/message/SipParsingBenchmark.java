package org.edgesbc.transport.message;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.edgesbc.transport.SipMessageParser;
import org.edgesbc.transport.TransportConfig;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.SipMessageGate;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What reading and relaying one message costs: jain-sip-ri's parse and encode against the relay's view and splice,
 * on an INVITE with SDP and on a 200 OK, reading what the relay reads (tags, top Via, CSeq, Contact); what the I/O
 * thread's gate costs before either sees the message; and the two as a message meets them in the SBC, the view
 * reading the message by the gate's index of its header lines. Run by {@code bench/jmh-parse.sh}; never part of
 * {@code mvn verify}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SipParsingBenchmark {
    /** The first INVITE of SIPp's built-in caller, as it reaches the SBC. */
    public static final String INVITE = "INVITE sip:5551234@192.0.2.1:5060 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK-26474-1-0\r\n"
            + "From: sipp <sip:sipp@192.0.2.2:5060>;tag=26474SIPpTag001\r\n"
            + "To: 5551234 <sip:5551234@192.0.2.1:5060>\r\n"
            + "Call-ID: 1-26474@192.0.2.2\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: sip:sipp@192.0.2.2:5060\r\n"
            + "Max-Forwards: 70\r\n"
            + "Subject: Performance Test\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length:   129\r\n\r\n"
            + "v=0\r\no=user1 53655765 2353687637 IN IP4 192.0.2.2\r\ns=-\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n"
            + "m=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    private static final String OK = "SIP/2.0 200 OK\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK0123456789abcdef0123456789abcdef;rport=5060\r\n"
            + "From: <sip:sipp@192.0.2.1>;tag=26474SIPpTag001\r\n"
            + "To: <sip:5551234@192.0.2.3:5060>;tag=26469SIPpTag01\r\n"
            + "Call-ID: s1a2b3c4d.0123456789abcdef0123456789abcdef-0\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: <sip:192.0.2.3:5060;transport=UDP>\r\n"
            + "Content-Length: 0\r\n\r\n";

    @Param({"INVITE", "200"})
    public String message;

    private byte[] bytes;
    private final SipMessageGate gate = new SipMessageGate(TransportConfig.GateLimits.DEFAULTS);

    @Setup
    public void setUp() {
        bytes = (message.equals("INVITE") ? INVITE : OK).getBytes(StandardCharsets.UTF_8);
    }

    @Benchmark
    public void jainSipParseAndEncode(Blackhole sink) throws Exception {
        var parsed = SipMessageParser.parse(bytes);
        sink.consume(parsed.getTopmostVia().getBranch());
        sink.consume(parsed.getFromTag());
        sink.consume(parsed.getToTag());
        sink.consume(parsed.getCSeq().getSeqNumber());
        sink.consume(parsed.getContactHeader());
        parsed.setCallId("s1a2b3c4d.0123456789abcdef0123456789abcdef-1");
        sink.consume(parsed.encodeAsBytes("UDP"));
    }

    @Benchmark
    public void viewAndSplice(Blackhole sink) throws Exception {
        readAndSplice(SipMessageView.parse(bytes), sink);
    }

    private static void readAndSplice(SipMessageView view, Blackhole sink) {
        sink.consume(view.topVia().branch());
        sink.consume(view.from().tag());
        sink.consume(view.to().tag());
        sink.consume(view.cseqNumber());
        sink.consume(view.contacts());
        sink.consume(SipMessageWriter.edit(view)
                .set(SipHeaderName.CALL_ID, "s1a2b3c4d.0123456789abcdef0123456789abcdef-1").toBytes());
    }

    /**
     * A message read and written with the edits the relay makes to an answer on its way back to the requester
     * (core's {@code RequesterResponses}): the requester's own Vias, Call-ID, CSeq, From and To, about 200 characters
     * of header values written out of strings.
     */
    @Benchmark
    public byte[] answerToRequester() throws Exception {
        return SipMessageWriter.edit(SipMessageView.parse(bytes))
                .lines(SipHeaderName.VIA, "Via: SIP/2.0/UDP 192.0.2.2:5060;branch=z9hG4bK-26474-1-0;received=192.0.2.2"
                        + ";rport=5060\r\n")
                .set(SipHeaderName.CALL_ID, "1-26474@192.0.2.2")
                .set(SipHeaderName.CSEQ, "1 INVITE")
                .set(SipHeaderName.FROM, "sipp <sip:sipp@192.0.2.2:5060>;tag=26474SIPpTag001")
                .set(SipHeaderName.TO, "5551234 <sip:5551234@192.0.2.1:5060>;tag=s1a2b3c4d.0123456789abcdef")
                .toBytes();
    }

    @Benchmark
    public void gate(Blackhole sink) {
        sink.consume(gate.check(bytes, bytes.length, false));
    }

    @Benchmark
    public void gateThenView(Blackhole sink) throws Exception {
        GateResult gated = gate.check(bytes, bytes.length, false);
        readAndSplice(SipMessageView.parse(gated.message(), gated.headers()), sink);
    }
}
