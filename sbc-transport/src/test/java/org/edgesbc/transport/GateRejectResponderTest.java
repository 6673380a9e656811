package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.ReplyLines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Answers to rejected messages: only for requests, 400 or the status RFC 3261 names, no Server header, rate-limited
 * per transport.
 */
class GateRejectResponderTest {
    private static final String REPLY_HEADERS = "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
            + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n";
    private static final long SECOND = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(42 * SECOND);
    private final CountingTransportMetrics metrics = new CountingTransportMetrics();
    private final GateRejectResponder responder = new GateRejectResponder(metrics, clock::get);

    private static GateResult rejectedRequest(GateRejection reason) {
        return GateResult.rejected(reason, true, ReplyLines.of(REPLY_HEADERS));
    }

    private String answer(SipTransport transport, GateResult result) {
        byte[] answer = responder.reject(transport, result, "192.0.2.1:5060");
        return answer == null ? null : new String(answer, StandardCharsets.UTF_8);
    }

    @Test
    void rejectedRequestGets400EchoingItsHeadersWithAToTagAndNoServer() {
        String answer = answer(SipTransport.UDP, rejectedRequest(GateRejection.CONTENT_LENGTH_MISMATCH));
        assertThat(answer).startsWith("SIP/2.0 400 Bad Content-Length\r\n")
                .contains("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n", "Call-ID: c1\r\n",
                        "CSeq: 1 INVITE\r\n", "From: <sip:a@example.com>;tag=1\r\n")
                .containsPattern("To: <sip:b@example.com>;tag=[0-9a-f]{16}\r\n")
                .endsWith("Content-Length: 0\r\n\r\n")
                .doesNotContainIgnoringCase("Server:");
        assertThat(metrics.rejected(SipTransport.UDP, GateRejection.CONTENT_LENGTH_MISMATCH)).isEqualTo(1);
    }

    @Test
    void oversizedRequestGets413() {
        assertThat(answer(SipTransport.TCP, rejectedRequest(GateRejection.MESSAGE_TOO_LARGE)))
                .startsWith("SIP/2.0 413 Request Entity Too Large\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "VERSION_UNSUPPORTED, SIP/2.0 505 Version Not Supported",
        "URI_SCHEME_UNSUPPORTED, SIP/2.0 416 Unsupported URI Scheme",
        "START_LINE_INVALID, SIP/2.0 400 Bad Request",
    })
    void reasonsRfc3261NamesAStatusForGetThatStatus(GateRejection reason, String statusLine) {
        assertThat(answer(SipTransport.UDP, rejectedRequest(reason))).startsWith(statusLine + "\r\n")
                .doesNotContain("Unsupported:");
    }

    @Test
    void theToTagsItWritesAreRecognisedAndNoOthers() {
        GateResult bad = GateResult.rejected(GateRejection.HEADER_MALFORMED, true, ReplyLines.of(REPLY_HEADERS));
        GateResult other = GateResult.rejected(GateRejection.HEADER_MALFORMED, true,
                ReplyLines.of(REPLY_HEADERS.replace("Call-ID: c1", "Call-ID: c2")));
        String first = SipTestPeer.tag(SipTestPeer.header(answer(SipTransport.UDP, bad), "To"));
        String second = SipTestPeer.tag(SipTestPeer.header(answer(SipTransport.UDP, other), "To"));
        assertThat(first).hasSize(16).isNotEqualTo(second);
        assertThat(responder.answeredWith(first)).isTrue();
        assertThat(responder.answeredWith(second)).isTrue();
        assertThat(responder.answeredWith(first.substring(0, 15))).isFalse();
        byte[] elsewhere = new GateRejectResponder(metrics, clock::get).reject(SipTransport.UDP, bad, "192.0.2.1:5060");
        String foreign = SipTestPeer.tag(SipTestPeer.header(new String(elsewhere, StandardCharsets.UTF_8), "To"));
        assertThat(responder.answeredWith(foreign)).as("another responder's tag").isFalse();
        assertThat(responder.answeredWith(null)).isFalse();
    }

