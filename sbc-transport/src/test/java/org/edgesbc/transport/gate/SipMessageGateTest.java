package org.edgesbc.transport.gate;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.GateRejection;
import org.edgesbc.transport.TransportConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SipMessageGateTest {
    private static final String BODY = "v=0\r\n";
    private static final String INVITE = "INVITE sip:100@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:a@example.com>;tag=1\r\n"
            + "To: <sip:100@example.com>\r\n"
            + "Call-ID: abc@192.0.2.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: 5\r\n\r\n" + BODY;

    private final SipMessageGate gate = new SipMessageGate(TransportConfig.GateLimits.DEFAULTS);

    private GateResult check(String message, boolean stream) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        return gate.check(bytes, bytes.length, stream);
    }

    private GateResult check(String message) {
        return check(message, false);
    }

    @Test
    void validRequestPassesWithItsFacts() {
        GateResult result = check(INVITE, true);
        assertThat(result.accepted()).isTrue();
        assertThat(result.request()).isTrue();
        assertThat(result.method()).isEqualTo("INVITE");
        assertThat(result.callId()).isEqualTo("abc@192.0.2.1");
    }

    @Test
    void compactHeaderFormsAreRecognised() {
        String compact = INVITE.replace("Via:", "v:").replace("From:", "f:").replace("To:", "t:")
                .replace("Call-ID:", "i:").replace("Content-Length:", "l:");
        assertThat(check(compact, true).accepted()).isTrue();
    }

    @Test
    void responsePassesWithStatusAndCseqMethod() {
        String response = "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
                + "From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>;tag=2\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\n"
                + "Content-Length: 0\r\n\r\n";
        GateResult result = check(response);
        assertThat(result.accepted()).isTrue();
        assertThat(result.request()).isFalse();
        assertThat(result.statusCode()).isEqualTo(180);
        assertThat(result.method()).isEqualTo("INVITE");
    }

    @Test
    void onlyLineEndsIsAKeepAlive() {
        assertThat(check("\r\n\r\n").keepAlive()).isTrue();
        assertThat(check("\r\n").keepAlive()).isTrue();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "duplicate Content-Length | Content-Length: 5\\r\\n | Content-Length: 5\\r\\nContent-Length: 5\\r\\n | CONTENT_LENGTH_INVALID",
        "negative Content-Length  | Content-Length: 5\\r\\n | Content-Length: -5\\r\\n | CONTENT_LENGTH_INVALID",
        "larger Content-Length    | Content-Length: 5\\r\\n | Content-Length: 50\\r\\n | CONTENT_LENGTH_MISMATCH",
        "missing Call-ID          | Call-ID: abc@192.0.2.1\\r\\n | '' | REQUIRED_HEADER_MISSING",
        "two Call-IDs             | Call-ID: abc@192.0.2.1\\r\\n | Call-ID: a\\r\\ni: b\\r\\n | REQUIRED_HEADER_REPEATED",
        "missing Via              | 'Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\\r\\n' | '' | REQUIRED_HEADER_MISSING",
        "NUL in a header          | CSeq: 1 INVITE | CSeq: 1<NUL> INVITE | NUL_BYTE",
        "CSeq method mismatch     | CSeq: 1 INVITE | CSeq: 1 BYE | HEADER_MALFORMED",
        "CSeq too large           | CSeq: 1 INVITE | CSeq: 2147483648 INVITE | HEADER_MALFORMED",
        "header without colon     | Content-Type: application/sdp | Content-Type application/sdp | HEADER_MALFORMED",
        "SIP/3.0                  | SIP/2.0\\r\\nVia | SIP/3.0\\r\\nVia | VERSION_UNSUPPORTED",
        "two spaces in start line | INVITE sip | INVITE  sip | START_LINE_INVALID",
        "space after the version  | SIP/2.0\\r\\nVia | SIP/2.0 \\r\\nVia | START_LINE_INVALID",
        "space in Request-URI     | sip:100@example.com SIP | sip:100@example.com; lr SIP | START_LINE_INVALID",
        "Request-URI in brackets  | INVITE sip:100@example.com | INVITE <sip:100@example.com> | START_LINE_INVALID",
        "headers in Request-URI   | sip:100@example.com SIP | sip:100@example.com?Subject=x SIP | START_LINE_INVALID",
        "unknown URI scheme       | INVITE sip:100@example.com | INVITE urn:x-unknown:100 | URI_SCHEME_UNSUPPORTED",
        "two Max-Forwards         | Max-Forwards: 70\\r\\n | Max-Forwards: 70\\r\\nMax-Forwards: 69\\r\\n | REQUIRED_HEADER_REPEATED",
        "Max-Forwards of 4 digits | Max-Forwards: 70 | Max-Forwards: 1070 | HEADER_MALFORMED",
        "continuation first       | Via: | \\tVia: | LINE_FOLDING",
        "NUL outside quotes       | To: <sip:100@example.com> | To: Bob<NUL> <sip:100@example.com> | NUL_BYTE",
        "NUL in quotes unescaped  | To: <sip:100@example.com> | To: \"B<NUL>b\" <sip:100@example.com> | NUL_BYTE",
        "unterminated quote       | To: <sip:100@example.com> | To: \"Bob <sip:100@example.com> | HEADER_MALFORMED",
        "space inside brackets    | To: <sip:100@example.com> | To: < sip:100@example.com > | HEADER_MALFORMED",
        "comma in bare name       | To: <sip:100@example.com> | To: Doe, Bob <sip:100@example.com> | HEADER_MALFORMED",
        "headers in bare Contact  | Content-Type | Contact: sip:a@example.com?Subject=x\\r\\nContent-Type | HEADER_MALFORMED",
        "bad Contact in a list    | Content-Type | m: <sip:a@example.com>, < sip:b@example.com>\\r\\nContent-Type | HEADER_MALFORMED",
    })
    void hostileInputIsRejectedWithItsReason(String name, String from, String to, GateRejection expected) {
        String message = INVITE.replace(unescape(from), unescape(to));
        assertThat(message).isNotEqualTo(INVITE);
        assertThat(check(message).rejection()).isEqualTo(expected);
    }

    private static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t").replace("<NUL>", "\u0000");
    }

    private static String handedOn(GateResult result) {
        assertThat(result.accepted()).as(String.valueOf(result.rejection())).isTrue();
        return new String(result.message(), StandardCharsets.UTF_8);
    }

    @Test
    void foldedHeadersAreJoinedInPlaceWithTheBodyWhereItWas() {
        // RFC 3261 §7.3.1: a line starting with SP or HT continues the header above it.
        String folded = INVITE.replace("To: <sip:100@example.com>\r\n", "To:\r\n  Bob\r\n\t<sip:100@example.com>\r\n")
                .replace("CSeq: 1 INVITE", "CSeq: 1\r\n INVITE")
                .replace("Via: SIP/2.0/UDP 192.0.2.1:5060", "Via: SIP / 2.0\r\n /UDP\r\n   192.0.2.1:5060");
        byte[] bytes = folded.getBytes(StandardCharsets.UTF_8);
        GateResult result = gate.check(bytes, bytes.length, true);
        assertThat(result.message()).as("joined in place, nothing copied").isSameAs(bytes);
        assertThat(handedOn(result))
                .contains("To:    Bob  \t<sip:100@example.com>\r\n", "CSeq: 1   INVITE\r\n",
                        "Via: SIP / 2.0   /UDP     192.0.2.1:5060;branch=z9hG4bK-1\r\n")
                .endsWith("\r\n\r\n" + BODY)
                .hasSameSizeAs(folded);
    }

    @Test
    void aFoldedHeaderIsBoundByTheHeaderLineLimit() {
        String folded = INVITE.replace("Max-Forwards: 70\r\n",
                "Max-Forwards: 70\r\nSubject: x" + "\r\n continued".repeat(200) + "\r\n");
        assertThat(check(folded).rejection()).isEqualTo(GateRejection.HEADER_TOO_LONG);
    }

    @Test
    void datagramOctetsPastTheStatedBodyAreDropped() {
        // RFC 3261 §18.3: two requests in one datagram; the first is the message, the rest is discarded.
        String second = "OPTIONS sip:100@example.com SIP/2.0\r\nContent-Length: 0\r\n\r\n";
        assertThat(handedOn(check(INVITE + second))).isEqualTo(INVITE);
        assertThat(check(INVITE + second, true).rejection()).isEqualTo(GateRejection.CONTENT_LENGTH_MISMATCH);
        assertThat(check(INVITE.replace("Content-Length: 5", "Content-Length: 2")).message())
                .hasSize(INVITE.length() - 3);
    }

    @Test
    void anRfc2543RequestGetsTheContentLengthAndMaxForwardsItLacks() {
        String old = INVITE.replace("Max-Forwards: 70\r\n", "").replace("Content-Length: 5\r\n", "")
                .replace("branch=z9hG4bK-1", "received=192.0.2.1");
        assertThat(handedOn(check(old)))
                .endsWith("Content-Type: application/sdp\r\nContent-Length: 5\r\nMax-Forwards: 70\r\n\r\n" + BODY);
        String response = "SIP/2.0 180 Ringing\r\nVia: SIP/2.0/UDP 192.0.2.1\r\nFrom: <sip:a@x>;tag=1\r\n"
                + "To: <sip:b@x>;tag=2\r\nCall-ID: c1\r\nCSeq: 7 INVITE\r\n\r\n";
        assertThat(handedOn(check(response))).as("responses carry no Max-Forwards")
                .endsWith("CSeq: 7 INVITE\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void numbersMayHaveLeadingZeros() {
        assertThat(check(INVITE.replace("Max-Forwards: 70", "Max-Forwards: 0070")
                .replace("CSeq: 1 INVITE", "CSeq: 0001 INVITE")).accepted()).isTrue();
    }

    @Test
    void aQuotedPairMayEscapeNul() {
        // RFC 3261 §25.1 quoted-pair; the only NUL the gate lets through.
        String escaped = INVITE.replace("To: <sip:100@example.com>", "To: \"NUL:\\\u0000 \\\"\" <sip:100@example.com>");
        assertThat(check(escaped).accepted()).isTrue();
    }

    @Test
    void aBadByteIsFoundAtEveryOffsetOfALongHeader() {
        // The gate scans a header eight bytes at a time: each byte it must act on is put at every offset of a word.
        String text = "a".repeat(40);
        assertThat(check(withSubject(text)).accepted()).isTrue();
        for (int at = 0; at < text.length(); at++) {
            String before = text.substring(0, at);
            String after = text.substring(at + 1);
            assertThat(check(withSubject(before + "\u0000" + after)).rejection()).as("NUL at %d", at)
                    .isEqualTo(GateRejection.NUL_BYTE);
            assertThat(check(withSubject(before + "\r" + after)).rejection()).as("CR at %d", at)
                    .isEqualTo(GateRejection.HEADER_MALFORMED);
            assertThat(check(withSubject(before + "\n" + after)).rejection()).as("LF at %d", at)
                    .isEqualTo(GateRejection.HEADER_MALFORMED);
            assertThat(check(withSubject("\"" + before + "\\\u0000" + after + "\"")).rejection())
                    .as("escaped NUL at %d of a quoted string", at).isNull();
            assertThat(check(withSubject("\"" + before + "\"\u0000\"" + after + "\"")).rejection())
                    .as("NUL at %d between two quoted strings", at).isEqualTo(GateRejection.NUL_BYTE);
        }
        assertThat(check(INVITE.replace("CSeq: 1 INVITE", "CSeq: 1 INVITE\r\n" + "X-" + "a".repeat(30) + "\u0000: v"))
                .rejection()).as("NUL in a long header name").isEqualTo(GateRejection.NUL_BYTE);
    }

    private static String withSubject(String value) {
        return INVITE.replace("CSeq: 1 INVITE", "CSeq: 1 INVITE\r\nSubject: " + value);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "unknown method of token characters | INVITE sip:100@example.com | X.y!%*_+`'~-1 sip:100@example.com | CSeq: 1 INVITE | CSeq: 1 X.y!%*_+`'~-1",
        "separators in the user part        | sip:100@example.com SIP | sip:1_0?0,/;;:&$+=!@example.com SIP | x | x",
        "parameter in the user part         | sip:100@example.com SIP | sip:100;par=u%40example.net@example.com SIP | x | x",
        "escapes in URIs                    | sip:100@example.com SIP | sip:sips%3A100%40example.com@example.net SIP | <sip:a@example.com> | <sip:%61%20b@example.com;%6C%72>",
        "tel Request-URI                    | sip:100@example.com SIP | tel:+49-30-1234 SIP | x | x",
        "bare display name before bracket   | <sip:a@example.com> | caller<sip:a@example.com> | x | x",
        "escaped quotes in display name     | <sip:a@example.com> | \"J \\\\\\\"R\\\"\"<sip:a@example.com> | x | x",
        "quoted question mark in parameter  | <sip:a@example.com>;tag=1 | sip:a@example.com;tag=1;p=\"?\" | x | x",
        "Contact list and star              | Content-Type | Contact: \"A, B\" <sip:a@x?Route=y>;q=0.5, sip:b@x\\r\\nm: *\\r\\nContent-Type | x | x",
    })
    void whatRfc4475CallsValidIsAccepted(String name, String from, String to, String from2, String to2) {
        String message = INVITE.replace(unescape(from), unescape(to)).replace(unescape(from2), unescape(to2));
        assertThat(message).isNotEqualTo(INVITE);
        assertThat(check(message).rejection()).as(message).isNull();
    }

    @Test
    void aRejectedRequestLineStillCarriesTheHeadersForItsAnswer() {
        GateResult version = check(INVITE.replace("SIP/2.0", "SIP/7.0"));
        assertThat(version.rejection()).isEqualTo(GateRejection.VERSION_UNSUPPORTED);
        assertThat(version.replyLines().text()).contains("Call-ID: abc@192.0.2.1\r\n");
        GateResult scheme = check(INVITE.replace("INVITE sip:100@example.com", "INVITE x-opaque:anything"));
        assertThat(scheme.rejection()).isEqualTo(GateRejection.URI_SCHEME_UNSUPPORTED);
        assertThat(scheme.replyLines().text()).contains("CSeq: 1 INVITE\r\n");
        assertThat(check("GET / HTTP/1.1\r\nHost: x\r\n\r\n").replyLines()).isNull();
    }

    @Test
    void proxyRequireIsRefusedWithItsOptionTags() {
        String required = INVITE.replace("Content-Type", "Proxy-Require: foo,  bar\r\nProxy-Require: baz\r\n"
                + "Require: unknown-to-proxies\r\nContent-Type");
        GateResult result = check(required);
        assertThat(result.rejection()).isEqualTo(GateRejection.EXTENSION_UNSUPPORTED);
        assertThat(result.unsupported()).isEqualTo("foo, bar, baz");
        assertThat(result.replyLines().text()).contains("Call-ID: abc@192.0.2.1\r\n");
        // RFC 3261 §8.2.2.3: ignored in CANCEL (and ACK).
        assertThat(check(required.replace("INVITE", "CANCEL")).accepted()).isTrue();
        assertThat(check(INVITE.replace("Content-Type", "Proxy-Require: a b\r\nContent-Type")).rejection())
                .isEqualTo(GateRejection.HEADER_MALFORMED);
    }

    @Test
    void streamMessagesNeedContentLength() {
        String without = INVITE.replace("Content-Length: 5\r\n", "").replace(BODY, "");
        assertThat(check(without, false).accepted()).isTrue();
        assertThat(check(without, true).rejection()).isEqualTo(GateRejection.CONTENT_LENGTH_INVALID);
    }

    @Test
    void tenThousandViasAreRejectedOnCount() {
        String vias = "Via: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-x\r\n".repeat(10_000);
        String message = INVITE.replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\n" + vias);
        GateResult result = new SipMessageGate(new TransportConfig.GateLimits(1 << 20, 1024, 2048, 20_000, 16))
                .check(message.getBytes(StandardCharsets.UTF_8), message.length(), false);
        assertThat(result.rejection()).isEqualTo(GateRejection.TOO_MANY_VIAS);
        assertThat(result.replyLines()).as("no 400 echoing thousands of Vias").isNull();
    }

    @Test
    void aNewInviteCarriesItsReplyHeadersAndAnInviteInADialogDoesNot() {
        GateResult fresh = check(INVITE);
        assertThat(fresh.newInvite()).isTrue();
        assertThat(fresh.replyLines().text()).isEqualTo("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
                + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:100@example.com>\r\nCall-ID: abc@192.0.2.1\r\n"
                + "CSeq: 1 INVITE\r\n");
        assertThat(check(INVITE.replace("To: <sip:100@example.com>", "To: <sip:100@example.com>;TAG=x"))
                .newInvite()).as("a re-INVITE").isFalse();
        assertThat(check(INVITE.replace("To: <sip:100@example.com>", "To: sip:100@example.com;tag=x"))
                .newInvite()).as("a tag on a bare URI belongs to the header").isFalse();
        assertThat(check(INVITE.replace("To: <sip:100@example.com>", "To: \"a;tag=x\" <sip:100@example.com;tag=y>"))
                .newInvite()).as("inside quotes and angle brackets: no tag of the header").isTrue();
        assertThat(check(INVITE.replace("INVITE sip", "MESSAGE sip").replace("1 INVITE", "1 MESSAGE")).newInvite())
                .isFalse();
    }

    @Test
    void commaJoinedViasCountAsSeveral() {
        SipMessageGate sixteenVias = new SipMessageGate(new TransportConfig.GateLimits(16_384, 1_024, 2_048, 64, 16));
        String joined = INVITE.replace("branch=z9hG4bK-1\r\n",
                "branch=z9hG4bK-1" + ",SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-y".repeat(16) + "\r\n");
        byte[] bytes = joined.getBytes(StandardCharsets.UTF_8);
        assertThat(sixteenVias.check(bytes, bytes.length, false).rejection()).isEqualTo(GateRejection.TOO_MANY_VIAS);
    }

    @Test
    void oversizedMessageIsRejectedBeforeParsing() {
        String big = INVITE.replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nSubject: " + "x".repeat(1_900)
                + "\r\n".repeat(1)).replace("Content-Length: 5\r\n\r\n" + BODY, "Content-Length: 0\r\n\r\n");
        String huge = big + "";
        assertThat(check(huge).accepted()).isTrue();
        GateResult tooLarge = new SipMessageGate(new TransportConfig.GateLimits(1_024, 1024, 2048, 64, 16))
                .check(huge.getBytes(StandardCharsets.UTF_8), huge.length(), false);
        assertThat(tooLarge.rejection()).isEqualTo(GateRejection.MESSAGE_TOO_LARGE);
    }

    @Test
    void longHeaderLineIsRejected() {
        String message = INVITE.replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nSubject: " + "x".repeat(3_000)
                + "\r\n");
        assertThat(check(message).rejection()).isEqualTo(GateRejection.HEADER_TOO_LONG);
    }

    @Test
    void tooManyHeadersAreRejected() {
        String message = INVITE.replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\n" + "X-A: 1\r\n".repeat(70));
        assertThat(check(message).rejection()).isEqualTo(GateRejection.TOO_MANY_HEADERS);
    }

    @Test
    void invalidUtf8InHeadersIsRejectedButBodyBytesAreTheBodys() {
        byte[] bytes = INVITE.replace("From: <sip:a@", "From: <sip:\u00e9@").getBytes(StandardCharsets.UTF_8);
        assertThat(gate.check(bytes, bytes.length, false).accepted()).isTrue();
        byte[] latin1 = INVITE.replace("From: <sip:a@", "From: <sip:\u00e9@").getBytes(StandardCharsets.ISO_8859_1);
        assertThat(gate.check(latin1, latin1.length, false).rejection()).isEqualTo(GateRejection.INVALID_UTF8);
    }

    @Test
    void garbageIsSilentAndTruncationIsMalformed() {
        GateResult garbage = check("\u0016\u0003\u0001 hello there\r\n\r\n");
        assertThat(garbage.rejection()).isEqualTo(GateRejection.GARBAGE);
        assertThat(garbage.replyLines()).isNull();
        GateResult truncated = check(INVITE.substring(0, INVITE.indexOf("CSeq")));
        assertThat(truncated.rejection()).isEqualTo(GateRejection.HEADER_MALFORMED);
    }

    @Test
    void rejectedRequestWithIntactHeadersCarriesThemForA400() {
        GateResult result = check(INVITE.replace("Content-Length: 5", "Content-Length: 9"));
        assertThat(result.rejection()).isEqualTo(GateRejection.CONTENT_LENGTH_MISMATCH);
        assertThat(result.replyLines().text()).contains("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n",
                "Call-ID: abc@192.0.2.1\r\n", "CSeq: 1 INVITE\r\n", "From: ", "To: ");
    }

    @Test
    void badStatusLinesAreRejected() {
        String ok = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK-1\r\nFrom: <sip:a@x>;tag=1\r\n"
                + "To: <sip:b@x>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
        assertThat(check(ok).accepted()).isTrue();
        assertThat(check(ok.replace("200 OK", "2000 OK")).rejection()).isEqualTo(GateRejection.START_LINE_INVALID);
        assertThat(check(ok.replace("200 OK", "099 Low")).rejection()).isEqualTo(GateRejection.START_LINE_INVALID);
        assertThat(check(ok.replace("SIP/2.0 200", "SIP/7.0 200")).rejection())
                .isEqualTo(GateRejection.VERSION_UNSUPPORTED);
    }

    @Test
    void nulInASipStartLineIsANulButInBinaryItIsGarbage() {
        assertThat(check(INVITE.replace("INVITE sip:100@", "INVITE sip:1\u00000@")).rejection())
                .isEqualTo(GateRejection.NUL_BYTE);
        assertThat(check("\u0016\u0003\u0001\u0000\u0005hello\r\n\r\n").rejection())
                .isEqualTo(GateRejection.GARBAGE);
    }

    @Test
    void oversizedRequestCarriesItsIdentifyingHeadersForA413() {
        String big = INVITE.replace(BODY, "x".repeat(4_000)).replace("Content-Length: 5", "Content-Length: 4000");
        SipMessageGate small = new SipMessageGate(new TransportConfig.GateLimits(1_024, 1024, 2048, 64, 16));
        byte[] bytes = big.getBytes(StandardCharsets.UTF_8);

        GateResult whole = small.check(bytes, bytes.length, false);
        assertThat(whole.rejection()).isEqualTo(GateRejection.MESSAGE_TOO_LARGE);
        assertThat(whole.request()).isTrue();
        assertThat(whole.replyLines().text()).contains("Call-ID: abc@192.0.2.1\r\n", "CSeq: 1 INVITE\r\n");

        GateResult head = small.tooLarge(bytes, 1_024);
        assertThat(head.rejection()).isEqualTo(GateRejection.MESSAGE_TOO_LARGE);
        assertThat(head.replyLines().text()).isEqualTo(whole.replyLines().text());
    }

    @Test
    void oversizedResponseOrHeadWithoutTheIdentifyingHeadersCarriesNothing() {
        SipMessageGate small = new SipMessageGate(new TransportConfig.GateLimits(1_024, 1024, 2048, 64, 16));
        byte[] cutBeforeCallId = INVITE.substring(0, INVITE.indexOf("Call-ID")).getBytes(StandardCharsets.UTF_8);
        assertThat(small.tooLarge(cutBeforeCallId, cutBeforeCallId.length).replyLines()).isNull();
        byte[] response = "SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK-1\r\n"
                .getBytes(StandardCharsets.UTF_8);
        GateResult result = small.tooLarge(response, response.length);
        assertThat(result.request()).isFalse();
        assertThat(result.replyLines()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "no transport  | Via: SIP/2.0/ 192.0.2.1;branch=z9hG4bK-1",
        "no sent-by    | Via: SIP/2.0/UDP",
        "not SIP/2.0   | Via: HTTP/1.1/UDP 192.0.2.1;branch=z9hG4bK-1",
        "bad host char | Via: SIP/2.0/UDP ;branch=z9hG4bK-1",
    })
    void rejectedRequestWithAMalformedTopViaGetsNoAnswer(String name, String via) {
        String message = INVITE.replace("Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1", via);
        GateResult result = check(message);
        assertThat(result.rejection()).isEqualTo(GateRejection.HEADER_MALFORMED);
        assertThat(result.replyLines()).isNull();
    }
}
