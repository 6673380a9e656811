package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;

class AbsorbingTransactionsTest {
    private static final long SECOND = 1_000_000_000L;
    private static final int MAX_BYTES = 1 << 20;

    private final AtomicLong now = new AtomicLong(5 * SECOND);
    private final RecordingFlow flow = new RecordingFlow();
    private final AtomicLong cuts = new AtomicLong();

    private AbsorbingTransactions absorbing(int maxEntries) {
        return new AbsorbingTransactions(32 * SECOND, now::get, maxEntries, MAX_BYTES, cuts::incrementAndGet);
    }

    @Test
    void aKeptResponseIsSentAgainForItsKeyUntilItsLifetimeEnds() {
        AbsorbingTransactions kept = absorbing(100);
        kept.add("access\nz9hG4bK-1\n10.0.0.1:5060\nBYE", "access", flow, bytes("SIP/2.0 200 OK\r\n\r\n"));

        long entry = kept.find("access\nz9hG4bK-1\n10.0.0.1:5060\nBYE");
        assertThat(entry).isNotEqualTo(AbsorbingTransactions.NONE);
        assertThat(kept.zone(entry)).isEqualTo("access");
        assertThat(kept.resend(entry)).isTrue();
        assertThat(flow.sent).containsExactly("SIP/2.0 200 OK\r\n\r\n");
        assertThat(kept.find("access\nz9hG4bK-1\n10.0.0.1:5060\nINVITE")).isEqualTo(AbsorbingTransactions.NONE);

        now.addAndGet(32 * SECOND - 1);
        assertThat(kept.find("access\nz9hG4bK-1\n10.0.0.1:5060\nBYE")).isNotEqualTo(AbsorbingTransactions.NONE);
        now.addAndGet(1);
        assertThat(kept.find("access\nz9hG4bK-1\n10.0.0.1:5060\nBYE")).isEqualTo(AbsorbingTransactions.NONE);
        assertThat(kept.size()).isZero();
    }

    @Test
    void anAcceptedInviteKeepsItsAnswerTagAndFarFlowBesideTheResponse() {
        AbsorbingTransactions kept = absorbing(100);
        RecordingFlow far = new RecordingFlow();
        kept.add("z9hG4bK-7\nINVITE", "pbx", flow, bytes("SIP/2.0 200 OK relayed"), "as83kd", far);
        kept.add("z9hG4bK-8\nINVITE", "pbx", flow, bytes("SIP/2.0 200 OK other"), null, far);

        long entry = kept.find("z9hG4bK-7\nINVITE");
        assertThat(kept.hasTag(entry, "as83kd")).isTrue();
        assertThat(kept.hasTag(entry, "as83k")).isFalse();
        assertThat(kept.hasTag(entry, null)).isFalse();
        assertThat(kept.farFlow(entry)).isSameAs(far);
        kept.resend(entry);
        assertThat(flow.sent).as("the response after the tag").containsExactly("SIP/2.0 200 OK relayed");
        assertThat(kept.surplusTag(entry)).isNull();
        kept.surplusTag(entry, "p2");
        assertThat(kept.surplusTag(entry)).isEqualTo("p2");

        long untagged = kept.find("z9hG4bK-8\nINVITE");
        assertThat(kept.hasTag(untagged, null)).isTrue();
        assertThat(kept.hasTag(untagged, "as83kd")).isFalse();
        assertThat(kept.surplusTag(untagged)).isNull();
    }

    @Test
    void anEntryWithoutAResponseIsFoundButSendsNothing() {
        AbsorbingTransactions kept = absorbing(100);
        kept.add("k", "trunk", flow, null);

        assertThat(kept.resend(kept.find("k"))).isFalse();
        assertThat(flow.sent).isEmpty();
    }

    @Test
    void pastTheEntryBoundTheOldestGoEarlyAndAreCounted() {
        AbsorbingTransactions kept = absorbing(3);
        for (int i = 0; i < 5; i++) {
            kept.add("k" + i, "z", flow, bytes("r" + i));
        }
        assertThat(kept.size()).isEqualTo(3);
        assertThat(cuts.get()).isEqualTo(2);
        assertThat(kept.find("k0")).isEqualTo(AbsorbingTransactions.NONE);
        assertThat(kept.find("k1")).isEqualTo(AbsorbingTransactions.NONE);
        kept.resend(kept.find("k4"));
        assertThat(flow.sent).containsExactly("r4");
    }

    @Test
    void pastTheByteBoundTheOldestGoEarly() {
        AbsorbingTransactions kept = new AbsorbingTransactions(32 * SECOND, now::get, 1_000_000, 256 * 1024,
                cuts::incrementAndGet);
        byte[] response = new byte[100 * 1024];
        kept.add("a", "z", flow, response);
        kept.add("b", "z", flow, response);
        kept.add("c", "z", flow, response);

        assertThat(kept.find("a")).isEqualTo(AbsorbingTransactions.NONE);
        assertThat(kept.find("c")).isNotEqualTo(AbsorbingTransactions.NONE);
        assertThat(cuts.get()).isEqualTo(1);
        kept.add("too large", "z", flow, new byte[300 * 1024]);
        assertThat(kept.find("too large")).isEqualTo(AbsorbingTransactions.NONE);
        assertThat(cuts.get()).isEqualTo(2);
    }