    @Test
    void aRetransmittedRequestGetsTheAnswerItsFirstCopyGotAndAnotherTransactionAnotherTag() {
        GateResult invite = GateResult.rejected(GateRejection.HEADER_MALFORMED, true, ReplyLines.of(REPLY_HEADERS));
        byte[] first = responder.shed(SipTransport.UDP, ShedCause.IO_BACKLOG, invite);
        byte[] again = responder.shed(SipTransport.UDP, ShedCause.IO_BACKLOG, invite);
        assertThat(again).as("RFC 3261 §17.2.1: the same final response").isEqualTo(first);
        String firstTag = SipTestPeer.tag(SipTestPeer.header(new String(first, StandardCharsets.UTF_8), "To"));
        // The top Via's branch, the From tag and the CSeq each name another transaction.
        String[][] changes = {{"z9hG4bK-1", "z9hG4bK-2"}, {"tag=1", "tag=2"}, {"CSeq: 1", "CSeq: 2"}};
        for (String[] change : changes) {
            byte[] another = responder.shed(SipTransport.UDP, ShedCause.IO_BACKLOG, GateResult.rejected(
                    GateRejection.HEADER_MALFORMED, true, ReplyLines.of(REPLY_HEADERS.replace(change[0], change[1]))));
            assertThat(SipTestPeer.tag(SipTestPeer.header(new String(another, StandardCharsets.UTF_8), "To")))
                    .as(change[1]).hasSize(16).isNotEqualTo(firstTag);
        }
    }

    @Test
    void anUnsupportedProxyRequireGets420ListingTheTags() {
        GateResult result = new GateResult(GateRejection.EXTENSION_UNSUPPORTED, false, true, null, 0, null,
                ReplyLines.of(REPLY_HEADERS), "foo, bar", null, null, null);
        assertThat(answer(SipTransport.TCP, result)).startsWith("SIP/2.0 420 Bad Extension\r\n")
                .contains("CSeq: 1 INVITE\r\n", "Unsupported: foo, bar\r\n")
                .endsWith("Content-Length: 0\r\n\r\n");
    }

    @Test
    void responsesAndRequestsWithoutIntactHeadersAreCountedButNeverAnswered() {
        assertThat(answer(SipTransport.UDP, GateResult.rejected(GateRejection.REQUIRED_HEADER_MISSING, false,
                ReplyLines.of(REPLY_HEADERS)))).isNull();
        assertThat(answer(SipTransport.UDP, GateResult.rejected(GateRejection.GARBAGE, true, null)))
                .isNull();
        assertThat(metrics.rejected(SipTransport.UDP, GateRejection.REQUIRED_HEADER_MISSING)).isEqualTo(1);
        assertThat(metrics.rejected(SipTransport.UDP, GateRejection.GARBAGE)).isEqualTo(1);
    }

    @Test
    void answersAreLimitedPerTransportAndTheBudgetRefillsWithTime() {
        GateResult rejected = rejectedRequest(GateRejection.LINE_FOLDING);
        for (int i = 0; i < GateRejectResponder.ANSWERS_PER_SECOND; i++) {
            assertThat(answer(SipTransport.UDP, rejected)).as("answer %d", i).isNotNull();
        }
        assertThat(answer(SipTransport.UDP, rejected)).as("over the budget").isNull();
        assertThat(answer(SipTransport.TCP, rejected)).as("another transport has its own budget").isNotNull();

        clock.addAndGet(SECOND / GateRejectResponder.ANSWERS_PER_SECOND);
        assertThat(answer(SipTransport.UDP, rejected)).as("one token earned").isNotNull();
        assertThat(answer(SipTransport.UDP, rejected)).isNull();

        clock.addAndGet(60 * SECOND);
        int answered = 0;
        for (int i = 0; i < 2 * GateRejectResponder.ANSWERS_PER_SECOND; i++) {
            answered += answer(SipTransport.UDP, rejected) == null ? 0 : 1;
        }
        assertThat(answered).as("the burst never exceeds one second's budget").isEqualTo(
                GateRejectResponder.ANSWERS_PER_SECOND);
        assertThat(metrics.rejected(SipTransport.UDP, GateRejection.LINE_FOLDING))
                .isEqualTo(3 * GateRejectResponder.ANSWERS_PER_SECOND + 3);
    }

    @Test
    void logLinesAreLimitedPerReasonAndCountWhatTheySuppressed() {
        GateResult folding = rejectedRequest(GateRejection.LINE_FOLDING);
        responder.reject(SipTransport.UDP, folding, "a");
        responder.reject(SipTransport.UDP, folding, "b");
        responder.reject(SipTransport.UDP, folding, "c");
        assertThat(responder.suppressedSinceLastLog(GateRejection.LINE_FOLDING)).isEqualTo(2);
        responder.reject(SipTransport.UDP, rejectedRequest(GateRejection.NUL_BYTE), "d");
        assertThat(responder.suppressedSinceLastLog(GateRejection.NUL_BYTE)).as("its own interval").isZero();

        clock.addAndGet(GateRejectResponder.LOG_INTERVAL_NANOS);
        responder.reject(SipTransport.UDP, folding, "e");
        assertThat(responder.suppressedSinceLastLog(GateRejection.LINE_FOLDING)).as("reported and reset").isZero();
    }
}
