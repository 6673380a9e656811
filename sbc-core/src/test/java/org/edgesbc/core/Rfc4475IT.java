package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.fixtures.rfc4475.Rfc4475Vectors;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.fixtures.sip.StreamSipPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.TransportConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The 49 torture messages of RFC 4475 against the real daemon on loopback, each judged by the verdict of its RFC
 * section: a valid request is processed (relayed to the next hop, or answered with a final response other than 400),
 * an invalid one is answered 400 (or the code its section names) or dropped and counted, and never relayed. A
 * response cannot be relayed without a transaction, so a valid one must reach the relay's transaction matching
 * (counted as a response matching no transaction) and an invalid one must stop at the gate or the parser.
 *
 * <p>The messages are reference data outside the repository: they are read at test time from the folder named by
 * {@code -Drfc4475.dir} (Maven passes it on to the test JVM), else from a {@code shared/rfc4475} folder above the
 * working directory; without them the test is skipped. Every IPv4 literal is rewritten to a loopback address of the same length where one exists, so bodies
 * keep their Content-Length; each message is sent from the trunk zone's address (127.0.0.2) over UDP, the one too
 * long for a datagram (RFC 3261 §18.1.1) over TCP, from a fresh socket so that no answer to one case reaches
 * another. The PBX (127.0.0.3) is the next hop; it records and refuses (480) whatever the SBC relays to it.
 *
 * <p>The daemon runs with the shipped gate limits ({@code longreq}, a valid request that has crossed 34 proxies,
 * passes the default {@code max-vias} of 70).
 */
class Rfc4475IT {
    /** How long one case may take before its outcome is judged from what arrived. */
    private static final long CASE_MILLIS = 3_000;
    /** After the daemon has counted its decision, how long answers and relayed copies are still collected. */
    private static final long SETTLE_MILLIS = 250;

    private enum Kind {
        /** A request the RFC calls valid: relayed, or answered with a final response other than 400. */
        VALID,
        /** A request the RFC says must get exactly one code (420 for bext01). */
        VALID_ANSWERED,
        /** A request the RFC calls invalid: answered with the given code, or dropped and counted; never relayed. */
        INVALID,
        /** A well-formed response: reaches transaction matching. */
        VALID_RESPONSE,
        /** A malformed response: dropped before transaction matching. */
        INVALID_RESPONSE
    }

    /**
     * What RFC 4475 §3 says about each message; {@code code} is the status the section names (0: none). Where the
     * RFC leaves the choice to the element, the comment says which one the SBC makes.
     */
    private record Expected(Kind kind, int code) {
        static Expected valid() {
            return new Expected(Kind.VALID, 0);
        }

        static Expected answered(int code) {
            return new Expected(Kind.VALID_ANSWERED, code);
        }

        static Expected invalid(int code) {
            return new Expected(Kind.INVALID, code);
        }
    }

