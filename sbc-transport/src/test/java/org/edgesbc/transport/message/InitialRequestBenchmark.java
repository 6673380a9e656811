package org.edgesbc.transport.message;

import gov.nist.javax.sip.address.AddressFactoryImpl;
import gov.nist.javax.sip.message.SIPRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import org.edgesbc.transport.SipMessageParser;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * What an initial INVITE costs the relay's steps up to the bytes of its branch, with no rule editing it: the calling
 * and called users read, the branch's Request-URI, Call-ID, From and To written. jain-sip-ri's whole-message parse,
 * edit and encode against {@link SplicedRequest} (models of the routing fields only, the rest spliced). Run by
 * {@code bench/jmh-parse.sh}; never part of {@code mvn verify}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class InitialRequestBenchmark {
    private static final String CALL_ID = "s1a2b3c4d.0123456789abcdef0123456789abcdef-1";

    private byte[] bytes;
    private URI branchUri;
    private Address callee;
    private Address caller;

    @Setup
    public void setUp() throws Exception {
        bytes = SipParsingBenchmark.INVITE.getBytes(StandardCharsets.UTF_8);
        AddressFactoryImpl addresses = new AddressFactoryImpl();
        branchUri = addresses.createURI("sip:5551234@192.0.2.3:5060");
        callee = addresses.createAddress("<sip:5551234@192.0.2.3>");
        caller = addresses.createAddress("sipp <sip:sipp@sbc.example>");
    }

    @Benchmark
    public void jainSipModel(Blackhole sink) throws Exception {
        SIPRequest request = (SIPRequest) SipMessageParser.parse(bytes);
        sink.consume(((SipURI) request.getRequestURI()).getUser());
        sink.consume(((SipURI) request.getFrom().getAddress().getURI()).getUser());
        request.setRequestURI(branchUri);
        request.setCallId(CALL_ID);
        request.getFrom().setAddress(caller);
        request.getTo().setAddress(callee);
        sink.consume(request.encodeAsBytes("UDP"));
    }

    @Benchmark
    public void splicedRequest(Blackhole sink) throws Exception {
        SplicedRequest request = SplicedRequest.of(SipMessageView.parse(bytes));
        sink.consume(((SipURI) request.requestUri()).getUser());
        sink.consume(((SipURI) request.fromAddress().getURI()).getUser());
        SipMessageView received = request.view();
        sink.consume(request.writer()
                .requestLine(request.method(), branchUri.toString())
                .set(SipHeaderName.CALL_ID, CALL_ID)
                .set(SipHeaderName.FROM, caller + received.from().parameters())
                .set(SipHeaderName.TO, callee + received.to().parameters())
                .toBytes());
    }
}