    @Test
    void aStoreThatEmptiedFillsAgainIntoTheSegmentsItHad() {
        AbsorbingTransactions kept = new AbsorbingTransactions(32 * SECOND, now::get, 100_000, 64 << 20,
                cuts::incrementAndGet);
        byte[] response = new byte[700];
        for (int i = 0; i < 20_000; i++) {
            kept.add("z9hG4bK-a" + i + "\nINVITE", "z", flow, response);
        }
        int allocated = kept.segmentsAllocated();
        assertThat(allocated).as("20 entry segments and 214 byte segments").isGreaterThan(200);

        now.addAndGet(32 * SECOND);
        for (int i = 0; i < 20_000; i++) {
            kept.add("z9hG4bK-b" + i + "\nINVITE", "z", flow, response);
        }

        assertThat(kept.size()).isEqualTo(20_000);
        // The second fill starts in the last segments the first one used, so it may end one segment of each further on.
        assertThat(kept.segmentsAllocated()).as("the spare segments reused").isBetween(allocated, allocated + 2);
        assertThat(kept.find("z9hG4bK-b0\nINVITE")).isNotEqualTo(AbsorbingTransactions.NONE);
        assertThat(kept.find("z9hG4bK-a0\nINVITE")).isEqualTo(AbsorbingTransactions.NONE);
        assertThat(cuts.get()).isZero();
    }

    /**
     * Against a plain model (a map and a queue in arrival order): keys of many lengths and responses of many sizes,
     * entries expiring and removed from the index while others that probed past them must still be found. The rate
     * rises eightfold halfway, so that both rings grow after they have wrapped many times.
     */
    @Test
    void agreesWithAMapOverManyAddsLookupsAndExpiries() {
        agreesWithAMap(0);
    }

    @Test
    void agreesWithAMapWhileSequenceNumbersPassWhatAnIndexSlotHoldsOfThem() {
        // 49,152 entries before 2^38: the run below adds about 133,000, so live entries span the turn.
        agreesWithAMap((1L << 38) - 49_152);
    }

    private void agreesWithAMap(long firstSequence) {
        Random random = new Random(4475);
        AbsorbingTransactions kept = new AbsorbingTransactions(32 * SECOND, now::get, 100_000, 64 << 20,
                cuts::incrementAndGet, firstSequence);
        Map<String, String> model = new HashMap<>();
        ArrayDeque<Object[]> arrivals = new ArrayDeque<>();
        List<String> everAdded = new ArrayList<>();
        for (int step = 0; step < 200_000; step++) {
            now.addAndGet(random.nextInt(step < 100_000 ? 8_000_000 : 1_000_000));
            while (!arrivals.isEmpty() && (long) arrivals.peek()[2] - now.get() <= 0) {
                model.remove((String) arrivals.poll()[0]);
            }
            if (random.nextInt(3) > 0) {
                String key = "zone\nz9hG4bK" + Long.toHexString(random.nextLong()) + "x".repeat(random.nextInt(40))
                        + "\n10.1.1." + random.nextInt(255) + ":5060\nBYE";
                String response = random.nextInt(4) == 0 ? null : "SIP/2.0 200 OK " + step + " "
                        + "y".repeat(random.nextInt(900));
                kept.add(key, "zone", flow, response == null ? null : bytes(response));
                model.put(key, response == null ? "" : response);
                arrivals.add(new Object[] {key, response, now.get() + 32 * SECOND});
                everAdded.add(key);
            } else if (!everAdded.isEmpty()) {
                String key = everAdded.get(random.nextInt(everAdded.size()));
                long entry = kept.find(key);
                String expected = model.get(key);
                if (expected == null) {
                    assertThat(entry).as("step %d: %s expired", step, key).isEqualTo(AbsorbingTransactions.NONE);
                } else {
                    assertThat(entry).as("step %d: %s kept", step, key).isNotEqualTo(AbsorbingTransactions.NONE);
                    flow.sent.clear();
                    assertThat(kept.resend(entry)).isEqualTo(!expected.isEmpty());
                    assertThat(flow.sent).isEqualTo(expected.isEmpty() ? List.of() : List.of(expected));
                }
            }
            assertThat(kept.size()).isEqualTo(model.size());
        }
        assertThat(cuts.get()).isZero();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static final class RecordingFlow implements SipFlow {
        final List<String> sent = new ArrayList<>();

        @Override
        public SipTransport transport() {
            return SipTransport.UDP;
        }

        @Override
        public InetSocketAddress remote() {
            return new InetSocketAddress("127.0.0.1", 5060);
        }

        @Override
        public InetSocketAddress local() {
            return new InetSocketAddress("127.0.0.1", 35060);
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void whenClosed(Runnable action) {
        }

        @Override
        public void send(byte[] message) {
            sent.add(new String(message, StandardCharsets.UTF_8));
        }
    }
}