    private static final Map<String, Expected> RFC_4475 = Map.ofEntries(
            // §3.1.1 valid messages
            Map.entry("wsinv", Expected.valid()),
            Map.entry("intmeth", Expected.valid()),
            Map.entry("esc01", Expected.valid()),
            Map.entry("escnull", Expected.valid()),
            Map.entry("esc02", Expected.valid()),
            Map.entry("lwsdisp", Expected.valid()),
            Map.entry("longreq", Expected.valid()),
            Map.entry("dblreq", Expected.valid()),
            Map.entry("semiuri", Expected.valid()),
            Map.entry("transports", Expected.valid()),
            Map.entry("mpart01", Expected.valid()),
            Map.entry("unreason", new Expected(Kind.VALID_RESPONSE, 0)),
            Map.entry("noreason", new Expected(Kind.VALID_RESPONSE, 0)),
            // §3.1.2 invalid messages
            Map.entry("badinv01", Expected.invalid(400)),
            Map.entry("clerr", Expected.invalid(400)),
            Map.entry("ncl", Expected.invalid(400)),
            Map.entry("scalar02", Expected.invalid(400)),
            Map.entry("scalarlg", new Expected(Kind.INVALID_RESPONSE, 0)),
            Map.entry("quotbal", Expected.invalid(400)),
            // §3.1.2.7-11: rejecting is acceptable, being liberal optional; the SBC rejects.
            Map.entry("ltgtruri", Expected.invalid(400)),
            Map.entry("lwsruri", Expected.invalid(400)),
            Map.entry("lwsstart", Expected.invalid(400)),
            Map.entry("trws", Expected.invalid(400)),
            Map.entry("escruri", Expected.invalid(400)),
            // §3.1.2.12: reject only when the Date matters. The SBC never reads it: the parser drops the unreadable
            // header (SipMessageParser) and the request is relayed without it.
            Map.entry("baddate", Expected.valid()),
            Map.entry("regbadct", Expected.invalid(400)),
            Map.entry("badaspec", Expected.invalid(400)),
            Map.entry("baddn", Expected.invalid(400)),
            Map.entry("badvers", Expected.invalid(505)),
            Map.entry("mismatch01", Expected.invalid(400)),
            Map.entry("mismatch02", Expected.invalid(400)),
            Map.entry("bigcode", new Expected(Kind.INVALID_RESPONSE, 0)),
            // §3.2.1: 400 or the RFC 2543 fallback; the SBC matches the bare cookie as a branch and relays.
            Map.entry("badbranch", Expected.valid()),
            // §3.3 application-layer semantics
            Map.entry("insuf", Expected.invalid(400)),
            Map.entry("unkscm", Expected.answered(416)),
            Map.entry("novelsc", Expected.answered(416)),
            // §3.3.4: a proxy treats it like any request (a registrar would say 400); the SBC relays it.
            Map.entry("unksm2", Expected.valid()),
            Map.entry("bext01", Expected.answered(420)),
            Map.entry("invut", Expected.valid()),
            Map.entry("regaut01", Expected.valid()),
            Map.entry("multi01", Expected.invalid(400)),
            Map.entry("mcl01", Expected.invalid(400)),
            Map.entry("bcast", new Expected(Kind.VALID_RESPONSE, 0)),
            Map.entry("zeromf", Expected.answered(483)),
            Map.entry("cparam01", Expected.valid()),
            Map.entry("cparam02", Expected.valid()),
            Map.entry("regescrt", Expected.valid()),
            // §3.3.15: 406 or 400 for the UAS; the SBC is not the UAS and relays it.
            Map.entry("sdp01", Expected.valid()),
            // §3.4.1
            Map.entry("inv2543", Expected.valid()));

    /** Sent over TCP: longer than RFC 3261 §18.1.1 lets a request go over UDP, and its Vias say TCP. */
    private static final Set<String> OVER_TCP = Set.of("longreq");

    private static final Pattern IPV4 = Pattern.compile("(?<![0-9.])(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})(?![0-9])");
    private static final Pattern METRIC = Pattern.compile("^(sbc_\\S+) (\\S+)$", Pattern.MULTILINE);

    @TempDir
    static Path dataDir;

    private static Path vectors;
    private static UdpSipPeer trunk;
    private static UdpSipPeer pbx;
    private static SbcDaemon sbc;
    /** Call-IDs of requests the PBX has already seen; a relayed request of a case carries a new one. */
    private static final Set<String> seenAtPbx = new HashSet<>();

