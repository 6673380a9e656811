package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.SipMessageGate;
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
    void whatTheGateHandsOnParsesAsTheRfcMeansIt() throws SipParseException {
        // RFC 3261 §7.3.1 folding and §18.3 datagram framing, and an RFC 2543 request without Max-Forwards.
        String folded = "INVITE sip:a@example.com SIP/2.0\r\nVia: SIP / 2.0\r\n /UDP 192.0.2.1\r\n"
                + "From: <sip:b@x>\r\nTo:\r\n <sip:a@x>\r\nCall-ID: c2\r\nCSeq: 0009\r\n INVITE\r\n"
                + "Content-Type: application/sdp\r\n\r\nv=0\r\n";
        byte[] bytes = folded.getBytes(StandardCharsets.UTF_8);
        GateResult gated = new SipMessageGate(TransportConfig.GateLimits.DEFAULTS).check(bytes, bytes.length, false);
        SIPRequest request = (SIPRequest) SipMessageParser.parse(gated.message());
        assertThat(request.getTopmostVia().getTransport()).isEqualTo("UDP");
        assertThat(request.getTo().getAddress().getURI().toString()).isEqualTo("sip:a@x");
        assertThat(request.getCSeq().getSeqNumber()).isEqualTo(9);
        assertThat(request.getContentLength().getContentLength()).isEqualTo(5);
        assertThat(((MaxForwards) request.getHeader(MaxForwards.NAME)).getMaxForwards()).isEqualTo(70);
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
