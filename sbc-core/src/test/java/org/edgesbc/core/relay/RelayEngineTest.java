package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOffMetrics;
import org.edgesbc.core.cdr.CallRecord;
import org.edgesbc.core.identity.CallerIdentityService;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay's transaction and dialog logic with in-memory flows: what each side receives, and that nothing of one
 * side's topology reaches the other.
 */
class RelayEngineTest {
    private static final InetSocketAddress TRUNK = new InetSocketAddress("127.0.0.2", 5060);
    private static final InetSocketAddress PBX = new InetSocketAddress("127.0.0.3", 5060);
    private static final InetSocketAddress SBC = new InetSocketAddress("127.0.0.1", 5060);

    private final Map<InetSocketAddress, RecordingFlow> flows = new ConcurrentHashMap<>();
    private final Queue<CallRecord> records = new ConcurrentLinkedQueue<>();
    private final RecordingRelayMetrics metrics = new RecordingRelayMetrics();
    private RelayEngine engine;

    @BeforeEach
    void start() {
        RelaySettings settings = new RelaySettings("127.0.0.1", Map.of(SipTransport.UDP, 5060),
                Map.of("trunk", new RelaySettings.ZonePeer("trunk", TRUNK, SipTransport.UDP, SrtpPolicy.OFF),
                        "pbx", new RelaySettings.ZonePeer("pbx", PBX, SipTransport.UDP, SrtpPolicy.OFF)),
                Map.of("trunk", "pbx", "pbx", "trunk"), "pbx",
                Duration.ofMillis(500), Duration.ofSeconds(4), Duration.ofSeconds(5), 1000, 100, Duration.ofHours(1));
        PermissivePolicy policy = new PermissivePolicy();
        engine = new RelayEngine(settings, (transport, destination) -> flow(destination), metrics, null,
                policy, policy, CallerIdentityService.off(Clock.systemUTC()), new GuardedHandOff(HandOffMetrics.NONE),
                records::add, Clock.systemUTC(), ShardThreads.own(2), null);
    }

    @AfterEach
    void stop() {
        engine.close();
    }

    @Test
    void callFromTrunkReachesPbxWithoutTrunkTopologyAndAnswersFlowBack() throws Exception {
        send(TRUNK, "trunk", invite("trunk-call-1@10.9.9.9", "z9hG4bK-t1"));
        String trying = flow(TRUNK).next();
        assertThat(trying).startsWith("SIP/2.0 100 ");
        String relayedInvite = flow(PBX).next();
        assertThat(relayedInvite).startsWith("INVITE sip:5551234@127.0.0.3:5060 SIP/2.0");
        assertThat(headersOf(relayedInvite)).doesNotContain("127.0.0.2", "10.9.9.9", "trunk-call-1", "z9hG4bK-t1",
                "Record-Route", "TrunkUA");
        assertThat(relayedInvite).contains("Max-Forwards: 69");
        String pbxCallId = header(relayedInvite, "Call-ID");
        String pbxBranch = branch(relayedInvite);

        send(PBX, "pbx", response(200, pbxBranch, pbxCallId, "INVITE", 1, "pbx-tag", "<sip:5551234@127.0.0.3:5060>"));
        String ok = flow(TRUNK).next();
        assertThat(ok).startsWith("SIP/2.0 200 ");
        assertThat(ok).contains("trunk-call-1@10.9.9.9", "z9hG4bK-t1", "tag=trunk-tag", "rport=5060")
                .doesNotContain("127.0.0.3", pbxCallId, "PbxServer", "pbx-tag");
        String trunkSideTag = tagOf(header(ok, "To"));
        String pbxSideTag = tagOf(header(relayedInvite, "From"));
        assertThat(pbxSideTag).as("each leg has tags of its own").isNotEqualTo("trunk-tag")
                .isNotEqualTo(trunkSideTag);
        assertThat(metrics.next("relayed ")).as("the INVITE's relay is timed").matches("relayed REQUEST \\d+");
        assertThat(metrics.next("relayed ")).as("the 200's relay is timed").matches("relayed RESPONSE \\d+");
        assertThat(metrics.next("callSetUp ")).as("the call's set-up is timed, as answered")
                .matches("callSetUp answered \\d+");

        send(TRUNK, "trunk", inDialog("ACK", "trunk-call-1@10.9.9.9", "z9hG4bK-t2", 1, "sip:sbc@127.0.0.1:5060",
                trunkSideTag));
        String ack = flow(PBX).next();
        assertThat(ack).startsWith("ACK sip:5551234@127.0.0.3:5060 SIP/2.0").contains(pbxCallId, "tag=pbx-tag",
                "tag=" + pbxSideTag).doesNotContain("127.0.0.2", "trunk-call-1", "trunk-tag", trunkSideTag);

        // The PBX hangs up: the BYE reaches the trunk in the trunk's own dialog terms.
        send(PBX, "pbx", bye(pbxCallId, "z9hG4bK-p9", pbxSideTag));
        String bye = flow(TRUNK).next();
        assertThat(bye).startsWith("BYE sip:caller@127.0.0.2:5060 SIP/2.0").contains("trunk-call-1@10.9.9.9",
                "tag=trunk-tag", "tag=" + trunkSideTag).doesNotContain("127.0.0.3", pbxCallId, "z9hG4bK-p9",
                "pbx-tag", pbxSideTag);
        send(TRUNK, "trunk", response(200, branch(bye), "trunk-call-1@10.9.9.9", "BYE", 1, trunkSideTag, null)
                .replace("From: <sip:caller@127.0.0.2>;tag=trunk-tag",
                        "From: <sip:5551234@127.0.0.1>;tag=" + trunkSideTag)
                .replace("To: <sip:5551234@127.0.0.1>;tag=" + trunkSideTag,
                        "To: <sip:caller@127.0.0.2>;tag=trunk-tag"));
        String byeOk = flow(PBX).next();
        assertThat(byeOk).startsWith("SIP/2.0 200 ").contains(pbxCallId, "z9hG4bK-p9");
        awaitDialogs(0);
    }

