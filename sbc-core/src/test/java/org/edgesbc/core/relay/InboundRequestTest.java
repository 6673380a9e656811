package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.message.SipMessageView;
import org.junit.jupiter.api.Test;

/** The requester's Vias as responses carry them back: RFC 3261 §18.2.1 received, RFC 3581 §4 rport. */
class InboundRequestTest {
    private static final InetSocketAddress NATTED = new InetSocketAddress("192.0.2.7", 40111);

    @Test
    void aSenderBehindNatGetsReceivedAndRportOnItsTopViaOnly() throws Exception {
        String vias = InboundRequest.markedVias(view("Via: SIP/2.0/UDP 10.1.1.1:5060;rport;branch=z9hG4bK-1, "
                + "SIP/2.0/UDP 10.9.9.9;branch=z9hG4bK-0\r\nVia: SIP/2.0/TCP 10.8.8.8;branch=z9hG4bK-x\r\n"), NATTED);
        assertThat(vias).isEqualTo("Via: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bK-1;received=192.0.2.7;rport=40111, "
                + "SIP/2.0/UDP 10.9.9.9;branch=z9hG4bK-0\r\nVia: SIP/2.0/TCP 10.8.8.8;branch=z9hG4bK-x\r\n");
    }

    @Test
    void aSenderWhoseViaIsRightAndAsksNoRportKeepsItsViaAsWritten() throws Exception {
        String via = "Via: SIP/2.0/UDP 192.0.2.7:40111 ; branch=z9hG4bK-2\r\n";
        assertThat(InboundRequest.markedVias(view(via), NATTED)).isEqualTo(via);
    }

    @Test
    void anEarlierReceivedIsReplaced() throws Exception {
        assertThat(InboundRequest.markedVias(view("Via: SIP/2.0/UDP h.example.com;received=10.0.0.1;branch=z9hG4bK-3\r\n"),
                NATTED)).isEqualTo("Via: SIP/2.0/UDP h.example.com;branch=z9hG4bK-3;received=192.0.2.7\r\n");
    }

    private static SipMessageView view(String vias) throws Exception {
        return SipMessageView.parse(("OPTIONS sip:sbc@192.0.2.1 SIP/2.0\r\n" + vias
                + "From: <sip:a@example.com>;tag=1\r\nTo: <sip:sbc@192.0.2.1>\r\nCall-ID: v1\r\nCSeq: 1 OPTIONS\r\n"
                + "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    }
}
