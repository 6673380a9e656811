package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gov.nist.javax.sip.message.SIPMessage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SipMessageParserTest {
    private static final String BYE = "BYE sip:a@example.com SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\nFrom: <sip:b@x>;tag=1\r\n"
            + "To: <sip:a@x>;tag=2\r\nCall-ID: c1\r\nCSeq: 4 BYE\r\nX-Extra: kept\r\nContent-Length: 0\r\n\r\n";

    @Test
    void wellFormedMessageParses() throws SipParseException {
        SIPMessage message = SipMessageParser.parse(BYE.getBytes(StandardCharsets.UTF_8));
        assertThat(message.getCallId().getCallId()).isEqualTo("c1");
        assertThat(message.getHeader("X-Extra")).isNotNull();
    }

    @Test
    void malformedCoreHeadersFailTheWholeMessage() {
        for (String broken : new String[] {
            BYE.replace("Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1", "Via: SIP/2.0/UDP ;;;"),
            BYE.replace("From: <sip:b@x>;tag=1", "From: <sip:b@x;tag=1"),
            BYE.replace("CSeq: 4 BYE", "CSeq: four BYE"),
        }) {
            assertThatThrownBy(() -> SipMessageParser.parse(broken.getBytes(StandardCharsets.UTF_8)))
                    .as(broken).isInstanceOf(SipParseException.class);
        }
    }
}
