package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.concurrent.DefaultEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOffMetrics;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 3261 §17 on its own: the transaction layer with a recording flow and a recording transaction user, run on a
 * real shard thread with T1 = 20 ms so that timer-driven steps happen within a test's patience.
 */
class TransactionLayerTest {
    private static final InetSocketAddress PEER = new InetSocketAddress("127.0.0.3", 5060);
    private static final InetAddress PEER_ADDRESS = PEER.getAddress();

    private final DefaultEventExecutor executor = new DefaultEventExecutor();
    private final RecordingFlow flow = new RecordingFlow();
    private final RecordingUser user = new RecordingUser();
    private final RecordingRelayMetrics metrics = new RecordingRelayMetrics();
    private final TransactionLayer transactions = new TransactionLayer(shard(), 3);

    @AfterEach
    void stop() {
        executor.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly();
    }

    @Test
    void aRetransmittedRequestIsAnsweredWithTheLastResponse() throws Exception {
        SipMessageView invite = request("INVITE", "z9hG4bK-a1");
        onShard(() -> {
            ServerTransaction server = transactions.createServer(inbound("trunk", invite));
            transactions.respond(server, "SIP/2.0 180 Ringing".getBytes(StandardCharsets.UTF_8), 180);
            return null;
        });
        assertThat(flow.next()).isEqualTo("SIP/2.0 180 Ringing");
        assertThat(onShard(() -> transactions.absorbRetransmission("trunk", request("INVITE", "z9hG4bK-a1"))))
                .isTrue();
        assertThat(flow.next()).isEqualTo("SIP/2.0 180 Ringing");
        assertThat(onShard(() -> transactions.absorbRetransmission("pbx", request("INVITE", "z9hG4bK-a1"))))
                .as("the same branch from another zone is another transaction").isFalse();
    }

    @Test
    void aRefusalOfAnInviteIsRetransmittedUntilTheAckEndsTimerG() throws Exception {
        SipMessageView invite = request("INVITE", "z9hG4bK-g1");
        onShard(() -> {
            ServerTransaction server = transactions.createServer(inbound("trunk", invite));
            transactions.respond(server, "SIP/2.0 486 Busy Here".getBytes(StandardCharsets.UTF_8), 486);
            return null;
        });
        assertThat(flow.next()).isEqualTo("SIP/2.0 486 Busy Here");
        assertThat(flow.next()).as("Timer G fired").isEqualTo("SIP/2.0 486 Busy Here");
        assertThat(onShard(() -> transactions.absorbAck("trunk", request("ACK", "z9hG4bK-g1")))).isTrue();
        flow.drain();
        assertThat(flow.poll(200)).as("no retransmission after the ACK").isNull();
        assertThat(onShard(() -> transactions.absorbAck("trunk", request("ACK", "z9hG4bK-g1"))))
                .as("a retransmitted ACK is absorbed too").isTrue();
    }

    @Test
    void anInviteFailureIsAckedHereAndReachesItsUserOnce() throws Exception {
        ClientTransaction client = onShard(() -> transactions.send(edit(request("INVITE", "z9hG4bK-x")), flow, "pbx",
                user, true));
        String sent = flow.next();
        String branch = branchOf(sent);
        assertThat(branch).startsWith("z9hG4bK").isNotEqualTo("z9hG4bK-x");
        onShard(() -> respondTo(client, response(100, branch, "INVITE")));
        onShard(() -> respondTo(client, response(180, branch, "INVITE")));
        onShard(() -> respondTo(client, response(486, branch, "INVITE")));
        assertThat(flow.next()).as("the hop-by-hop ACK (RFC 3261 §17.1.1.3)").startsWith("ACK ").contains(branch);
        onShard(() -> respondTo(client, response(486, branch, "INVITE")));
        assertThat(flow.next()).as("a retransmitted failure is ACKed again").startsWith("ACK ");
        assertThat(user.events).containsExactly("provisional 180", "final 486");
        assertThat(onShard(() -> client.state)).isEqualTo(ClientTransaction.State.COMPLETED);
    }