    @Test
    void retransmittedInviteIsAbsorbedAndAnsweredWithTheLastResponse() throws Exception {
        String invite = invite("retrans@10.9.9.9", "z9hG4bK-r1");
        send(TRUNK, "trunk", invite);
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 100 ");
        flow(PBX).next();
        send(TRUNK, "trunk", invite);
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 100 ");
        assertThat(flow(PBX).poll()).as("no second INVITE toward the PBX").isNull();
    }

    @Test
    void requestWithMaxForwardsZeroGets483() throws Exception {
        send(TRUNK, "trunk", invite("mf0@10.9.9.9", "z9hG4bK-m1").replace("Max-Forwards: 70", "Max-Forwards: 0"));
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 483 ");
        assertThat(flow(PBX).poll()).isNull();
    }

    @Test
    void optionsToTheSbcItselfIsAnsweredLocally() throws Exception {
        send(TRUNK, "trunk", "OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-o1\r\n"
                + "From: <sip:probe@127.0.0.2>;tag=o1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: opt-1\r\n"
                + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        String answer = flow(TRUNK).next();
        assertThat(answer).startsWith("SIP/2.0 200 ").contains("Allow: ").doesNotContain("Server:");
        assertThat(flow(PBX).poll()).isNull();
    }

    @Test
    void cancelledCallGets487FromTheFarSide() throws Exception {
        send(TRUNK, "trunk", invite("cancel@10.9.9.9", "z9hG4bK-c1"));
        flow(TRUNK).next();
        String relayed = flow(PBX).next();
        send(PBX, "pbx", response(180, branch(relayed), header(relayed, "Call-ID"), "INVITE", 1, "pbx-tag", null));
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 180 ");
        send(TRUNK, "trunk", "CANCEL sip:5551234@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-c1\r\n"
                + "From: <sip:caller@127.0.0.2>;tag=trunk-tag\r\nTo: <sip:5551234@127.0.0.1>\r\n"
                + "Call-ID: cancel@10.9.9.9\r\nCSeq: 1 CANCEL\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 200 ").contains("CSeq: 1 CANCEL");
        String cancel = flow(PBX).next();
        assertThat(cancel).startsWith("CANCEL ").contains(branch(relayed), header(relayed, "Call-ID"));
        send(PBX, "pbx", response(200, branch(relayed), header(relayed, "Call-ID"), "CANCEL", 1, "pbx-tag", null));
        send(PBX, "pbx", response(487, branch(relayed), header(relayed, "Call-ID"), "INVITE", 1, "pbx-tag", null));
        assertThat(flow(PBX).next()).startsWith("ACK ");
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 487 ").contains("cancel@10.9.9.9");
        awaitDialogs(0);
        assertThat(metrics.next("callSetUp ")).as("a cancelled call's set-up ends with its 487")
                .matches("callSetUp failed \\d+");
    }

    @Test
    void aShardThatFallsBehindShedsItsNewDialogsBeforeTheyAreQueued() throws Exception {
        warmUpShardOf("late-call@10.9.9.9");
        assertThat(engine.shedsNewDialogs("late-call@10.9.9.9")).isFalse();
        // Received 300 ms ago: past twice T1/5 (200 ms), where the shard starts shedding, not yet stale (T1, 500 ms).
        byte[] bytes = invite("late-call@10.9.9.9", "z9hG4bK-late").getBytes(StandardCharsets.UTF_8);
        engine.onMessage(new InboundSipMessage(flow(TRUNK), "trunk", bytes, null, true, "INVITE", 0,
                "late-call@10.9.9.9", System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(300)));
        assertThat(flow(TRUNK).next()).as("the late INVITE itself is refused by the shard").startsWith(
                "SIP/2.0 503 ");
        assertThat(engine.shedsNewDialogs("late-call@10.9.9.9")).as("new dialogs of that shard are shed").isTrue();
    }

    @Test
    void inDialogRequestForUnknownDialogGets481() throws Exception {
        send(TRUNK, "trunk", inDialog("BYE", "nobody@10.9.9.9", "z9hG4bK-u1", 2, "sip:sbc@127.0.0.1:5060",
                "pbx-tag"));
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 481 ");
    }

    // ------------------------------------------------------------------------------------ drain and operators

    @Test
    void callsOfEveryShardAreListedAndFoundByEitherLegsCallId() throws Exception {
        String answered = answeredCall("list-1@10.9.9.9", "z9hG4bK-l1");
        ringingCall("list-2@10.9.9.9", "z9hG4bK-l2");

        RelayEngine.CallListing all = engine.calls(CallFilter.ALL, 100, Duration.ofSeconds(2)).get(5,
                TimeUnit.SECONDS);
        assertThat(all.unansweredShards()).isZero();
        assertThat(all.matching()).isEqualTo(2);
        assertThat(all.calls()).extracting(CallSnapshot::originalCallId)
                .containsExactlyInAnyOrder("list-1@10.9.9.9", "list-2@10.9.9.9");
        RelayEngine.CallListing first = engine.calls(CallFilter.ALL, 1, Duration.ofSeconds(2)).get(5,
                TimeUnit.SECONDS);
        assertThat(first.calls()).hasSize(1);
        assertThat(first.matching()).as("the limit cuts the list, not the count").isEqualTo(2);
        assertThat(engine.calls(new CallFilter("trunk", null, "555", null), 100, Duration.ofSeconds(2))
                .get(5, TimeUnit.SECONDS).matching()).isEqualTo(2);

        CallSnapshot call = engine.call("list-1@10.9.9.9").get(5, TimeUnit.SECONDS).orElseThrow();
        assertThat(call.id()).isEqualTo(answered);
        assertThat(call.state()).isEqualTo("confirmed");
        assertThat(call.caller().fromTag()).isEqualTo("trunk-tag");
        assertThat(call.caller().toTag()).as("the SBC's To-tag toward the trunk").isNotNull().isNotEqualTo("pbx-tag");
        assertThat(call.callee().fromTag()).as("the SBC's From-tag toward the PBX").isNotNull()
                .isNotIn("trunk-tag", call.caller().toTag());
        assertThat(call.callee().toTag()).isEqualTo("pbx-tag");
        assertThat(call.caller().callId()).isEqualTo("list-1@10.9.9.9");
        assertThat(call.callee().callId()).isEqualTo(answered);
        assertThat(call.media()).as("media anchoring is off here").isEmpty();
        assertThat(engine.call(answered).get(5, TimeUnit.SECONDS)).map(CallSnapshot::originalCallId)
                .contains("list-1@10.9.9.9");
        assertThat(engine.call("list-2@10.9.9.9").get(5, TimeUnit.SECONDS)).map(CallSnapshot::state)
                .contains("early");
        assertThat(engine.call("nosuch@10.9.9.9").get(5, TimeUnit.SECONDS)).isEmpty();
    }

    @Test
    void anOperatorEndsAnAnsweredCallWithByeBothWays() throws Exception {
        String answered = answeredCall("ending@10.9.9.9", "z9hG4bK-e2");

        assertThat(engine.endCall("nosuch@10.9.9.9").get(5, TimeUnit.SECONDS)).isEqualTo(CallControl.NOT_FOUND);
        assertThat(engine.endCall("ending@10.9.9.9").get(5, TimeUnit.SECONDS)).isEqualTo(CallControl.ENDED);

        assertThat(flow(TRUNK).next()).startsWith("BYE sip:caller@127.0.0.2:5060 ").contains("ending@10.9.9.9");
        assertThat(flow(PBX).next()).startsWith("BYE sip:5551234@127.0.0.3:5060 ").contains(answered);
        assertThat(engine.call(answered).get(5, TimeUnit.SECONDS)).as("ended").isEmpty();
        awaitDialogs(0);
        assertThat(records).singleElement().satisfies(record -> assertThat(record.endedBy()).isEqualTo(
                "sbc:operator"));
    }

    @Test
    void anOperatorCancelsARingingCallAndTheCallerHears487() throws Exception {
        String relayed = ringingCall("ringing@10.9.9.9", "z9hG4bK-e1");

        assertThat(engine.endCall("ringing@10.9.9.9").get(5, TimeUnit.SECONDS)).isEqualTo(CallControl.CANCELLED);
        String cancel = flow(PBX).next();
        assertThat(cancel).startsWith("CANCEL ").contains(branch(relayed), header(relayed, "Call-ID"));
        assertThat(engine.endCall("ringing@10.9.9.9").get(5, TimeUnit.SECONDS)).as("cancelled once")
                .isEqualTo(CallControl.NOT_FOUND);
        send(PBX, "pbx", response(200, branch(relayed), header(relayed, "Call-ID"), "CANCEL", 1, "pbx-tag", null));
        send(PBX, "pbx", response(487, branch(relayed), header(relayed, "Call-ID"), "INVITE", 1, "pbx-tag", null));

        assertThat(flow(PBX).next()).startsWith("ACK ");
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 487 ").contains("ringing@10.9.9.9");
        awaitDialogs(0);
        assertThat(records).singleElement().satisfies(record -> {
            assertThat(record.endedBy()).isEqualTo("sbc:operator");
            assertThat(record.disposition()).isEqualTo("cancelled");
        });
    }

    /**
     * A caller slow to read its answers retransmitted an INVITE the I/O thread had refused, the retransmission got in
     * once the overload had passed, and then the caller acknowledged the 503: it took the refusal, and the call has
     * nobody behind it. Ringing, it is cancelled; answered and not acknowledged, hung up on both sides; acknowledged,
     * it is the caller's after all. Only the caller's own zone and Call-ID name it.
     */
    @Test
    void aCallWhoseCallerAcknowledgedTheRefusalOfItsInviteEndsUnlessItAcknowledgedTheAnswer() throws Exception {
        String ringing = ringingCall("refused-ringing@10.9.9.9", "z9hG4bK-r1");
        engine.refusalAcknowledged("pbx", "refused-ringing@10.9.9.9");
        engine.refusalAcknowledged("trunk", header(ringing, "Call-ID"));
        engine.refusalAcknowledged("trunk", "refused-ringing@10.9.9.9");
        assertThat(flow(PBX).next()).startsWith("CANCEL ").contains(header(ringing, "Call-ID"));

        String answered = answeredCall("refused-answered@10.9.9.9", "z9hG4bK-r2");
        engine.refusalAcknowledged("trunk", "refused-answered@10.9.9.9");
        assertThat(flow(TRUNK).next()).startsWith("BYE ").contains("refused-answered@10.9.9.9");
        assertThat(flow(PBX).next()).startsWith("BYE ").contains(answered);

        String relayed = ringingCall("taken@10.9.9.9", "z9hG4bK-r3");
        send(PBX, "pbx", response(200, branch(relayed), header(relayed, "Call-ID"), "INVITE", 1, "pbx-tag",
                "<sip:5551234@127.0.0.3:5060>"));
        String ok = flow(TRUNK).next();
        send(TRUNK, "trunk", inDialog("ACK", "taken@10.9.9.9", "z9hG4bK-r4", 1, "sip:sbc@127.0.0.1:5060",
                tagOf(header(ok, "To"))));
        assertThat(flow(PBX).next()).startsWith("ACK ");
        engine.refusalAcknowledged("trunk", "taken@10.9.9.9");
        assertThat(flow(PBX).poll()).as("the call the caller acknowledged goes on").isNull();
        assertThat(flow(TRUNK).poll()).isNull();
        assertThat(engine.call("taken@10.9.9.9").get(5, TimeUnit.SECONDS)).isPresent();
        awaitDialogs(2);
        assertThat(records).singleElement().satisfies(record -> assertThat(record.endedBy())
                .isEqualTo("sbc:" + ShardCalls.REFUSAL_ACKNOWLEDGED));
    }

    @Test
    void endingAllCallsEndsTheAnsweredCallsOfEveryShardAndCancelsTheRingingOnes() throws Exception {
        for (int i = 0; i < 4; i++) {
            answeredCall("all-" + i + "@10.9.9.9", "z9hG4bK-a" + i);
        }
        String ringing = header(ringingCall("all-ringing@10.9.9.9", "z9hG4bK-ar"), "Call-ID");

        assertThat(engine.endAllCalls("drain-timeout").get(5, TimeUnit.SECONDS)).isEqualTo(5);

        List<String> towardPbx = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            assertThat(flow(TRUNK).next()).startsWith("BYE ");
        }
        for (int i = 0; i < 5; i++) {
            towardPbx.add(flow(PBX).next());
        }
        assertThat(towardPbx).filteredOn(message -> message.startsWith("BYE ")).hasSize(4);
        assertThat(towardPbx).filteredOn(message -> message.startsWith("CANCEL ")).singleElement().asString()
                .contains(ringing);
        awaitDialogs(1);
    }

