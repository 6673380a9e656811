package org.edgesbc.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.management.JMException;
import javax.management.ObjectName;
import org.edgesbc.core.config.ConfigException;
import org.edgesbc.core.config.ConfigLoader;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SipConfig;
import org.edgesbc.transport.SipParseException;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.message.NameAddress;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays made-up calls through a private SBC on loopback before {@code sbc run} opens the real listeners. A JVM
 * interprets the message path at first and compiles it while it serves: a fresh SBC under load spent its first
 * seconds compiling, its socket's queue waited past the backlog rule's limit and it refused some of its first calls
 * (3,107 of 30,000 at 3,000 calls/s in one run; docs/performance.md). Compiled code belongs to the classes, not to
 * the SBC that ran them, so the real SBC starts with what the private one made hot.
 *
 * <p>The private SBC has the operator's relay threads and I/O threads, one UDP listener on 127.0.0.1, a trunk on
 * 127.0.0.2 and a PBX on 127.0.0.3 (both answered here, never a real peer), no media, no management access from
 * outside and a data folder of its own, removed afterwards; its metrics and records go with it. Each call is INVITE,
 * 180, 200, ACK, BYE, 200, as a carrier's call to the PBX is. Bounded by {@link #BUDGET_NANOS} and
 * {@link #SETTLE_NANOS}: a slow machine opens later by at most those, warmer or not.
 *
 * <p>After the calls, batches of a twentieth as many, each followed by a pause until the JIT has nothing left to
 * compile, until a batch makes it compile (almost) nothing or {@link #SETTLE_NANOS} has passed. HotSpot raises the
 * invocation count at which it compiles a method fully in proportion to the optimizing compiler's queue, and that
 * queue is long while the calls make hundreds of methods hot at once: the relay's largest methods were still in
 * their profiling tier after 30,000 calls and went to the optimizing compiler only after some 3,000 calls of the real
 * load, which paid for it (2,450-4,280 ms of compiler time in its first 10 s at 1,000 calls/s; docs/performance.md).
 * A batch on a drained queue makes such methods ask again at the plain threshold.
 */
final class CallWarmUp {
    private static final Logger LOG = LoggerFactory.getLogger(CallWarmUp.class);
    /**
     * How long the calls may take: the listeners open later than they would without the warm-up by at most this and
     * {@link #SETTLE_NANOS}, 13 s in all, which leaves room within the 20 s that benchmark runners wait from launch for
     * "SBC running" (14.3-14.5 s from launch on 2 cores; docs/performance.md).
     */
    static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(8);
    /** How long the batches after the calls and the pauses for the JIT may take. */
    static final long SETTLE_NANOS = TimeUnit.SECONDS.toNanos(5);
    /**
     * A batch's calls: this share of the calls, 1,500 of 30,000, above the 1,024 calls after which a method in the
     * profiling tier asks again to be compiled fully (HotSpot's Tier3InvokeNotifyFreqLog).
     */
    private static final int BATCH_SHARE = 20;
    /** A batch that made the JIT compile for less than this has found the message path compiled. */
    private static final long COMPILED_MILLIS = 20;
    /** How often the warm-up asks the JIT whether it is done; twice idle in a row, it is. */
    private static final long JIT_POLL_MILLIS = 100;
    /**
     * Calls in flight at once, at most: enough to keep a compiled relay busy. The window starts small and grows by
     * a call per call completed, halving on a call refused or lost: a cold SBC, interpreting, would let a full
     * window wait past its backlog rule and shed it.
     */
    private static final int MAX_WINDOW = 128;
    private static final int MIN_WINDOW = 4;
    /** A call with no answer for this long is given up (a datagram lost on loopback, a 503). */
    private static final long GIVE_UP_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final String TRUNK_ADDRESS = "127.0.0.2";
    private static final String PBX_ADDRESS = "127.0.0.3";
    private static final String SDP = "v=0\r\no=warm-up 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\n"
            + "t=0 0\r\nm=audio 6000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

    /**
     * @param completed calls that ended with the BYE's 200
     * @param refused calls answered with a failure (a cold SBC sheds some)
     * @param attempted INVITEs sent; those neither completed nor refused were lost or cut off by the budget
     * @param elapsedNanos how long the warm-up took
     * @param settlingNanos of that, how long it paused for the JIT
     */
    record Result(int completed, int refused, int attempted, long elapsedNanos, long settlingNanos) {
        Result plus(Result more) {
            return new Result(completed + more.completed, refused + more.refused, attempted + more.attempted,
                    elapsedNanos + more.elapsedNanos, settlingNanos + more.settlingNanos);
        }
    }

    private CallWarmUp() { }

    /** Runs {@code sip.warm-up-calls} calls, logs what it did and never fails the start: a cold SBC still serves. */
    static void run(SbcConfig operator) {
        int calls = operator.sip().warmUpCalls();
        if (calls == 0) {
            return;
        }
        LOG.info("warming up the message path: a private SBC on 127.0.0.1 relays {} calls before the listeners open",
                calls);
        try {
            Result result = run(operator.sip(), calls, BUDGET_NANOS);
            LOG.info("message path warmed up: {} of {} calls relayed on loopback in {} ms ({} refused), of which {} ms "
                    + "waiting for the JIT", result.completed(), result.attempted(),
                    TimeUnit.NANOSECONDS.toMillis(result.elapsedNanos()), result.refused(),
                    TimeUnit.NANOSECONDS.toMillis(result.settlingNanos()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("message path not warmed up (interrupted): the first calls meet a cold SBC");
        } catch (Exception e) {
            LOG.warn("message path not warmed up ({}): the first calls meet a cold SBC", e.toString());
        }
    }

    /**
     * @param operator the settings whose threads the private SBC copies
     * @param calls calls to place
     * @param budgetNanos when to stop placing calls and wait no more for the ones in flight; the batches and the
     *     pauses for the JIT come on top, at most {@link #SETTLE_NANOS}
     */
    static Result run(SipConfig operator, int calls, long budgetNanos) throws Exception {
        Path folder = Files.createTempDirectory("sbc-warm-up");
        try (DatagramSocket trunk = new DatagramSocket(new InetSocketAddress(TRUNK_ADDRESS, 0));
                DatagramSocket pbx = new DatagramSocket(new InetSocketAddress(PBX_ADDRESS, 0))) {
            SbcConfig config = privateConfig(folder, operator, trunk.getLocalPort(), pbx.getLocalPort());
            Thread answering = new Thread(new Pbx(pbx), "sbc-warm-up-pbx");
            answering.setDaemon(true);
            answering.start();
            try (SbcDaemon sbc = SbcDaemon.start(config, Clock.systemDefaultZone(), false)) {
                Trunk carrier = new Trunk(trunk, sbc.sipAddress(SipTransport.UDP));
                long start = System.nanoTime();
                long settleDeadline = start + budgetNanos + SETTLE_NANOS;
                Result result = carrier.call(calls, start + budgetNanos).plus(awaitIdleJit(settleDeadline));
                return result.plus(batchesUntilCompiled(carrier, Math.max(1, calls / BATCH_SHARE), settleDeadline));
            } finally {
                pbx.close();
                answering.join(TimeUnit.SECONDS.toMillis(1));
            }
        } finally {
            deleteTree(folder);
        }
    }

    private static Result batchesUntilCompiled(Trunk carrier, int batch, long deadline) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        Result result = new Result(0, 0, 0, 0, 0);
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return result;
        }
        while (System.nanoTime() < deadline) {
            long compiled = jit.getTotalCompilationTime();
            result = result.plus(carrier.call(batch, deadline)).plus(awaitIdleJit(deadline));
            long compiling = jit.getTotalCompilationTime() - compiled;
            LOG.debug("warm-up: a batch of {} calls, then {} ms of compiling", batch, compiling);
            if (compiling < COMPILED_MILLIS) {
                break;
            }
        }
        return result;
    }

    /**
     * Waits until the JIT compiles nothing and has nothing queued, or until {@code deadline}; at once on a JVM that
     * does not say (HotSpot's {@code Compiler.queue} diagnostic command, which {@code jcmd} also runs).
     */
    static Result awaitIdleJit(long deadline) throws InterruptedException {
        long start = System.nanoTime();
        long now = start;
        int idlePolls = 0;
        while (idlePolls < 2 && now < deadline) {
            Boolean idle = jitIdle();
            if (idle == null) {
                break;
            }
            idlePolls = idle ? idlePolls + 1 : 0;
            if (idlePolls < 2) {
                TimeUnit.MILLISECONDS.sleep(JIT_POLL_MILLIS);
            }
            now = System.nanoTime();
        }
        return new Result(0, 0, 0, now - start, now - start);
    }

    /**
     * Whether no method is being compiled or queued for it (each names one, {@code Class::method}); null if unknown.
     */
    private static Boolean jitIdle() {
        try {
            Object queue = ManagementFactory.getPlatformMBeanServer().invoke(
                    new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
                    new Object[] {null}, new String[] {String[].class.getName()});
            return queue instanceof String text ? !text.contains("::") : null;
        } catch (JMException | RuntimeException e) {
            return null;
        }
    }

    private static SbcConfig privateConfig(Path folder, SipConfig operator, int trunkPort, int pbxPort)
            throws IOException, ConfigException {
        String yaml = """
                data-dir: data
                sip:
                  listeners:
                    - {name: udp, transport: udp, address: 127.0.0.1, port: 0}
                  io-threads: %d
                  worker-threads: %d
                  warm-up-calls: 0
                zones:
                  - name: trunk
                    role: trunk
                    networks: [%s/32]
                    peer: {host: %s, port: %d, transport: udp}
                  - name: pbx
                    role: pbx
                    networks: [%s/32]
                    peer: {host: %s, port: %d, transport: udp}
                security:
                  rate-limits:
                    new-invites-per-second: 1000000
                management:
                  address: 127.0.0.1
                  port: 0
                  drain-timeout: 0s
                media:
                  enabled: false
                """.formatted(operator.ioThreads(), operator.workerThreads(), TRUNK_ADDRESS, TRUNK_ADDRESS, trunkPort,
                PBX_ADDRESS, PBX_ADDRESS, pbxPort);
        Path file = folder.resolve("warm-up.yaml");
        Files.writeString(file, yaml, StandardCharsets.UTF_8);
        return ConfigLoader.load(file);
    }

    private static void deleteTree(Path folder) {
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("warm-up folder {} not removed: {}", folder, e.toString());
        }
    }

    /** The made-up carrier: places the calls, ACKs their 200s and hangs them up. */
    private static final class Trunk {
        private final DatagramSocket socket;
        private final InetSocketAddress sbc;
        private final String local;
        private final Map<String, Long> inFlight = new HashMap<>();
        private final byte[] receive = new byte[65_535];
        /** Calls placed so far, batches included: each call's number, in its Call-ID, is new. */
        private int placed;

        Trunk(DatagramSocket socket, InetSocketAddress sbc) throws SocketException {
            this.socket = socket;
            this.sbc = sbc;
            this.local = TRUNK_ADDRESS + ":" + socket.getLocalPort();
            socket.setSoTimeout(100);
        }

        /** Places {@code calls} more calls, the last of them before {@code deadline}, and waits for them until then. */
        Result call(int calls, long deadline) throws IOException {
            long start = System.nanoTime();
            int end = placed + calls;
            int completed = 0;
            int refused = 0;
            int window = MIN_WINDOW;
            int first = placed;
            while ((placed < end || !inFlight.isEmpty()) && System.nanoTime() < deadline) {
                while (placed < end && inFlight.size() < window) {
                    invite(placed++);
                }
                SipMessageView response = receive();
                if (response == null) {
                    if (giveUpStale()) {
                        window = Math.max(MIN_WINDOW, window / 2);
                    }
                    continue;
                }
                String method = response.cseqMethod();
                int status = response.statusCode();
                if (status < 200 || !inFlight.containsKey(response.callId())) {
                    continue;
                }
                if ("INVITE".equals(method)) {
                    ack(response);
                    if (status < 300) {
                        bye(response);
                    } else {
                        inFlight.remove(response.callId());
                        refused++;
                        window = Math.max(MIN_WINDOW, window / 2);
                    }
                } else if ("BYE".equals(method) && inFlight.remove(response.callId()) != null
                        && status < 300) {
                    completed++;
                    window = Math.min(MAX_WINDOW, window + 1);
                }
            }
            inFlight.clear();
            return new Result(completed, refused, placed - first, System.nanoTime() - start, 0);
        }

        private void invite(int n) throws IOException {
            String callId = "warm-up-" + n + "@" + TRUNK_ADDRESS;
            inFlight.put(callId, System.nanoTime());
            String number = Integer.toString(5_550_000 + n % 10_000);
            String target = "sip:" + number + "@" + sbc.getAddress().getHostAddress() + ":" + sbc.getPort();
            // Half the calls in the other shape carriers send (display names, a bare Contact URI, capitals in the
            // URIs, one more header), so that the compiled code has seen both and a real caller's shape does not send
            // it back to be compiled.
            boolean named = n % 2 == 1;
            String user = named ? "Carrier" : "carrier";
            send("INVITE " + target + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK-warm-up-" + n + "-1\r\n"
                    + "From: " + (named ? "carrier " : "") + "<sip:" + user + "@" + local + ">;tag=warm-up-" + n
                    + "\r\n"
                    + "To: " + (named ? number + " " : "") + "<" + target + ">\r\n"
                    + "Call-ID: " + callId + "\r\n"
                    + "CSeq: 1 INVITE\r\n"
                    + "Contact: " + (named ? "sip:" + user + "@" + local : "<sip:" + user + "@" + local + ">") + "\r\n"
                    + "Max-Forwards: 70\r\n"
                    + (named ? "Subject: warm-up\r\n" : "")
                    + "Content-Type: application/sdp\r\n"
                    + "Content-Length: " + SDP.length() + "\r\n\r\n" + SDP);
        }

        /**
         * A 2xx's ACK goes to its Contact (the SBC, a B2BUA, records no route), a failure's to the hop that sent it
         * with the INVITE's Request-URI, which was the To's URI.
         */
        private void ack(SipMessageView response) throws IOException {
            boolean success = response.statusCode() < 300;
            String branch = success ? "z9hG4bK-" + response.callId().hashCode() + "-ack" : response.topVia().branch();
            inDialog("ACK", success ? contactUri(response) : response.to().uri(), 1, branch, response);
        }

        private void bye(SipMessageView response) throws IOException {
            inDialog("BYE", contactUri(response), 2, "z9hG4bK-" + response.callId().hashCode() + "-bye", response);
        }

        private static String contactUri(SipMessageView response) {
            List<NameAddress> contacts = response.contacts();
            return contacts == null || contacts.isEmpty() ? response.to().uri() : contacts.get(0).uri();
        }

        private void inDialog(String method, String uri, int cseq, String branch, SipMessageView response)
                throws IOException {
            send(method + " " + uri + " SIP/2.0\r\n"
                    + "Via: SIP/2.0/UDP " + local + ";branch=" + branch + "\r\n"
                    + "From: " + response.header(SipHeaderName.FROM) + "\r\n"
                    + "To: " + response.header(SipHeaderName.TO) + "\r\n"
                    + "Call-ID: " + response.callId() + "\r\n"
                    + "CSeq: " + cseq + " " + method + "\r\n"
                    + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        }

        /** @return whether a call was given up */
        private boolean giveUpStale() {
            long now = System.nanoTime();
            boolean gaveUp = false;
            for (Iterator<Long> started = inFlight.values().iterator(); started.hasNext(); ) {
                if (now - started.next() > GIVE_UP_NANOS) {
                    started.remove();
                    gaveUp = true;
                }
            }
            return gaveUp;
        }

        private void send(String message) throws IOException {
            byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(bytes, bytes.length, sbc));
        }

        /** The next response, or null when none came within the socket's timeout or it does not parse. */
        private SipMessageView receive() throws IOException {
            DatagramPacket packet = new DatagramPacket(receive, receive.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                return null;
            }
            return read(Arrays.copyOf(receive, packet.getLength()));
        }
    }

    /** The made-up PBX: answers every INVITE with 180 and 200 and every BYE with 200, until its socket closes. */
    private static final class Pbx implements Runnable {
        private final DatagramSocket socket;
        private final String contact;

        Pbx(DatagramSocket socket) {
            this.socket = socket;
            this.contact = "<sip:" + PBX_ADDRESS + ":" + socket.getLocalPort() + ";transport=udp>";
        }

        @Override
        public void run() {
            byte[] buffer = new byte[65_535];
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                while (!socket.isClosed()) {
                    packet.setLength(buffer.length);
                    socket.receive(packet);
                    SipMessageView request = read(Arrays.copyOf(buffer, packet.getLength()));
                    InetAddress from = packet.getAddress();
                    int port = packet.getPort();
                    if (request == null) {
                        continue;
                    }
                    if ("INVITE".equals(request.method())) {
                        answer(request, "180 Ringing", "", from, port);
                        answer(request, "200 OK", SDP.replace(TRUNK_ADDRESS, PBX_ADDRESS), from, port);
                    } else if ("BYE".equals(request.method())) {
                        answer(request, "200 OK", "", from, port);
                    }
                }
            } catch (IOException e) {
                // The socket closed: the warm-up is over.
            }
        }

        private void answer(SipMessageView request, String status, String sdp, InetAddress to, int port)
                throws IOException {
            StringBuilder response = new StringBuilder(768).append("SIP/2.0 ").append(status).append("\r\n");
            for (String via : request.headers(SipHeaderName.VIA)) {
                response.append("Via: ").append(via).append("\r\n");
            }
            String toHeader = request.header(SipHeaderName.TO);
            response.append("From: ").append(request.header(SipHeaderName.FROM)).append("\r\n")
                    .append("To: ").append(request.to().tag() != null ? toHeader : toHeader + ";tag=pbx").append("\r\n")
                    .append("Call-ID: ").append(request.callId()).append("\r\n")
                    .append("CSeq: ").append(request.header(SipHeaderName.CSEQ)).append("\r\n")
                    .append("Contact: ").append(contact).append("\r\n");
            if (!sdp.isEmpty()) {
                response.append("Content-Type: application/sdp\r\n");
            }
            response.append("Content-Length: ").append(sdp.length()).append("\r\n\r\n").append(sdp);
            byte[] bytes = response.toString().getBytes(StandardCharsets.US_ASCII);
            socket.send(new DatagramPacket(bytes, bytes.length, to, port));
        }
    }

    /** A message from the private SBC or a made-up peer, read as the relay reads it; null when it does not parse. */
    private static SipMessageView read(byte[] message) {
        try {
            return SipMessageView.parse(message);
        } catch (SipParseException e) {
            return null;
        }
    }
}
