package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import gov.nist.javax.sip.parser.URLParser;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.edgesbc.core.registrar.Binding;
import org.edgesbc.core.registrar.RegisterResult;
import org.edgesbc.transport.message.SipMessageView;
import org.junit.jupiter.api.Test;

/** The SBC's answers to a phone's REGISTER (RFC 3261 §10.3 step 8, RFC 5626 §5.4), byte for byte. */
class RegisterMessagesTest {
    private static final Instant NOW = Instant.parse("2026-12-05T07:00:00Z");
    private static final String REGISTER = "REGISTER sip:sbc.example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/TCP 10.0.0.5:5060;branch=z9hG4bK-reg-1;rport\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:1001@sbc.example.com>;tag=phone-tag\r\n"
            + "t: <sip:1001@sbc.example.com>\r\n"
            + "Call-ID: reg-1@192.168.1.10\r\n"
            + "CSeq: 7 REGISTER\r\n"
            + "Contact: <sip:1001@192.168.1.10:5060;transport=tcp>\r\n"
            + "Record-Route: <sip:proxy.example.com;lr>\r\n"
            + "User-Agent: TestPhone/1.0\r\n"
            + "Content-Length: 0\r\n\r\n";
    private static final String VIAS = "Via: SIP/2.0/TCP 10.0.0.5:5060;branch=z9hG4bK-reg-1;rport=40001"
            + ";received=198.51.100.20\r\n";

    @Test
    void aTwoHundredListsEveryBindingWithItsSecondsLeftAndTheFlowTimer() throws Exception {
        RegisterResult result = new RegisterResult(200, List.of(binding("sip:1001@192.168.1.10:5060;transport=tcp", 300),
                binding("sip:1001@10.1.1.1:5070", 59)), NOW, 0, 120);

        assertThat(answer(result)).isEqualTo("SIP/2.0 200 OK\r\n" + VIAS
                + "From: <sip:1001@sbc.example.com>;tag=phone-tag\r\n"
                + "To: <sip:1001@sbc.example.com>;tag=sbc-tag\r\n"
                + "Call-ID: reg-1@192.168.1.10\r\n"
                + "CSeq: 7 REGISTER\r\n"
                + "Contact: <sip:1001@192.168.1.10:5060;transport=tcp>;expires=300\r\n"
                + "Contact: <sip:1001@10.1.1.1:5070>;expires=59\r\n"
                + "Require: outbound\r\nFlow-Timer: 120\r\n"
                + "Content-Length: 0\r\n\r\n");
    }

    @Test
    void aQueryOfAnAccountWithoutBindingsIsATwoHundredWithoutContact() throws Exception {
        assertThat(answer(new RegisterResult(200, List.of(), NOW, 0, 0)))
                .startsWith("SIP/2.0 200 OK\r\n").doesNotContain("Contact").doesNotContain("Require");
    }

    @Test
    void refusalsCarryWhatTheirStatusAsksFor() throws Exception {
        assertThat(answer(new RegisterResult(423, List.of(), NOW, 60, 0)))
                .startsWith("SIP/2.0 423 Interval too brief\r\n").contains("\r\nMin-Expires: 60\r\n");
        assertThat(answer(RegisterResult.refused(503, NOW)))
                .startsWith("SIP/2.0 503 Service unavailable\r\n").contains("\r\nRetry-After: 30\r\n");
        assertThat(answer(RegisterResult.refused(500, NOW))).startsWith("SIP/2.0 500 ")
                .doesNotContain("Contact").doesNotContain("Retry-After");
    }

    @Test
    void everyAnswerReadsBackAsAResponseToThePhonesRequest() throws Exception {
        SipMessageView read = SipMessageView.parse(answer(new RegisterResult(200,
                List.of(binding("sip:1001@192.168.1.10:5060", 300)), NOW, 0, 0)).getBytes(StandardCharsets.UTF_8));

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.cseqMethod()).isEqualTo("REGISTER");
        assertThat(read.to().tag()).isEqualTo("sbc-tag");
        assertThat(read.contacts()).singleElement().satisfies(c -> assertThat(c.parameter("expires")).isEqualTo("300"));
        assertThat(read.header("Record-Route")).isNull();
    }

    private static String answer(RegisterResult result) throws Exception {
        SipMessageView request = SipMessageView.parse(REGISTER.getBytes(StandardCharsets.UTF_8));
        return new String(LocalResponses.response(request, VIAS, result.status(),
                LocalResponses.reasonOf(result.status()), "sbc-tag", RegisterMessages.phoneAnswerHeaders(result)),
                StandardCharsets.UTF_8);
    }

    private static Binding binding(String contact, long secondsLeft) throws Exception {
        return new Binding("1001", contact, new URLParser(contact).uriReference(true), null, "access", "reg-1", 7,
                NOW.minusSeconds(10), NOW.plusSeconds(secondsLeft));
    }
}