    @Test
    void whileNewCallsAreRefusedAnInviteGets503WithRetryAfterButAnEmergencyCallPasses() throws Exception {
        assertThat(engine.takesNewCalls()).isTrue();
        engine.refuseNewCalls(Duration.ofSeconds(120), "112"::equals);
        assertThat(engine.takesNewCalls()).isFalse();

        send(TRUNK, "trunk", invite("refused@10.9.9.9", "z9hG4bK-d1"));
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 503 ").contains("Retry-After: 120");
        assertThat(flow(PBX).poll()).isNull();

        send(TRUNK, "trunk", invite("sos@10.9.9.9", "z9hG4bK-d2").replace("5551234", "112"));
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 100 ");
        assertThat(flow(PBX).next()).startsWith("INVITE sip:112@127.0.0.3:5060 ");
    }

    /** A call from the trunk answered by the PBX; returns the PBX leg's Call-ID. */
    private String answeredCall(String callId, String branch) throws InterruptedException {
        String relayed = ringingCall(callId, branch);
        send(PBX, "pbx", response(200, branch(relayed), header(relayed, "Call-ID"), "INVITE", 1, "pbx-tag",
                "<sip:5551234@127.0.0.3:5060>"));
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 200 ");
        return header(relayed, "Call-ID");
    }