    @BeforeAll
    static void startDaemon() throws Exception {
        vectors = Rfc4475Vectors.find();
        assumeTrue(vectors != null, Rfc4475Vectors.howToProvide());
        trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
        pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
        SbcConfig base = TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress());
        assertThat(base.sip().gate()).as("the shipped gate limits").isEqualTo(TransportConfig.GateLimits.DEFAULTS);
        sbc = SbcDaemon.start(base);
        pbx.towards(sbc.sipAddress(SipTransport.UDP));
    }

    @AfterAll
    static void stopDaemon() {
        if (sbc != null) {
            sbc.close();
        }
        if (pbx != null) {
            pbx.close();
        }
        if (trunk != null) {
            trunk.close();
        }
    }

    static Stream<String> messages() {
        return new TreeSet<>(RFC_4475.keySet()).stream();
    }

    @Test
    void theTableJudgesEveryMessageOfTheFolder() throws IOException {
        try (Stream<Path> files = Files.list(vectors)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".msg"))
                    .map(n -> n.substring(0, n.length() - 4))).containsExactlyInAnyOrderElementsOf(RFC_4475.keySet());
        }
        assertThat(RFC_4475).hasSize(49);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("messages")
    void handledAsTheRfcSays(String name) throws Exception {
        Expected expected = RFC_4475.get(name);
        byte[] message = toLoopback(Files.readAllBytes(vectors.resolve(name + ".msg")));
        String method = startLineMethod(message);
        Outcome outcome = exchange(message, OVER_TCP.contains(name) ? SipTransport.TCP : SipTransport.UDP);
        String seen = name + ": " + outcome;
        switch (expected.kind()) {
            case VALID -> {
                assertThat(outcome.relayed.isEmpty() && outcome.finals.stream().noneMatch(s -> s != 400))
                        .as("processed (relayed or answered other than 400): " + seen).isFalse();
                assertThat(outcome.relayed).as("relayed as the request it is, trailing bytes ignored: " + seen)
                        .allMatch(method::equals);
                if (!outcome.relayed.isEmpty()) {
                    assertThat(outcome.finals).as("the next hop's answer matched and came back: " + seen)
                            .containsExactly(480);
                }
                assertThat(outcome.finals).as(seen).doesNotContain(400);
            }
            case VALID_ANSWERED -> {
                assertThat(outcome.finals).as(seen).containsExactly(expected.code());
                assertThat(outcome.relayed).as(seen).isEmpty();
            }
            case INVALID -> {
                assertThat(outcome.relayed).as("never relayed: " + seen).isEmpty();
                assertThat(outcome.finals).as(seen).allMatch(s -> s == expected.code());
                assertThat(!outcome.finals.isEmpty() || outcome.gateRejected + outcome.relayDropped > 0)
                        .as("answered " + expected.code() + ", or dropped and counted: " + seen).isTrue();
                if (expected.code() != 400) {
                    assertThat(outcome.finals).as("the code RFC 4475 names: " + seen).containsExactly(expected.code());
                }
            }
            case VALID_RESPONSE -> {
                assertThat(outcome.gateRejected).as("passed the gate: " + seen).isZero();
                assertThat(outcome.noTransaction).as("reached transaction matching: " + seen).isEqualTo(1);
            }
            case INVALID_RESPONSE -> {
                assertThat(outcome.noTransaction).as("stopped before transaction matching: " + seen).isZero();
                assertThat(outcome.gateRejected + outcome.relayDropped).as("dropped and counted: " + seen)
                        .isEqualTo(1);
            }
        }
    }

    /** What one message led to: final answers to the sender, methods relayed to the PBX, and the daemon's counts. */
    private record Outcome(List<Integer> finals, List<String> relayed, double gateRejected, double relayDropped,
            double noTransaction) {
        @Override
        public String toString() {
            return "answered " + finals + ", relayed " + relayed + ", gate rejections " + gateRejected
                    + ", relay drops " + relayDropped + " (no transaction " + noTransaction + ")";
        }
    }

    private static Outcome exchange(byte[] message, SipTransport transport) throws Exception {
        Map<String, Double> before = counters();
        List<Integer> finals = new ArrayList<>();
        List<String> relayed = new ArrayList<>();
        try (SipTestPeer sender = transport == SipTransport.TCP
                ? StreamSipPeer.tcp(new InetSocketAddress("127.0.0.2", 0), sbc.sipAddress(SipTransport.TCP))
                : new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0), sbc.sipAddress(SipTransport.UDP))) {
            sender.sendBytes(message);
            long deadline = System.currentTimeMillis() + CASE_MILLIS;
            long settleUntil = Long.MAX_VALUE;
            while (System.currentTimeMillis() < Math.min(deadline, settleUntil)) {
                String answer = sender.receive(20);
                if (answer != null && answer.startsWith("SIP/2.0 ") && statusOf(answer) >= 200) {
                    finals.add(statusOf(answer));
                }
                collectRelayed(relayed);
                if (settleUntil == Long.MAX_VALUE && decided(before, counters())) {
                    settleUntil = System.currentTimeMillis() + SETTLE_MILLIS;
                }
            }
        }
        Map<String, Double> after = counters();
        return new Outcome(finals, relayed, delta(before, after, "sbc_transport_gate_rejected_total"),
                delta(before, after, "sbc_relay_dropped_total"),
                delta(before, after, "sbc_relay_dropped_total{reason=\"no_transaction\""));
    }

    /**
     * A request at the PBX with a Call-ID it has not seen is a relayed copy; it is refused at once so that nothing
     * lingers. Retransmissions and ACKs (known Call-IDs) get nothing: the first answer covers them.
     */
    private static void collectRelayed(List<String> relayed) throws IOException {
        for (String request = pbx.receive(5); request != null; request = pbx.receive(5)) {
            String method = request.substring(0, request.indexOf(' '));
            if (!request.startsWith("SIP/2.0 ") && seenAtPbx.add(SipTestPeer.header(request, "Call-ID"))) {
                relayed.add(method);
                pbx.send(SipMessages.answer(request, 480, "Temporarily Unavailable", "pbx", null));
            }
        }
    }

    /** The daemon has decided about the message once one of its decision counters moved. */
    private static boolean decided(Map<String, Double> before, Map<String, Double> now) {
        for (String decision : List.of("sbc_transport_gate_rejected_total", "sbc_relay_dropped_total",
                "sbc_relay_requests_total", "sbc_relay_local_responses_total", "sbc_transport_admission_dropped_total")) {
            if (delta(before, now, decision) > 0) {
                return true;
            }
        }
        return false;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String seriesPrefix) {
        double sum = 0;
        for (Map.Entry<String, Double> e : after.entrySet()) {
            if (e.getKey().startsWith(seriesPrefix)) {
                sum += e.getValue() - before.getOrDefault(e.getKey(), 0.0);
            }
        }
        return sum;
    }

    private static Map<String, Double> counters() throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sbc.managementPort() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        Map<String, Double> counters = new HashMap<>();
        Matcher m = METRIC.matcher(response.body());
        while (m.find()) {
            if (m.group(1).contains("_total")) {
                counters.put(m.group(1), Double.parseDouble(m.group(2)));
            }
        }
        return counters;
    }

    private static int statusOf(String response) {
        return Integer.parseInt(response.substring(8, 11));
    }

    private static String startLineMethod(byte[] message) {
        String text = new String(message, StandardCharsets.ISO_8859_1);
        return text.substring(0, text.indexOf(' '));
    }

    /**
     * Every IPv4 literal made a loopback address, as the vectors' README asks: 192.0.2.N (TEST-NET-1) becomes
     * 127.0.0.N and 255.255.255.255 becomes 127.255.255.255, both of the same length; any other becomes 127.0.0.1,
     * which only the header section may contain, so the body keeps the length its Content-Length states.
     */
    static byte[] toLoopback(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int split = text.indexOf("\r\n\r\n");
        String head = split < 0 ? text : text.substring(0, split);
        String body = split < 0 ? "" : text.substring(split);
        String newBody = loopbackLiterals(body);
        assertThat(newBody).as("body rewritten without changing its length").hasSameSizeAs(body);
        return (loopbackLiterals(head) + newBody).getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String loopbackLiterals(String text) {
        Matcher m = IPV4.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        while (m.find()) {
            String literal = m.group();
            String loopback;
            if (m.group(1).equals("127")) {
                loopback = literal;
            } else if (literal.startsWith("192.0.2.")) {
                loopback = "127.0.0." + m.group(4);
            } else if (literal.equals("255.255.255.255")) {
                loopback = "127.255.255.255";
            } else {
                loopback = "127.0.0.1";
            }
            m.appendReplacement(out, loopback);
        }
        return m.appendTail(out).toString();
    }
}
