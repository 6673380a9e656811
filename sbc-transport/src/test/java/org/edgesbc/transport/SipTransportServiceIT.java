package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.fixtures.sip.StreamSipPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.fixtures.tls.TestTls;
import org.edgesbc.transport.tls.PemFiles;
import org.edgesbc.transport.tls.SelfSignedCertificateGenerator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transport over real loopback sockets, with peers written on plain java.net and javax.net.ssl sockets that share
 * none of its code. Sources from 127.0.0.2 are refused by admission, 127.0.0.3 is the "trunk" zone, every other
 * loopback address the "access" zone. Every wait is bounded by {@link #WAIT_MILLIS}; "nothing arrives" is checked
 * over {@link #QUIET_MILLIS} after the event that would have caused it has been counted.
 */
class SipTransportServiceIT {
    private static final long WAIT_MILLIS = 5_000;
    private static final long QUIET_MILLIS = 300;
    private static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress("127.0.0.1", 0);
    /** Timer B with the RFC's T1. */
    private static final Duration INVITE_TIMEOUT = Duration.ofSeconds(32);

    @TempDir
    static Path certificates;
    private static Path certificate;
    private static Path key;

    private final BlockingQueue<InboundSipMessage> inbox = new LinkedBlockingQueue<>();
    /** Call-IDs whose new dialogs the sink says it sheds (as the relay does for a shard falling behind). */
    private final Set<String> shedding = ConcurrentHashMap.newKeySet();
    /** What the sink was told of refusals acknowledged after their INVITE was let in: "zone/Call-ID". */
    private final BlockingQueue<String> refusalsAcknowledged = new LinkedBlockingQueue<>();
    /** Whether the sink says it sheds every new dialog, whatever its Call-ID. */
    private volatile boolean sheddingAll;
    private final CountingTransportMetrics metrics = new CountingTransportMetrics();
    /** Call-IDs whose messages the sink takes 20 ms to accept, on the I/O thread. */
    private static final String SLOW = "slow-";
    private SipTransportService service;
    private boolean requireClientCertificate;

    @BeforeAll
    static void generateCertificate() throws IOException {
        certificate = certificates.resolve("sbc.crt");
        key = certificates.resolve("sbc.key");
        SelfSignedCertificateGenerator.generate(certificate, key, List.of("127.0.0.1", "localhost"));
    }

    @AfterEach
    void stop() {
        if (service != null) {
            service.close();
        }
    }

    private static String zoneOf(SipTransport transport, InetSocketAddress source) {
        return switch (source.getAddress().getHostAddress()) {
            case "127.0.0.2" -> null;
            case "127.0.0.3" -> "trunk";
            default -> "access";
        };
    }

    private SipTransportService start(TransportConfig.ConnectionLimits limits, SipTransport... transports)
            throws IOException, InterruptedException {
        List<TransportConfig.Listener> listeners = java.util.Arrays.stream(transports)
                .map(t -> new TransportConfig.Listener(t.name().toLowerCase(), t, ANY_LOOPBACK_PORT))
                .toList();
        TransportConfig.TlsSettings tls = new TransportConfig.TlsSettings(certificate, key, certificate,
                requireClientCertificate, true);
        service = new SipTransportService(new TransportConfig(listeners, TransportConfig.GateLimits.DEFAULTS, limits,
                tls, 1 << 20, 2, INVITE_TIMEOUT), SipTransportServiceIT::zoneOf, new SipMessageSink() {
                    @Override
                    public void onMessage(InboundSipMessage message) {
                        if (message.callId().startsWith(SLOW)) {
                            // Holds the I/O thread, as a relay hand-off that cannot keep up would.
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                        }
                        inbox.add(message);
                    }

                    @Override
                    public boolean shedsNewDialogs(String callId) {
                        return sheddingAll || shedding.contains(callId);
                    }

                    @Override
                    public void refusalAcknowledged(String zone, String callId) {
                        refusalsAcknowledged.add(zone + "/" + callId);
                    }
                }, metrics);
        service.start();
        return service;
    }

    private SipTransportService startAll() throws IOException, InterruptedException {
        return start(new TransportConfig.ConnectionLimits(64, 8, Duration.ofMinutes(1), Duration.ofSeconds(2)),
                SipTransport.UDP, SipTransport.TCP, SipTransport.TLS);
    }

    private static String options(String transport, InetSocketAddress from, String callId) {
        return "OPTIONS sip:sbc@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport + " " + from.getAddress().getHostAddress() + ":" + from.getPort()
                + ";branch=z9hG4bK-" + callId + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:probe@127.0.0.1>;tag=f-" + callId + "\r\n"
                + "To: <sip:sbc@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** {@link #options}'s request as a new INVITE, without a body. */
    private static String invite(String transport, InetSocketAddress from, String callId) {
        return options(transport, from, callId).replace("OPTIONS", "INVITE");
    }

    /** {@code request} (without a body) with a text body of {@code length} bytes. */
    private static String withBody(String request, int length) {
        String body = "x".repeat(length);
        return request.replace("Content-Length: 0\r\n\r\n", "Content-Type: text/plain\r\nContent-Length: "
                + body.length() + "\r\n\r\n" + body);
    }

    private InboundSipMessage nextInbound() throws InterruptedException {
        InboundSipMessage message = inbox.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(message).as("a message at the sink within %d ms", WAIT_MILLIS).isNotNull();
        return message;
    }

    /** Requests the I/O thread needs 1.2 s for: its read bursts stop at their limit with more queued. */
    private static final int SLOW_REQUESTS = 60;

    private static void queueSlowRequests(UdpSipPeer peer) throws IOException {
        for (int i = 0; i < SLOW_REQUESTS; i++) {
            peer.send(options("UDP", peer.localAddress(), SLOW + i));
        }
    }

    /**
     * Reads the sink up to the last of {@link #queueSlowRequests}'s requests, none of them {@code shedCallId}, then
     * sees the socket drained. The last burst may have been full and emptied the socket exactly, which reads as
     * still undrained: a request alone in its burst shows the socket drained before the next INVITE. Alone means
     * sent after the read loop that answered the 503 has ended: sent while it still reads, the request joins that
     * burst and, as its sixteenth datagram, would leave it full again.
     */
    private void awaitDrained(UdpSipPeer peer, String shedCallId) throws IOException, InterruptedException {
        String last = SLOW + (SLOW_REQUESTS - 1);
        InboundSipMessage next = nextInbound();
        while (next != null && !next.callId().equals(last)) {
            assertThat(next.callId()).as("the shed INVITE never reaches the sink").isNotEqualTo(shedCallId);
            next = inbox.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        peer.send(options("UDP", peer.localAddress(), "drained"));
        assertThat(nextInbound().callId()).isEqualTo("drained");
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(WAIT_MILLIS);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within %d ms: %s", WAIT_MILLIS, what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Test
    void udpRequestReachesTheSinkWithZoneAndFlowAndTheReplyGoesBack() throws Exception {
        startAll();
        InetSocketAddress sbc = service.localAddress(SipTransport.UDP);
        assertThat(sbc.getPort()).isPositive();
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, sbc)) {
            String request = options("UDP", peer.localAddress(), "udp-1");
            peer.send(request);

            InboundSipMessage inbound = nextInbound();
            assertThat(inbound.zone()).isEqualTo("access");
            assertThat(inbound.request()).isTrue();
            assertThat(inbound.method()).isEqualTo("OPTIONS");
            assertThat(inbound.callId()).isEqualTo("udp-1");
            assertThat(new String(inbound.bytes(), StandardCharsets.UTF_8)).isEqualTo(request);
            assertThat(inbound.flow().transport()).isEqualTo(SipTransport.UDP);
            assertThat(inbound.flow().remote()).isEqualTo(peer.localAddress());
            assertThat(inbound.flow().local()).isEqualTo(sbc);

            String reply = SipMessages.answer(request, 200, "OK", "t-1", null);
            inbound.flow().send(reply.getBytes(StandardCharsets.UTF_8));
            assertThat(peer.receive(WAIT_MILLIS)).isEqualTo(reply);
            await("the reply counted as sent", () -> metrics.count("messageSent", SipTransport.UDP) == 1);
        }
        assertThat(metrics.count("messageReceived", SipTransport.UDP)).isEqualTo(1);
    }

    @Test
    void aNewInviteThatTheSinkShedsIsAnswered503OnTheIoThreadWhileInDialogRequestsPass() throws Exception {
        startAll();
        shedding.add("shed-1");
        InetSocketAddress sbc = service.localAddress(SipTransport.UDP);
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, sbc)) {
            String invite = invite("UDP", peer.localAddress(), "shed-1");
            peer.send(invite);
            String answer = peer.receive(WAIT_MILLIS);
            assertThat(answer).startsWith("SIP/2.0 503 Service Unavailable\r\n").contains("Retry-After: 5\r\n",
                    "Call-ID: shed-1\r\n", "CSeq: 1 INVITE\r\n", ";branch=z9hG4bK-shed-1").containsPattern(
                            "(?m)^To: <sip:sbc@127.0.0.1>;tag=[0-9a-f]{16}$");
            assertThat(metrics.count("shed", SipTransport.UDP)).isEqualTo(1);
            String reInvite = invite.replace("To: <sip:sbc@127.0.0.1>", "To: <sip:sbc@127.0.0.1>;tag=in-dialog");
            peer.send(reInvite);
            assertThat(nextInbound().callId()).as("a request in a dialog is never shed").isEqualTo("shed-1");
            peer.send(invite.replace("shed-1", "fresh-1"));
            assertThat(nextInbound().callId()).as("another shard's calls pass").isEqualTo("fresh-1");
        }
        try (StreamSipPeer tcp = StreamSipPeer.tcp(ANY_LOOPBACK_PORT, service.localAddress(SipTransport.TCP))) {
            tcp.send(invite("TCP", tcp.localAddress(), "shed-1"));
            assertThat(tcp.receive(WAIT_MILLIS)).startsWith("SIP/2.0 503 Service Unavailable\r\n");
            assertThat(metrics.count("shed", SipTransport.TCP)).isEqualTo(1);
        }
        assertThat(inbox.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).as("nothing shed reached the sink").isNull();
    }

    @Test
    void aNewInviteQueuedBehindAnUndrainedUdpSocketIsShedOnTheIoThread() throws Exception {
        startAll();
        InetSocketAddress sbc = service.localAddress(SipTransport.UDP);
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, sbc)) {
            queueSlowRequests(peer);
            String invite = invite("UDP", peer.localAddress(), "queued-invite");
            peer.send(invite);
            String answer = peer.receive(WAIT_MILLIS);
            assertThat(answer).startsWith("SIP/2.0 503 Service Unavailable\r\n")
                    .contains("Call-ID: queued-invite\r\n", "Retry-After: 5\r\n");
            assertThat(metrics.count("shed:io_backlog", SipTransport.UDP)).isEqualTo(1);
            awaitDrained(peer, "queued-invite");
            peer.send(invite.replace("queued-invite", "after-backlog"));
            assertThat(nextInbound().callId()).as("a new INVITE once the socket is drained")
                    .isEqualTo("after-backlog");
        }
    }

    @Test
    void aRetransmittedInviteOfACallLetInIsNeverShedWhileNewOnesAre() throws Exception {
        startAll();
        InetSocketAddress sbc = service.localAddress(SipTransport.UDP);
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, sbc)) {
            String invite = invite("UDP", peer.localAddress(), "kept-call");
            peer.send(invite);
            assertThat(nextInbound().callId()).isEqualTo("kept-call");
            queueSlowRequests(peer);
            peer.send(invite);
            peer.send(invite.replace("kept-call", "new-call"));
            String answer = peer.receive(WAIT_MILLIS);
            assertThat(answer).startsWith("SIP/2.0 503 Service Unavailable\r\n").contains("Call-ID: new-call\r\n");
            InboundSipMessage next = nextInbound();
            while (next != null && next.callId().startsWith(SLOW)) {
                next = inbox.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS);
            }
            assertThat(next).as("the retransmission reaches the sink").isNotNull();
            assertThat(next.callId()).isEqualTo("kept-call");
            assertThat(metrics.count("shed:io_backlog", SipTransport.UDP)).isEqualTo(1);
        }
    }

    /**
     * New calls shed through three 100 ms windows in a row, past the socket's warm-up, set it a limit of its own; the
     * service reports it (for the new-call limit gauge) while it is in force, and no longer once it has refused
     * nothing for 2 s, although no new call came since to lift it.
     */
    @Test
    void aNewCallLimitTheSocketSetsInALastingOverloadIsReportedUntilItIsLifted() throws Exception {
        startAll();
        assertThat(service.newCallLimitPerSecond()).isZero();
        sheddingAll = true;
        InetSocketAddress sbc = service.localAddress(SipTransport.UDP);
        int sent = 0;
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, sbc)) {
            // Paced by the 503s, so that the socket is never behind: the limit comes from the shedding alone.
            while (service.newCallLimitPerSecond() == 0 && sent < 2 * NewCallRate.WARM_UP_CALLS) {
                for (int i = 0; i < 50; i++, sent++) {
                    peer.send(invite("UDP", peer.localAddress(), "flood-" + sent));
                }
                for (int i = 0; i < 50; i++) {
                    assertThat(peer.receive(WAIT_MILLIS)).startsWith("SIP/2.0 503 Service Unavailable\r\n");
                }
            }
        }
        double limit = service.newCallLimitPerSecond();
        assertThat(limit).as("a limit set after %d new calls", sent).isPositive().isFinite();
        assertThat(sent).isGreaterThan(NewCallRate.WARM_UP_CALLS);
        assertThat(metrics.count("shed:relay_queue", SipTransport.UDP)).isEqualTo(sent);
        long set = System.nanoTime();
        await("the limit reported as lifted", () -> service.newCallLimitPerSecond() == 0);
        assertThat(System.nanoTime() - set).as("not before it has refused nothing for a while")
                .isGreaterThan(NewCallRate.RELEASE_NANOS - 2 * NewCallRate.WINDOW_NANOS);
    }

    /**
     * RFC 3261 §17.2.1: a completed INVITE server transaction answers a retransmitted INVITE with its final response
     * again. While the socket is behind, a retransmission of a refused INVITE is refused again as such, not as a new
     * call; once it has caught up, a caller still retransmitting (it never took the 503) gets its call, and a retry in
     * a new transaction is judged afresh.
     */
    @Test
    void aRetransmittedInviteRefusedIsRefusedAgainWhileTheOverloadLastsAndLetInAfter() throws Exception {
        startAll();
        InetSocketAddress sbc = service.localAddress(SipTransport.UDP);
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, sbc)) {
            queueSlowRequests(peer);
            String invite = invite("UDP", peer.localAddress(), "refused-call");
            peer.send(invite);
            peer.send(invite);
            for (int i = 0; i < 2; i++) {
                assertThat(peer.receive(WAIT_MILLIS)).startsWith("SIP/2.0 503 Service Unavailable\r\n")
                        .contains("Call-ID: refused-call\r\n", ";branch=z9hG4bK-refused-call");
            }
            assertThat(metrics.count("shed:io_backlog", SipTransport.UDP)).isEqualTo(1);
            assertThat(metrics.count("shed:retransmission", SipTransport.UDP)).isEqualTo(1);
            awaitDrained(peer, "refused-call");
            peer.send(invite);
            InboundSipMessage late = nextInbound();
            assertThat(late.callId()).as("the caller still retransmitting gets its call").isEqualTo("refused-call");
            assertThat(new String(late.bytes(), StandardCharsets.UTF_8)).contains("CSeq: 1 INVITE");
        }
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, sbc)) {
            shedding.add("retried-call");
            String invite = invite("UDP", peer.localAddress(), "retried-call");
            peer.send(invite);
            assertThat(peer.receive(WAIT_MILLIS)).startsWith("SIP/2.0 503 Service Unavailable\r\n");
            shedding.remove("retried-call");
            // RFC 3261 §21.5.4: after Retry-After the caller may try again, in a new transaction.
            peer.send(invite.replace("CSeq: 1 INVITE", "CSeq: 2 INVITE").replace("branch=z9hG4bK-retried-call",
                    "branch=z9hG4bK-retry"));
            InboundSipMessage retry = nextInbound();
            assertThat(retry.callId()).isEqualTo("retried-call");
            assertThat(new String(retry.bytes(), StandardCharsets.UTF_8)).contains("CSeq: 2 INVITE");
        }
        assertThat(inbox.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).as("nothing else reached the sink").isNull();
    }

    /**
     * A caller slow to read its answers retransmits a refused INVITE before it reads the 503; let in once the overload
     * has gone, that retransmission becomes a call, and the caller's ACK of the 503 that follows tells the sink the
     * call has no caller. The ACK of a 503 whose INVITE stayed refused tells it nothing.
     */
    @Test
    void theAckOfA503AfterItsInviteWasLetInOnARetransmissionTellsTheSink() throws Exception {
        startAll();
        InetSocketAddress sbc = service.localAddress(SipTransport.UDP);
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, sbc)) {
            String late = invite("UDP", peer.localAddress(), "late-reader");
            String kept = late.replace("late-reader", "kept-refused");
            shedding.add("late-reader");
            shedding.add("kept-refused");
            peer.send(late);
            String lateAnswer = peer.receive(WAIT_MILLIS);
            peer.send(kept);
            String keptAnswer = peer.receive(WAIT_MILLIS);
            assertThat(lateAnswer).startsWith("SIP/2.0 503 Service Unavailable\r\n").contains("Call-ID: late-reader");
            assertThat(keptAnswer).startsWith("SIP/2.0 503 Service Unavailable\r\n").contains("Call-ID: kept-refused");
            shedding.remove("late-reader");
            peer.send(late);
            assertThat(nextInbound().callId()).as("the retransmission let in as a call").isEqualTo("late-reader");
            peer.send(ackOf(kept, keptAnswer));
            peer.send(ackOf(late, lateAnswer));
            assertThat(refusalsAcknowledged.poll(WAIT_MILLIS, TimeUnit.MILLISECONDS)).isEqualTo("access/late-reader");
            assertThat(refusalsAcknowledged.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).as("nothing of the call still "
                    + "refused").isNull();
            assertThat(inbox.poll(QUIET_MILLIS, TimeUnit.MILLISECONDS)).as("neither ACK reaches the sink").isNull();
        }
    }

    /** The ACK of {@code answer}, a non-2xx final response to {@code invite} (RFC 3261 §17.1.1.3). */
    private static String ackOf(String invite, String answer) {
        String tag = SipTestPeer.tag(SipTestPeer.header(answer, "To"));
        assertThat(tag).as("the answer's To tag").isNotNull();
        return invite.replace("INVITE sip:", "ACK sip:").replace("CSeq: 1 INVITE", "CSeq: 1 ACK")
                .replace("To: <sip:sbc@127.0.0.1>", "To: <sip:sbc@127.0.0.1>;tag=" + tag);
    }

    /**
     * RFC 3261 §17.2.1: the ACK of a non-2xx final response ends its transaction. For an answer the I/O thread sent
     * itself (here the gate's 420), that is on the I/O thread: the ACK never reaches the relay, where no transaction
     * knows it. An ACK with a To tag the I/O thread did not write goes on as before.
     */
    @Test
    void theAckOfTheIoThreadsOwnAnswerEndsThereAndNoOtherAck() throws Exception {
        startAll();
        InetSocketAddress sbc = service.localAddress(SipTransport.UDP);
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, sbc)) {
            String invite = invite("UDP", peer.localAddress(), "refused-call")
                    .replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nProxy-Require: foo\r\n");
            peer.send(invite);
            String answer = peer.receive(WAIT_MILLIS);
            assertThat(answer).startsWith("SIP/2.0 420 Bad Extension\r\n");
            String ack = ackOf(invite, answer).replace("Proxy-Require: foo\r\n", "");
            peer.send(ack);
            String tag = SipTestPeer.tag(SipTestPeer.header(answer, "To"));
            peer.send(ack.replace(";tag=" + tag, ";tag=b2bua-elsewhere").replace("refused-call", "other-call"));
            InboundSipMessage next = nextInbound();
            assertThat(next).as("the ACK with a foreign tag reaches the sink").isNotNull();
            assertThat(next.callId()).isEqualTo("other-call");
            assertThat(inbox.poll(200, TimeUnit.MILLISECONDS)).as("nothing else reaches the sink").isNull();
            assertThat(metrics.count("messageReceived", SipTransport.UDP)).isEqualTo(2);
        }
    }

    @Test
    void udpFlowToSendsFromTheListenerPort() throws Exception {
        startAll();
        try (DatagramSocket peer = new DatagramSocket(ANY_LOOPBACK_PORT)) {
            peer.setSoTimeout((int) WAIT_MILLIS);
            InetSocketAddress destination = (InetSocketAddress) peer.getLocalSocketAddress();
            String request = options("UDP", service.localAddress(SipTransport.UDP), "udp-out");

            service.flowTo(SipTransport.UDP, destination).send(request.getBytes(StandardCharsets.UTF_8));

            DatagramPacket packet = new DatagramPacket(new byte[65_535], 65_535);
            peer.receive(packet);
            assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8))
                    .isEqualTo(request);
            assertThat(packet.getSocketAddress()).isEqualTo(service.localAddress(SipTransport.UDP));
        }
    }

    @Test
    void aUdpSendAfterTheListenersClosedIsCountedAsFailedWithoutAWrite() throws Exception {
        startAll();
        SipFlow flow = service.flowTo(SipTransport.UDP, new InetSocketAddress("127.0.0.1", 9));
        service.close();
        // A relay thread still working off its queue while the SBC stops: before the check, each such write failed
        // on the shut-down I/O loop and Netty logged it as an error with its stack trace (thousands at one stop).
        flow.send(options("UDP", new InetSocketAddress("127.0.0.1", 9), "after-close").getBytes(
                StandardCharsets.UTF_8));
        assertThat(metrics.count("sendFailed", SipTransport.UDP)).isEqualTo(1);
        assertThat(metrics.count("messageSent", SipTransport.UDP)).isZero();
    }

    @Test
    void stunKeepAliveOverUdpIsAnsweredWithTheMappedAddressAndNeverReachesTheSink() throws Exception {
        startAll();
        try (DatagramSocket phone = new DatagramSocket(ANY_LOOPBACK_PORT)) {
            phone.setSoTimeout((int) WAIT_MILLIS);
            byte[] binding = java.util.HexFormat.of().parseHex("000100002112a442" + "0102030405060708090a0b0c");
            phone.send(new DatagramPacket(binding, binding.length, service.localAddress(SipTransport.UDP)));

            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            phone.receive(packet);
            java.nio.ByteBuffer answer = java.nio.ByteBuffer.wrap(packet.getData(), 0, packet.getLength());
            assertThat(answer.getShort(0)).as("Binding success").isEqualTo((short) 0x0101);
            int port = phone.getLocalPort();
            assertThat(answer.getShort(20)).as("XOR-MAPPED-ADDRESS").isEqualTo((short) 0x0020);
            assertThat(answer.getShort(26) & 0xFFFF).isEqualTo(port ^ 0x2112);
            assertThat(answer.getInt(28) ^ 0x2112A442).isEqualTo(0x7F000001);
        }
        assertThat(inbox).isEmpty();
    }

    @Test
    void unadmittedUdpSourceGetsNothingAndIsCounted() throws Exception {
        startAll();
        try (UdpSipPeer stranger = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0),
                service.localAddress(SipTransport.UDP))) {
            stranger.send(options("UDP", stranger.localAddress(), "stranger-1"));
            stranger.send("SIP/3.0 garbage\r\n\r\n");

            await("two admission drops", () -> metrics.count("admissionDropped", SipTransport.UDP) == 2);
            assertThat(stranger.receive(QUIET_MILLIS)).isNull();
        }
        assertThat(inbox).isEmpty();
        assertThat(metrics.rejected(SipTransport.UDP, GateRejection.VERSION_UNSUPPORTED)).isZero();
    }

    @Test
    void udpGateRejectOfARequestIsAnswered400WithTheIdentifyingHeaders() throws Exception {
        startAll();
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, service.localAddress(SipTransport.UDP))) {
            String request = options("UDP", peer.localAddress(), "bad-cl")
                    .replace("Content-Length: 0\r\n", "Content-Length: 0\r\nContent-Length: 0\r\n");
            peer.send(request);

            String answer = peer.receive(WAIT_MILLIS);
            assertThat(answer).startsWith("SIP/2.0 400 ");
            assertThat(SipTestPeer.header(answer, "Via")).isEqualTo(SipTestPeer.header(request, "Via"));
            assertThat(SipTestPeer.header(answer, "Call-ID")).isEqualTo("bad-cl");
            assertThat(SipTestPeer.header(answer, "CSeq")).isEqualTo("1 OPTIONS");
            assertThat(SipTestPeer.header(answer, "From")).isEqualTo(SipTestPeer.header(request, "From"));
            assertThat(SipTestPeer.tag(SipTestPeer.header(answer, "To"))).isNotBlank();
            assertThat(SipTestPeer.header(answer, "Content-Length")).isEqualTo("0");
            assertThat(SipTestPeer.header(answer, "Server")).isNull();
            assertThat(SipTestPeer.header(answer, "User-Agent")).isNull();
        }
        assertThat(metrics.rejected(SipTransport.UDP, GateRejection.CONTENT_LENGTH_INVALID)).isEqualTo(1);
        assertThat(inbox).isEmpty();
    }

    @Test
    void udpOversizedRequestIsAnswered413() throws Exception {
        startAll();
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, service.localAddress(SipTransport.UDP))) {
            String request = withBody(options("UDP", peer.localAddress(), "huge"), 20_000);
            peer.send(request);

            String answer = peer.receive(WAIT_MILLIS);
            assertThat(answer).startsWith("SIP/2.0 413 ");
            assertThat(SipTestPeer.header(answer, "Call-ID")).isEqualTo("huge");
        }
        assertThat(metrics.rejected(SipTransport.UDP, GateRejection.MESSAGE_TOO_LARGE)).isEqualTo(1);
    }

    @Test
    void replacedGateLimitsApplyToTheNextDatagram() throws Exception {
        startAll();
        TransportSettings smallerMessages = TransportSettings.build(
                new TransportConfig.GateLimits(1_024, 1_024, 2_048, 64, 70),
                new TransportConfig.TlsSettings(certificate, key, certificate, false, true));
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, service.localAddress(SipTransport.UDP))) {
            String twoKilobytes = withBody(options("UDP", peer.localAddress(), "mid"), 2_000);
            peer.send(twoKilobytes);
            assertThat(nextInbound().callId()).isEqualTo("mid");
            service.replaceSettings(smallerMessages);
            peer.send(twoKilobytes);
            assertThat(peer.receive(WAIT_MILLIS)).startsWith("SIP/2.0 413 ");
        }
        assertThat(metrics.rejected(SipTransport.UDP, GateRejection.MESSAGE_TOO_LARGE)).isEqualTo(1);
        assertThat(inbox).isEmpty();
    }

    @Test
    void udpRejectedResponsesAndGarbageAreDroppedSilentlyButCounted() throws Exception {
        startAll();
        try (UdpSipPeer peer = new UdpSipPeer(ANY_LOOPBACK_PORT, service.localAddress(SipTransport.UDP))) {
            String request = options("UDP", peer.localAddress(), "resp-1");
            String responseWithoutCallId = SipMessages.answer(request, 200, "OK", "t", null)
                    .replace("Call-ID: resp-1\r\n", "");
            peer.send(responseWithoutCallId);
            peer.sendBytes(new byte[] {0x16, 0x03, 0x01, 0x00, 0x05, 'h', 'e', 'l', 'l', 'o', '\r', '\n'});
            peer.send("\r\n\r\n");

            await("two rejections", () -> metrics.rejected(SipTransport.UDP, GateRejection.REQUIRED_HEADER_MISSING) == 1
                    && metrics.rejected(SipTransport.UDP, GateRejection.GARBAGE) == 1);
            assertThat(peer.receive(QUIET_MILLIS)).isNull();
        }
        assertThat(inbox).isEmpty();
    }

    @Test
    void tcpRequestArrivesAndReplyAndNewRequestsReuseTheInboundConnection() throws Exception {
        startAll();
        try (StreamSipPeer peer = StreamSipPeer.tcp(ANY_LOOPBACK_PORT, service.localAddress(SipTransport.TCP))) {
            String request = options("TCP", peer.localAddress(), "tcp-1");
            peer.send(request);

            InboundSipMessage inbound = nextInbound();
            assertThat(inbound.zone()).isEqualTo("access");
            assertThat(inbound.flow().transport()).isEqualTo(SipTransport.TCP);
            assertThat(inbound.flow().remote()).isEqualTo(peer.localAddress());
            assertThat(new String(inbound.bytes(), StandardCharsets.UTF_8)).isEqualTo(request);

            String reply = SipMessages.answer(request, 200, "OK", "t-1", null);
            inbound.flow().send(reply.getBytes(StandardCharsets.UTF_8));
            assertThat(peer.receive(WAIT_MILLIS)).isEqualTo(reply);

            // A request toward exactly the peer's address and port goes over the connection the peer opened.
            String notify = SipMessages.inDialog("NOTIFY", "sip:probe@127.0.0.1", "TCP",
                    service.localAddress(SipTransport.TCP), "tcp-1", "<sip:sbc@127.0.0.1>;tag=t-1",
                    "<sip:probe@127.0.0.1>;tag=f-tcp-1", 2, "z9hG4bK-n1");
            service.flowTo(SipTransport.TCP, peer.localAddress()).send(notify.getBytes(StandardCharsets.UTF_8));
            assertThat(peer.receive(WAIT_MILLIS)).isEqualTo(notify);
        }
        assertThat(metrics.count("connectionOpened", SipTransport.TCP)).isEqualTo(1);
    }

    @Test
    void tcpGateRejectIsAnsweredAndTheConnectionStaysUsable() throws Exception {
        startAll();
        try (StreamSipPeer peer = StreamSipPeer.tcp(ANY_LOOPBACK_PORT, service.localAddress(SipTransport.TCP))) {
            String mismatched = options("TCP", peer.localAddress(), "mismatched").replace(" OPTIONS\r\n", " INFO\r\n");
            assertThat(mismatched).contains("CSeq: 1 INFO\r\n");
            peer.send(mismatched);
            assertThat(peer.receive(WAIT_MILLIS)).startsWith("SIP/2.0 400 ");

            peer.send(options("TCP", peer.localAddress(), "after-mismatch"));
            assertThat(nextInbound().callId()).isEqualTo("after-mismatch");
        }
        assertThat(metrics.rejected(SipTransport.TCP, GateRejection.HEADER_MALFORMED)).isEqualTo(1);
    }

    @Test
    void tcpContentLengthBeyondTheLimitIsAnswered413AndTheConnectionClosed() throws Exception {
        startAll();
        try (StreamSipPeer peer = StreamSipPeer.tcp(ANY_LOOPBACK_PORT, service.localAddress(SipTransport.TCP))) {
            peer.send(options("TCP", peer.localAddress(), "big-cl")
                    .replace("Content-Length: 0", "Content-Length: 999999"));
            assertThat(peer.receive(WAIT_MILLIS)).startsWith("SIP/2.0 413 ");
            assertThat(peer.closedByPeer(WAIT_MILLIS)).isTrue();
        }
        assertThat(inbox).isEmpty();
    }

    @Test
    void tcpDoubleCrlfPingGetsACrlfPong() throws Exception {
        startAll();
        try (Socket socket = new Socket()) {
            socket.bind(ANY_LOOPBACK_PORT);
            socket.connect(service.localAddress(SipTransport.TCP), (int) WAIT_MILLIS);
            socket.setSoTimeout((int) WAIT_MILLIS);
            socket.getOutputStream().write("\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            InputStream in = socket.getInputStream();
            assertThat(new byte[] {(byte) in.read(), (byte) in.read()}).containsExactly('\r', '\n');
        }
    }

    @Test
    void unadmittedTcpConnectionIsClosedWithoutAWord() throws Exception {
        startAll();
        try (StreamSipPeer stranger = StreamSipPeer.tcp(new InetSocketAddress("127.0.0.2", 0),
                service.localAddress(SipTransport.TCP))) {
            assertThat(stranger.closedByPeer(WAIT_MILLIS)).isTrue();
            assertThat(stranger.receive(QUIET_MILLIS)).isNull();
        }
        assertThat(metrics.count("admissionDropped", SipTransport.TCP)).isEqualTo(1);
        assertThat(metrics.count("connectionOpened", SipTransport.TCP)).isZero();
        assertThat(service.openConnections()).isZero();
    }

    @Test
    void flowToReusesTheOutboundTcpConnectionAndItsAnswersReachTheSink() throws Exception {
        startAll();
        try (ServerSocket pbx = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.3"))) {
            InetSocketAddress destination = (InetSocketAddress) pbx.getLocalSocketAddress();
            InetSocketAddress sbc = service.localAddress(SipTransport.TCP);
            String first = options("TCP", sbc, "out-1");
            String second = options("TCP", sbc, "out-2");

            service.flowTo(SipTransport.TCP, destination).send(first.getBytes(StandardCharsets.UTF_8));
            try (StreamSipPeer accepted = StreamSipPeer.accept(pbx, (int) WAIT_MILLIS)) {
                assertThat(accepted.receive(WAIT_MILLIS)).isEqualTo(first);
                service.flowTo(SipTransport.TCP, destination).send(second.getBytes(StandardCharsets.UTF_8));
                assertThat(accepted.receive(WAIT_MILLIS)).isEqualTo(second);
                assertThatThrownBy(() -> StreamSipPeer.accept(pbx, (int) QUIET_MILLIS))
                        .isInstanceOf(SocketTimeoutException.class);

                String answer = SipMessages.answer(first, 200, "OK", "pbx", null);
                accepted.send(answer);
                InboundSipMessage inbound = nextInbound();
                assertThat(inbound.zone()).isEqualTo("trunk");
                assertThat(inbound.request()).isFalse();
                assertThat(inbound.statusCode()).isEqualTo(200);
                assertThat(inbound.method()).isEqualTo("OPTIONS");
                assertThat(inbound.flow().remote()).isEqualTo(destination);
            }
        }
        assertThat(metrics.count("connectionOpened", SipTransport.TCP)).isEqualTo(1);
    }

    @Test
    void flowToAnUnreachableDestinationCountsSendFailedAndReleasesItsRoom() throws Exception {
        startAll();
        InetSocketAddress closed;
        try (ServerSocket gone = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = (InetSocketAddress) gone.getLocalSocketAddress();
        }
        SipFlow flow = service.flowTo(SipTransport.TCP, closed);
        flow.send(options("TCP", service.localAddress(SipTransport.TCP), "nowhere").getBytes(StandardCharsets.UTF_8));

        await("the send counted as failed", () -> metrics.count("sendFailed", SipTransport.TCP) == 1);
        await("the reservation released", () -> service.openConnections() == 0);
        assertThat(flow.isOpen()).isFalse();
    }

    @Test
    void tlsRequestArrivesAndTheReplyReachesTheClient() throws Exception {
        startAll();
        SSLContext client = TestTls.trusting(certificate);
        try (StreamSipPeer peer = StreamSipPeer.tls(ANY_LOOPBACK_PORT, service.localAddress(SipTransport.TLS),
                client)) {
            String request = options("TLS", peer.localAddress(), "tls-1");
            peer.send(request);

            InboundSipMessage inbound = nextInbound();
            assertThat(inbound.zone()).isEqualTo("access");
            assertThat(inbound.flow().transport()).isEqualTo(SipTransport.TLS);
            assertThat(inbound.flow().remote()).isEqualTo(peer.localAddress());

            String reply = SipMessages.answer(request, 200, "OK", "t-1", null);
            inbound.flow().send(reply.getBytes(StandardCharsets.UTF_8));
            assertThat(peer.receive(WAIT_MILLIS)).isEqualTo(reply);
        }
        assertThat(metrics.count("connectionOpened", SipTransport.TLS)).isEqualTo(1);
    }

    @Test
    void mutualTlsRefusesClientsWithoutATrustedCertificate() throws Exception {
        requireClientCertificate = true;
        startAll();
        InetSocketAddress sbc = service.localAddress(SipTransport.TLS);
        try (StreamSipPeer anonymous = StreamSipPeer.tls(ANY_LOOPBACK_PORT, sbc, TestTls.trusting(certificate))) {
            // TLS 1.3 finishes the client's side of the handshake before the server checks the certificate, so the
            // refusal may come as an alert on the first read rather than from startHandshake.
            anonymous.send(options("TLS", anonymous.localAddress(), "anonymous"));
            assertThat(anonymous.closedByPeer(WAIT_MILLIS)).isTrue();
        } catch (IOException refusedDuringHandshake) {
            assertThat(refusedDuringHandshake).isInstanceOf(javax.net.ssl.SSLException.class);
        }
        SSLContext withCertificate = TestTls.withKey(PemFiles.privateKey(key), PemFiles.certificates(certificate),
                certificate);
        try (StreamSipPeer known = StreamSipPeer.tls(ANY_LOOPBACK_PORT, sbc, withCertificate)) {
            known.send(options("TLS", known.localAddress(), "known"));
            assertThat(nextInbound().callId()).as("only the client with a certificate gets through")
                    .isEqualTo("known");
        }
    }

    @Test
    void flowToOverTlsVerifiesTheServerAndDeliversInOrder() throws Exception {
        startAll();
        SSLContext server = TestTls.withKey(PemFiles.privateKey(key), PemFiles.certificates(certificate), certificate);
        try (SSLServerSocket pbx = (SSLServerSocket) server.getServerSocketFactory()
                .createServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            InetSocketAddress destination = (InetSocketAddress) pbx.getLocalSocketAddress();
            String first = options("TLS", service.localAddress(SipTransport.TLS), "tls-out-1");
            String second = options("TLS", service.localAddress(SipTransport.TLS), "tls-out-2");
            SipFlow flow = service.flowTo(SipTransport.TLS, destination);
            flow.send(first.getBytes(StandardCharsets.UTF_8));
            flow.send(second.getBytes(StandardCharsets.UTF_8));

            try (StreamSipPeer accepted = StreamSipPeer.accept(pbx, (int) WAIT_MILLIS)) {
                assertThat(accepted.receive(WAIT_MILLIS)).isEqualTo(first);
                assertThat(accepted.receive(WAIT_MILLIS)).isEqualTo(second);
            }
        }
    }

    @Test
    void connectionCapsPerSourceAndInTotalRefuseAtOnce() throws Exception {
        start(new TransportConfig.ConnectionLimits(2, 1, Duration.ofMinutes(1), Duration.ofSeconds(2)),
                SipTransport.TCP);
        InetSocketAddress sbc = service.localAddress(SipTransport.TCP);
        StreamSipPeer first = StreamSipPeer.tcp(ANY_LOOPBACK_PORT, sbc);
        try (StreamSipPeer trunk = StreamSipPeer.tcp(new InetSocketAddress("127.0.0.3", 0), sbc)) {
            first.send(options("TCP", first.localAddress(), "cap-1"));
            assertThat(nextInbound().callId()).isEqualTo("cap-1");

            try (StreamSipPeer sameSource = StreamSipPeer.tcp(ANY_LOOPBACK_PORT, sbc)) {
                assertThat(sameSource.closedByPeer(WAIT_MILLIS)).as("over the per-source cap").isTrue();
            }
            trunk.send(options("TCP", trunk.localAddress(), "cap-trunk"));
            InboundSipMessage fromTrunk = nextInbound();
            assertThat(fromTrunk.zone()).isEqualTo("trunk");
            try (StreamSipPeer third = StreamSipPeer.tcp(new InetSocketAddress("127.0.0.4", 0), sbc)) {
                assertThat(third.closedByPeer(WAIT_MILLIS)).as("over the total cap").isTrue();
            }
            assertThat(metrics.count("connectionRefused", SipTransport.TCP)).isEqualTo(2);

            first.close();
            await("the first connection's room given back", () -> service.openConnections() == 1);
            try (StreamSipPeer again = StreamSipPeer.tcp(ANY_LOOPBACK_PORT, sbc)) {
                again.send(options("TCP", again.localAddress(), "cap-again"));
                assertThat(nextInbound().callId()).isEqualTo("cap-again");
            }
        } finally {
            first.close();
        }
    }

    @Test
    void idleConnectionIsClosed() throws Exception {
        start(new TransportConfig.ConnectionLimits(8, 8, Duration.ofMillis(200), Duration.ofSeconds(2)),
                SipTransport.TCP);
        try (StreamSipPeer peer = StreamSipPeer.tcp(ANY_LOOPBACK_PORT, service.localAddress(SipTransport.TCP))) {
            peer.send(options("TCP", peer.localAddress(), "idle"));
            assertThat(nextInbound().callId()).isEqualTo("idle");
            assertThat(peer.closedByPeer(WAIT_MILLIS)).isTrue();
        }
        await("the idle connection counted closed", () -> metrics.count("connectionClosed", SipTransport.TCP) == 1);
        assertThat(service.openConnections()).isZero();
    }

    @Test
    void aListenerThatCannotBindFailsStartNamingItself() throws Exception {
        try (DatagramSocket taken = new DatagramSocket(ANY_LOOPBACK_PORT)) {
            InetSocketAddress address = (InetSocketAddress) taken.getLocalSocketAddress();
            TransportConfig config = new TransportConfig(
                    List.of(new TransportConfig.Listener("edge-udp", SipTransport.UDP, address)),
                    TransportConfig.GateLimits.DEFAULTS, TransportConfig.ConnectionLimits.DEFAULTS, null, 1 << 16, 1,
                    INVITE_TIMEOUT);
            try (SipTransportService clash = new SipTransportService(config, SipTransportServiceIT::zoneOf,
                    inbox::add, metrics)) {
                assertThatThrownBy(clash::start)
                        .isInstanceOf(IOException.class)
                        .hasMessageContaining("edge-udp")
                        .hasMessageContaining(String.valueOf(address.getPort()));
            }
        }
    }

    @Test
    void aTlsListenerWithoutTlsSettingsFailsStart() {
        TransportConfig config = new TransportConfig(
                List.of(new TransportConfig.Listener("edge-tls", SipTransport.TLS, ANY_LOOPBACK_PORT)),
                TransportConfig.GateLimits.DEFAULTS, TransportConfig.ConnectionLimits.DEFAULTS, null, 1 << 16, 1,
                INVITE_TIMEOUT);
        try (SipTransportService misconfigured = new SipTransportService(config, SipTransportServiceIT::zoneOf,
                inbox::add, metrics)) {
            assertThatThrownBy(misconfigured::start).hasMessageContaining("edge-tls");
        }
    }
}