    /** A call from the trunk the PBX rings (180); returns the INVITE the PBX received. */
    private String ringingCall(String callId, String branch) throws InterruptedException {
        send(TRUNK, "trunk", invite(callId, branch));
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 100 ");
        String relayed = flow(PBX).next();
        send(PBX, "pbx", response(180, branch(relayed), header(relayed, "Call-ID"), "INVITE", 1, "pbx-tag", null));
        assertThat(flow(TRUNK).next()).startsWith("SIP/2.0 180 ");
        return relayed;
    }

    private void awaitDialogs(int expected) throws InterruptedException {
        for (int i = 0; i < 200 && engine.activeDialogs() != expected; i++) {
            Thread.onSpinWait();
            TimeUnit.MILLISECONDS.sleep(5);
        }
        assertThat(engine.activeDialogs()).isEqualTo(expected);
    }

    /**
     * Has the shard that owns {@code callId} read its warm-up's worth of messages (stray responses, dropped), after
     * which the age of its queue counts ({@link ShardBacklog}); returns once it has.
     */
    private void warmUpShardOf(String callId) throws Exception {
        String stray = response(200, "z9hG4bK-stray", callId, "OPTIONS", 1, "x", null);
        for (int i = 0; i < ShardBacklog.WARM_UP_MESSAGES; i++) {
            send(PBX, "pbx", stray);
        }
        send(TRUNK, "trunk", "OPTIONS sip:127.0.0.1:5060 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=z9hG4bK-warm\r\n"
                + "From: <sip:probe@127.0.0.2>;tag=w1\r\nTo: <sip:127.0.0.1>\r\nCall-ID: " + callId + "\r\n"
                + "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        assertThat(flow(TRUNK).next()).as("the OPTIONS read after the warm-up").startsWith("SIP/2.0 200 ");
    }

    private void send(InetSocketAddress from, String zone, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        boolean request = !text.startsWith("SIP/2.0");
        String cseq = header(text, "CSeq");
        int status = request ? 0 : Integer.parseInt(text.substring(8, 11));
        engine.onMessage(new InboundSipMessage(flow(from), zone, bytes, null, request,
                cseq.substring(cseq.indexOf(' ') + 1), status, header(text, "Call-ID"), System.nanoTime()));
    }

    private RecordingFlow flow(InetSocketAddress remote) {
        return flows.computeIfAbsent(remote, RecordingFlow::new);
    }

    private static String invite(String callId, String branch) {
        String sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\n"
                + "m=audio 20000 RTP/AVP 0\r\n";
        return "INVITE sip:5551234@127.0.0.1 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=" + branch + ";rport\r\n"
                + "Via: SIP/2.0/UDP 10.9.9.9:5060;branch=z9hG4bK-inner\r\n"
                + "Record-Route: <sip:10.9.9.9;lr>\r\n"
                + "From: <sip:caller@127.0.0.2>;tag=trunk-tag\r\nTo: <sip:5551234@127.0.0.1>\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 1 INVITE\r\nMax-Forwards: 70\r\n"
                + "Contact: <sip:caller@127.0.0.2:5060>\r\nUser-Agent: TrunkUA 1.0\r\n"
                + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    /** An in-dialog request from the trunk; {@code toTag} is the SBC's To-tag of the trunk's dialog. */
    private static String inDialog(String method, String callId, String branch, int cseq, String uri, String toTag) {
        return method + " " + uri + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2:5060;branch=" + branch + "\r\n"
                + "From: <sip:caller@127.0.0.2>;tag=trunk-tag\r\nTo: <sip:5551234@127.0.0.1>;tag=" + toTag + "\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: " + cseq + " " + method + "\r\nMax-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    /** The PBX's BYE; {@code toTag} is the SBC's From-tag of the PBX's dialog. */
    private static String bye(String callId, String branch, String toTag) {
        return "BYE sip:sbc@127.0.0.1:5060 SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.3:5060;branch=" + branch + "\r\n"
                + "From: <sip:5551234@127.0.0.3>;tag=pbx-tag\r\nTo: <sip:caller@127.0.0.1>;tag=" + toTag + "\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: 7 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n";
    }

    private static String response(int status, String branch, String callId, String method, int cseq, String toTag,
            String contact) {
        return "SIP/2.0 " + status + " Whatever\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=" + branch + ";rport=5060\r\n"
                + "From: <sip:caller@127.0.0.2>;tag=trunk-tag\r\nTo: <sip:5551234@127.0.0.1>;tag=" + toTag + "\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: " + cseq + " " + method + "\r\n"
                + (contact == null ? "" : "Contact: " + contact + "\r\n")
                + "Server: PbxServer 2.0\r\nContent-Length: 0\r\n\r\n";
    }

    private static String tagOf(String headerValue) {
        Matcher m = Pattern.compile(";tag=([^;\\s]+)").matcher(headerValue);
        assertThat(m.find()).as("a tag in %s", headerValue).isTrue();
        return m.group(1);
    }

    private static String header(String message, String name) {
        Matcher m = Pattern.compile("(?im)^" + Pattern.quote(name) + ":\\s*(.*?)\\r?$").matcher(message);
        assertThat(m.find()).as("header %s in %s", name, message).isTrue();
        return m.group(1).trim();
    }

    /** The start line and headers; the SDP body is the media anchoring's to rewrite. */
    private static String headersOf(String message) {
        return message.substring(0, message.indexOf("\r\n\r\n"));
    }

    private static String branch(String message) {
        Matcher m = Pattern.compile("branch=([^;,\\s]+)").matcher(message);
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    /** A flow that records what the relay sends through it. */
    private static final class RecordingFlow implements SipFlow {
        private final InetSocketAddress remote;
        private final LinkedBlockingQueue<String> sent = new LinkedBlockingQueue<>();

        RecordingFlow(InetSocketAddress remote) {
            this.remote = remote;
        }

        String next() throws InterruptedException {
            String message = sent.poll(5, TimeUnit.SECONDS);
            assertThat(message).as("a message toward %s", remote).isNotNull();
            return message;
        }

        String poll() throws InterruptedException {
            return sent.poll(200, TimeUnit.MILLISECONDS);
        }

        @Override public SipTransport transport() { return SipTransport.UDP; }
        @Override public InetSocketAddress remote() { return remote; }
        @Override public InetSocketAddress local() { return SBC; }
        @Override public boolean isOpen() { return true; }
        @Override public void whenClosed(Runnable action) { }
        @Override public void send(byte[] message) { sent.add(new String(message, StandardCharsets.UTF_8)); }
    }
}
