package org.edgesbc.transport.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.util.stream.Stream;
import org.edgesbc.transport.SipParseException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reader's own rules for the headers it routes by, on messages that did not come through the gate (which refuses
 * most of these first): each that must be single is, a Via is there, the names may be compact and in any case.
 */
class SipMessageViewRoutingHeadersTest {
    private static final String BYE = "BYE sip:b@192.0.2.2 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:a@192.0.2.1>;tag=1\r\n"
            + "To: <sip:b@192.0.2.2>;tag=2\r\n"
            + "Call-ID: routing-1\r\n"
            + "CSeq: 2 BYE\r\n"
            + "Content-Length: 0\r\n\r\n";

    private static SipMessageView parse(String message) throws SipParseException {
        return SipMessageView.parse(message.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void compactAndMixedCaseNamesAreRead() throws Exception {
        SipMessageView view = parse(BYE.replace("Via:", "v:").replace("From:", "f:").replace("To:", "T:")
                .replace("Call-ID:", "i:").replace("CSeq:", "cSEQ:").replace("Max-Forwards:", "max-forwards:")
                .replace("Content-Length:", "l:"));
        assertThat(view.callId()).isEqualTo("routing-1");
        assertThat(view.cseqNumber()).isEqualTo(2);
        assertThat(view.from().tag()).isEqualTo("1");
        assertThat(view.to().tag()).isEqualTo("2");
        assertThat(view.topVia().branch()).isEqualTo("z9hG4bK-1");
        assertThat(view.maxForwards()).isEqualTo(70);
    }

    static Stream<Arguments> brokenRules() {
        return Stream.of(
                arguments("Call-ID twice", "Call-ID: routing-1", "Call-ID: routing-1\r\ni: routing-2"),
                arguments("CSeq twice", "CSeq: 2 BYE", "CSeq: 2 BYE\r\nCSeq: 3 BYE"),
                arguments("From twice", "From: <sip:a@192.0.2.1>;tag=1", "From: <sip:a@192.0.2.1>;tag=1\r\nf: <sip:c@x>"),
                arguments("To twice", "To: <sip:b@192.0.2.2>;tag=2", "To: <sip:b@192.0.2.2>;tag=2\r\nTo: <sip:c@x>"),
                arguments("Max-Forwards twice", "Max-Forwards: 70", "Max-Forwards: 70\r\nMax-Forwards: 69"),
                arguments("Max-Forwards not a number", "Max-Forwards: 70", "Max-Forwards: seventy"),
                arguments("no Via", "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n", ""),
                arguments("no Call-ID", "Call-ID: routing-1\r\n", ""),
                arguments("a body longer than stated", "Content-Length: 0\r\n\r\n", "Content-Length: 0\r\n\r\nx"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenRules")
    void whatBreaksARoutingRuleIsRefused(String name, String line, String replacement) {
        String message = BYE.replace(line, replacement);
        assertThat(message).isNotEqualTo(BYE);
        assertThatThrownBy(() -> parse(message)).as(name).isInstanceOf(SipParseException.class);
    }
}