    @Test
    void aCancelWaitsForTheFirstProvisionalResponse() throws Exception {
        ClientTransaction client = onShard(() -> transactions.send(edit(request("INVITE", "z9hG4bK-c")), flow, "pbx",
                user, true));
        String branch = branchOf(flow.next());
        onShard(() -> {
            transactions.cancelWhenProceeding(client);
            return null;
        });
        String beforeProvisional;
        while ((beforeProvisional = flow.poll(100)) != null) {
            assertThat(beforeProvisional).as("RFC 3261 §9.1: no CANCEL before a provisional response")
                    .startsWith("INVITE ");
        }
        onShard(() -> respondTo(client, response(100, branch, "INVITE")));
        String cancel = flow.next();
        while (cancel.startsWith("INVITE ")) {
            cancel = flow.next();
        }
        assertThat(cancel).startsWith("CANCEL ").contains(branch);
    }

    @Test
    void aResponseFromAnotherZoneDoesNotReachTheUser() throws Exception {
        ClientTransaction client = onShard(() -> transactions.send(edit(request("OPTIONS", "z9hG4bK-o")), flow, "pbx",
                user, true));
        String branch = branchOf(flow.next());
        onShard(() -> {
            transactions.onResponse("trunk", response(200, branch, "OPTIONS"), PEER_ADDRESS);
            return null;
        });
        assertThat(user.events).isEmpty();
        onShard(() -> respondTo(client, response(200, branch, "OPTIONS")));
        assertThat(user.events).containsExactly("final 200");
    }

    @Test
    void anUnansweredRequestIsRetransmittedThenTimesOut() throws Exception {
        onShard(() -> transactions.send(edit(request("OPTIONS", "z9hG4bK-t")), flow, "pbx", user, true));
        String first = flow.next();
        assertThat(flow.next()).as("Timer E").isEqualTo(first);
        String event = user.awaitEvent();
        assertThat(event).as("Timer F after 64*T1").isEqualTo("timed out OPTIONS");
        assertThat(onShard(transactions::size)).isZero();
    }

    @Test
    void theBoundCountsOnlyBoundedTransactions() throws Exception {
        onShard(() -> {
            transactions.send(edit(request("OPTIONS", "z9hG4bK-b1")), flow, "pbx", user, false);
            transactions.send(edit(request("OPTIONS", "z9hG4bK-b2")), flow, "pbx", user, true);
            transactions.createServer(inbound("trunk", request("MESSAGE", "z9hG4bK-b3")));
            return null;
        });
        assertThat(onShard(transactions::full)).isFalse();
        onShard(() -> transactions.createServer(inbound("trunk", request("MESSAGE", "z9hG4bK-b4"))));
        assertThat(onShard(transactions::full)).isTrue();
    }

    @Test
    void anAnsweredByeLeavesTheBoundButStillGetsItsResponseAgainUntilTimerJ() throws Exception {
        onShard(() -> {
            for (int i = 1; i <= 3; i++) {
                ServerTransaction server = transactions.createServer(inbound("trunk", request("BYE", "z9hG4bK-j" + i)));
                transactions.respond(server, ("SIP/2.0 200 OK " + i).getBytes(StandardCharsets.UTF_8), 200);
            }
            return null;
        });
        flow.drain();
        assertThat(onShard(transactions::full)).as("completed ones do not hold the bound").isFalse();
        assertThat(onShard(transactions::size)).as("but are still transactions").isEqualTo(3);

        assertThat(onShard(() -> transactions.absorbRetransmission("trunk", request("BYE", "z9hG4bK-j2")))).isTrue();
        assertThat(flow.next()).isEqualTo("SIP/2.0 200 OK 2");
        assertThat(metrics.next("retransmissionAbsorbed")).isNotNull();

        Thread.sleep(1_280 + 200);
        assertThat(onShard(() -> transactions.absorbRetransmission("trunk", request("BYE", "z9hG4bK-j2"))))
                .as("Timer J (64*T1) is over").isFalse();
        assertThat(onShard(transactions::size)).isZero();
    }

