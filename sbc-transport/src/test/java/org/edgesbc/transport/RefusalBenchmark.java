package org.edgesbc.transport;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.SipMessageGate;
import org.edgesbc.transport.message.SipParsingBenchmark;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a refused INVITE costs the I/O thread in an overload: the gate, then the 503 written from the lines it
 * echoes, for SIPp's first INVITE. Run by {@code bench/jmh-parse.sh}; never part of {@code mvn verify}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class RefusalBenchmark {
    private final byte[] invite = SipParsingBenchmark.INVITE.getBytes(StandardCharsets.UTF_8);
    private final SipMessageGate gate = new SipMessageGate(TransportConfig.GateLimits.DEFAULTS);
    private final GateRejectResponder responder = new GateRejectResponder(TransportMetrics.NONE);

    @Benchmark
    public byte[] gateAndRefuse() {
        GateResult result = gate.check(invite, invite.length, false);
        return responder.shed(SipTransport.UDP, ShedCause.NEW_CALL_RATE, result);
    }
}
