package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.SipParseException;
import org.edgesbc.transport.message.SipMessageView;
import org.junit.jupiter.api.Test;

/** Which in-dialog requests offer, and so take part in glare (RFC 3261 §14, RFC 3311 §5.2). */
class ReInviteGuardTest {
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 0\r\n";

    private static SipMessageView request(String method, String body) throws SipParseException {
        String text = method + " sip:sbc@192.0.2.9 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:b@192.0.2.9>;tag=2\r\n"
                + "Call-ID: c1\r\nCSeq: 2 " + method + "\r\n"
                + (body.isEmpty() ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        return SipMessageView.parse(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void reInvitesAndUpdatesWithABodyOfferOthersDoNot() throws Exception {
        assertThat(ReInviteGuard.isOffer(request("INVITE", SDP))).isTrue();
        assertThat(ReInviteGuard.isOffer(request("INVITE", ""))).as("offer comes in the 2xx").isTrue();
        assertThat(ReInviteGuard.isOffer(request("UPDATE", SDP))).isTrue();
        assertThat(ReInviteGuard.isOffer(request("UPDATE", ""))).as("a session refresh").isFalse();
        assertThat(ReInviteGuard.isOffer(request("INFO", ""))).isFalse();
        assertThat(ReInviteGuard.isOffer(request("PRACK", SDP))).as("PRACK glare is not handled here").isFalse();
    }
}