    @Test
    void anAcceptedInviteAbsorbsRetransmissionsSilentlyAndStillMatchesACancel() throws Exception {
        onShard(() -> {
            ServerTransaction server = transactions.createServer(inbound("trunk", request("INVITE", "z9hG4bK-l1")));
            transactions.respond(server, "SIP/2.0 200 OK".getBytes(StandardCharsets.UTF_8), 200);
            return null;
        });
        assertThat(flow.next()).isEqualTo("SIP/2.0 200 OK");

        assertThat(onShard(() -> transactions.absorbRetransmission("trunk", request("INVITE", "z9hG4bK-l1"))))
                .isTrue();
        assertThat(flow.poll(100)).as("RFC 6026 §8.7: absorbed, not answered").isNull();
        assertThat(onShard(() -> transactions.inviteServerOf("trunk", request("CANCEL", "z9hG4bK-l1")))).isNull();
        assertThat(onShard(() -> transactions.inviteAccepted("trunk", request("CANCEL", "z9hG4bK-l1")))).isTrue();
        assertThat(onShard(() -> transactions.inviteAccepted("trunk", request("CANCEL", "z9hG4bK-l2")))).isFalse();
    }

    @Test
    void anAnsweredClientRequestAbsorbsItsRetransmittedResponseUntilTimerK() throws Exception {
        ClientTransaction client = onShard(() -> transactions.send(edit(request("BYE", "z9hG4bK-k")), flow, "pbx",
                user, true));
        String branch = branchOf(flow.next());
        onShard(() -> respondTo(client, response(200, branch, "BYE")));
        assertThat(onShard(transactions::full)).isFalse();

        onShard(() -> respondTo(client, response(200, branch, "BYE")));
        onShard(() -> {
            transactions.onResponse("trunk", response(200, branch, "BYE"), PEER_ADDRESS);
            return null;
        });
        assertThat(user.events).as("the user heard the first only").containsExactly("final 200");
        assertThat(metrics.next("retransmissionAbsorbed")).isNotNull();
        assertThat(metrics.next("dropped")).as("from another zone than the request went to")
                .isEqualTo("dropped " + RelayDropReason.WRONG_SOURCE);

        Thread.sleep(100 + 100);
        onShard(() -> respondTo(client, response(200, branch, "BYE")));
        assertThat(metrics.next("dropped")).as("after Timer K (T4)")
                .isEqualTo("dropped " + RelayDropReason.NO_TRANSACTION);
    }

    @Test
    void anAcceptedInviteSendsTheRelayedAnswerAgainAndHangsUpAnAnswerFromAnotherDialog() throws Exception {
        RecordingFlow caller = new RecordingFlow();
        ClientTransaction client = onShard(() -> transactions.send(edit(request("INVITE", "z9hG4bK-m")), flow, "pbx",
                user, true));
        String branch = branchOf(flow.next());
        onShard(() -> respondTo(client, response(200, branch, "INVITE", "t1")));
        onShard(() -> {
            transactions.keepAnswer(client, "SIP/2.0 200 OK as relayed".getBytes(StandardCharsets.UTF_8), caller);
            return null;
        });
        assertThat(onShard(transactions::full)).isFalse();
        assertThat(onShard(transactions::size)).isEqualTo(1);

        onShard(() -> respondTo(client, response(200, branch, "INVITE", "t1")));
        assertThat(caller.next()).as("RFC 6026 Accepted state: the retransmitted 2xx is relayed").isEqualTo(
                "SIP/2.0 200 OK as relayed");
        assertThat(user.events).containsExactly("final 200");

        onShard(() -> respondTo(client, response(200, branch, "INVITE", "t2")));
        assertThat(flow.next()).as("RFC 3261 §13.2.2.4: another dialog's 2xx is ACKed").startsWith("ACK ")
                .contains("tag=t2");
        String bye = flow.next();
        assertThat(bye).as("and hung up").startsWith("BYE ").contains("tag=t2").contains("CSeq: 2 BYE");
        onShard(() -> respondTo(client, response(200, branch, "INVITE", "t2")));
        String again;
        while ((again = flow.next()).equals(bye)) {
            // Timer E resends the unanswered BYE meanwhile.
        }
        assertThat(again).as("its retransmission only ACKed again").startsWith("ACK ");
        for (String more = flow.poll(100); more != null; more = flow.poll(100)) {
            assertThat(more).as("no second BYE").isEqualTo(bye);
        }
        assertThat(caller.poll(100)).as("the caller never hears of it").isNull();
    }

    private Void respondTo(ClientTransaction client, SipMessageView response) {
        transactions.onResponse(client.targetZone, response, PEER_ADDRESS);
        return null;
    }

    private <T> T onShard(Callable<T> task) throws Exception {
        return executor.submit(task).get(5, TimeUnit.SECONDS);
    }

