package org.edgesbc.core.relay;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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

/**
 * What the store of completed transactions costs per transaction at a steady size, as a relay shard meets it: every
 * new request is looked up first and not found (it is no retransmission), every completed transaction is kept, and
 * the oldest one's window ends meanwhile. {@code live} is how many wait: at 3,000 calls/s a shard's stores hold
 * about 100,000 to 400,000 over their 32 s. Run by {@code bench/jmh-parse.sh --module sbc-core}; never part of
 * {@code mvn verify}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class AbsorbingTransactionsBenchmark {
    private static final long LIFETIME_NANOS = TimeUnit.SECONDS.toNanos(32);
    /** A 200 OK to a BYE as the SBC relays it, the response a completed server transaction keeps. */
    private static final byte[] RESPONSE = ("SIP/2.0 200 OK\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-26474-1-6;received=127.0.0.2\r\n"
            + "From: sipp <sip:sipp@127.0.0.2:5060>;tag=26474SIPpTag001\r\n"
            + "To: <sip:5551234@127.0.0.1:5060>;tag=5f3a9c0e21b4d7a8\r\n"
            + "Call-ID: 1-26474@127.0.0.2\r\n"
            + "CSeq: 2 BYE\r\n"
            + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    @Param({"100000", "400000"})
    public int live;

    private AbsorbingTransactions store;
    private long now;
    private long step;
    /** Twice as many keys as live entries: a key comes back only long after its entry ended. */
    private String[] keys;
    /** Keys of new requests, never kept. */
    private String[] misses;
    private int next;

    @Setup
    public void fill() {
        Random random = new Random(7);
        keys = new String[2 * live];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = key(random, "BYE");
        }
        misses = new String[live];
        for (int i = 0; i < misses.length; i++) {
            misses[i] = key(random, "INVITE");
        }
        step = LIFETIME_NANOS / live;
        store = new AbsorbingTransactions(LIFETIME_NANOS, () -> now, 4 * live, 1 << 30, () -> { });
        for (next = 0; next < live; next++) {
            keep();
        }
    }

    private static String key(Random random, String method) {
        return "access\nz9hG4bK" + Long.toHexString(random.nextLong()) + Long.toHexString(random.nextLong())
                + "\n127.0.0.2:5060\n" + method;
    }

    private void keep() {
        now += step;
        store.add(keys[next % keys.length], "access", null, RESPONSE);
    }

    /** A new request looked up and not found, and a completed transaction kept as another one's window ends. */
    @Benchmark
    public long lookUpThenKeep() {
        long found = store.find(misses[next % misses.length]);
        keep();
        next++;
        return found;
    }
}
