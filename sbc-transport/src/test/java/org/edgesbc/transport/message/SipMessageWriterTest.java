package org.edgesbc.transport.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SipMessageWriterTest {
    private static final String RESPONSE = "SIP/2.0 200 OK\r\n"
            + "v: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK-1\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.2;branch=z9hG4bK-2\r\n"
            + "f: <sip:a@example.com>;tag=1\r\n"
            + "To: <sip:b@example.com>;tag=2\r\n"
            + "Call-ID: c1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Record-Route: <sip:proxy.example.com;lr>\r\n"
            + "m: <sip:b@10.0.0.3>\r\n"
            + "Server: pbx 1.0\r\n"
            + "Content-Type: application/sdp\r\n"
            + "l: 4\r\n\r\nv=0\n";

    @Test
    void uneditedLinesAreCopiedAndEditedOnesWrittenInTheirPlace() throws Exception {
        SipMessageView view = view(RESPONSE);
        String out = text(SipMessageWriter.edit(view)
                .lines(SipHeaderName.VIA, "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK-a\r\n")
                .set(SipHeaderName.CALL_ID, "leg-a")
                .set(SipHeaderName.CONTACT, "<sip:sbc@192.0.2.1>")
                .remove(SipHeaderName.of("Record-Route"), SipHeaderName.of("Server"))
                .toBytes());
        assertThat(out).isEqualTo("SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/TCP 192.0.2.1;branch=z9hG4bK-a\r\n"
                + "f: <sip:a@example.com>;tag=1\r\n"
                + "To: <sip:b@example.com>;tag=2\r\n"
                + "Call-ID: leg-a\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:sbc@192.0.2.1>\r\n"
                + "Content-Type: application/sdp\r\n"
                + "Content-Length: 4\r\n\r\nv=0\n");
        assertThat(SipMessageView.parse(out.getBytes(StandardCharsets.UTF_8)).topVia().branch())
                .isEqualTo("z9hG4bK-a");
    }

    @Test
    void aNewBodyGetsItsContentLengthAndANewHeaderGoesBeforeTheOthers() throws Exception {
        String out = text(SipMessageWriter.edit(view(RESPONSE))
                .body("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n".getBytes(StandardCharsets.UTF_8))
                .set(SipHeaderName.MAX_FORWARDS, "69")
                .add("P-Asserted-Identity", "<sip:100@192.0.2.1>")
                .toBytes());
        assertThat(out).startsWith("SIP/2.0 200 OK\r\nMax-Forwards: 69\r\nv: SIP/2.0/UDP")
                .contains("Content-Type: application/sdp\r\nP-Asserted-Identity: <sip:100@192.0.2.1>\r\n"
                        + "Content-Length: 31\r\n\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n")
                .doesNotContain("l: 4");
        assertThat(SipMessageView.parse(out.getBytes(StandardCharsets.UTF_8)).bodyLength()).isEqualTo(31);
    }

    @Test
    void aBodyOfEachLengthGetsItsLengthInDigits() throws Exception {
        for (int length : new int[] {9, 10, 99, 100, 1_234, 10_000, 65_535}) {
            String out = text(SipMessageWriter.edit(view(RESPONSE)).body(new byte[length]).toBytes());
            assertThat(out).as("a body of %d bytes", length).contains("Content-Length: " + length + "\r\n\r\n");
            assertThat(SipMessageView.parse(out.getBytes(StandardCharsets.UTF_8)).bodyLength()).isEqualTo(length);
        }
    }

    @Test
    void aRequestLineIsReplacedAndTheLastEditOfANameWins() throws Exception {
        SipMessageView request = view("BYE sip:b@10.0.0.3 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK-3\r\n"
                + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:b@example.com>;tag=2\r\nCall-ID: c2\r\n"
                + "CSeq: 2 BYE\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n");
        String out = text(SipMessageWriter.edit(request).requestLine("BYE", "sip:b@192.0.2.9:5070")
                .set(SipHeaderName.CALL_ID, "first").set(SipHeaderName.CALL_ID, "second").toBytes());
        assertThat(out).startsWith("BYE sip:b@192.0.2.9:5070 SIP/2.0\r\n").contains("Call-ID: second\r\n")
                .doesNotContain("first").endsWith("Content-Length: 0\r\n\r\n");
    }

    @Test
    void manyEditsAndTheLastOfValueOrLinesForANameWins() throws Exception {
        SipHeaderName server = SipHeaderName.of("Server");
        SipMessageWriter writer = SipMessageWriter.edit(view(RESPONSE))
                .lines(SipHeaderName.CALL_ID, "Call-ID: lines\r\n").set(SipHeaderName.CALL_ID, "value")
                .set(server, "first").lines(server, "Server: sbc\r\nServer: again\r\n");
        for (int i = 0; i < 20; i++) {
            writer.set(SipHeaderName.of("X-Edit-" + i), "v" + i);
        }
        String out = text(writer.toBytes());
        assertThat(out).contains("Call-ID: value\r\n", "Server: sbc\r\nServer: again\r\n")
                .doesNotContain("lines", "first", "pbx 1.0");
        for (int i = 0; i < 20; i++) {
            assertThat(out).contains("\r\nX-Edit-" + i + ": v" + i + "\r\n");
        }
    }

    @Test
    void textGoesOutAsUtf8InAnArrayOfTheMessagesLength() throws Exception {
        // two-, three- and four-byte characters, and an unpaired surrogate, which String.getBytes writes as '?'
        String from = "\"Zo\u00eb \u20ac \ud83d\ude00 \ud800x\" <sip:a@example.com>;tag=1";
        byte[] out = SipMessageWriter.edit(view(RESPONSE)).set(SipHeaderName.FROM, from).toBytes();
        String expected = RESPONSE.replace("f: <sip:a@example.com>;tag=1", "From: " + from)
                .replace("l: 4\r\n\r\n", "Content-Length: 4\r\n\r\n");
        assertThat(out).isEqualTo(expected.getBytes(StandardCharsets.UTF_8));
    }

    private static SipMessageView view(String text) throws Exception {
        return SipMessageView.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