    private ShardContext shard() {
        RelaySettings settings = new RelaySettings("127.0.0.1", Map.of(SipTransport.UDP, 5060),
                Map.of("pbx", new RelaySettings.ZonePeer("pbx", PEER, SipTransport.UDP, SrtpPolicy.OFF)),
                Map.of(), "pbx", Duration.ofMillis(20), Duration.ofMillis(80), Duration.ofMillis(100), 3, 3,
                Duration.ofHours(1));
        RateLimitedLog log = new RateLimitedLog("test.relay");
        return new ShardContext(new ShardLoop(0, executor, metrics, log, new GuardedHandOff(HandOffMetrics.NONE)),
                new SipIdentifiers("test", 0, new SecureRandom()),
                new TopologyHiding("127.0.0.1", Map.of(SipTransport.UDP, 5060)), settings, metrics, log);
    }

    private InboundRequest inbound(String zone, SipMessageView request) {
        return new InboundRequest(new InboundSipMessage(flow, zone, request.bytes(), null, true, request.method(), 0,
                request.callId(), System.nanoTime()), request);
    }

    private static SipMessageWriter edit(SipMessageView request) {
        return SipMessageWriter.edit(request);
    }

    private static String branchOf(String sent) throws Exception {
        return SipMessageView.parse(sent.getBytes(StandardCharsets.UTF_8)).topVia().branch();
    }

    private static SipMessageView request(String method, String branch) throws Exception {
        String text = method + " sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.2:5060;branch=" + branch
                + "\r\nFrom: <sip:a@127.0.0.2>;tag=f1\r\nTo: <sip:100@127.0.0.1>\r\nCall-ID: tx-test\r\n"
                + "CSeq: 1 " + method + "\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
        return SipMessageView.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static SipMessageView response(int status, String branch, String method) throws Exception {
        return response(status, branch, method, "t1");
    }

    private static SipMessageView response(int status, String branch, String method, String toTag) throws Exception {
        String text = "SIP/2.0 " + status + " Whatever\r\nVia: SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch
                + "\r\nFrom: <sip:a@127.0.0.2>;tag=f1\r\nTo: <sip:100@127.0.0.1>;tag=" + toTag
                + "\r\nCall-ID: tx-test\r\nContact: <sip:100@127.0.0.3:5060>\r\n"
                + "CSeq: 1 " + method + "\r\nContent-Length: 0\r\n\r\n";
        return SipMessageView.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    /** What the transaction layer told its user, in order; read on the test thread after a shard round trip. */
    private static final class RecordingUser implements ClientTransaction.User {
        final List<String> events = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final LinkedBlockingQueue<String> timeouts = new LinkedBlockingQueue<>();

        String awaitEvent() throws InterruptedException {
            return timeouts.poll(5, TimeUnit.SECONDS);
        }

        @Override
        public void provisional(ClientTransaction client, SipMessageView response, InetAddress source) {
            events.add("provisional " + response.statusCode());
        }

        @Override
        public void finalResponse(ClientTransaction client, SipMessageView response, InetAddress source) {
            events.add("final " + response.statusCode());
        }

        @Override
        public void successRetransmitted(ClientTransaction client, SipMessageView response, InetAddress source) {
            events.add("retransmitted " + response.statusCode());
        }

        @Override
        public void timedOut(ClientTransaction client) {
            timeouts.add("timed out " + client.method);
        }
    }

    private static final class RecordingFlow implements SipFlow {
        private final LinkedBlockingQueue<String> sent = new LinkedBlockingQueue<>();

        String next() throws InterruptedException {
            String message = poll(5_000);
            assertThat(message).as("a message sent").isNotNull();
            return message;
        }

        String poll(long millis) throws InterruptedException {
            return sent.poll(millis, TimeUnit.MILLISECONDS);
        }

        void drain() {
            sent.clear();
        }

        @Override public SipTransport transport() { return SipTransport.UDP; }
        @Override public InetSocketAddress remote() { return PEER; }
        @Override public InetSocketAddress local() { return new InetSocketAddress("127.0.0.1", 5060); }
        @Override public boolean isOpen() { return true; }
        @Override public void whenClosed(Runnable action) { }
        @Override public void send(byte[] message) { sent.add(new String(message, StandardCharsets.UTF_8)); }
    }
}
