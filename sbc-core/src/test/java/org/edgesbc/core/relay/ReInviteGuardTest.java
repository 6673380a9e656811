package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.edgesbc.transport.SipParseException;
import org.edgesbc.transport.message.SipMessageView;
import org.junit.jupiter.api.Test;

/** Which in-dialog requests offer, and so take part in glare (RFC 3261 §14, RFC 3311 §5.2, RFC 3262 §5). */
class ReInviteGuardTest {
    private static final String SDP = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
            + "m=audio 4000 RTP/AVP 0\r\n";

    private final ReInviteGuard guard = new ReInviteGuard(new SplittableRandom(1));
    private final Leg caller = new Leg("trunk", "c1", "<sip:a@192.0.2.1>", "<sip:b@192.0.2.9>", null, null);
    private final Leg callee = new Leg("pbx", "c2", "<sip:a@192.0.2.9>", "<sip:b@192.0.2.3>", null, null);

    private static SipMessageView message(String firstLine, String method, String extra, String body)
            throws SipParseException {
        String text = firstLine + "\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK-1\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:a@192.0.2.1>;tag=1\r\nTo: <sip:b@192.0.2.9>;tag=2\r\n"
                + "Call-ID: c1\r\nCSeq: 2 " + method + "\r\n" + extra
                + (body.isEmpty() ? "" : "Content-Type: application/sdp\r\n")
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
        return SipMessageView.parse(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static SipMessageView request(String method, String body) throws SipParseException {
        return message(method + " sip:sbc@192.0.2.9 SIP/2.0", method, "", body);
    }

    private static RelayedRequest relayed(SipMessageView request) {
        return new RelayedRequest(new ServerTransaction("k", request.method(), null, null), request, null);
    }

    @Test
    void reInvitesAndUpdatesAndPracksWithABodyOfferOthersDoNot() throws Exception {
        assertThat(ReInviteGuard.isOffer(request("INVITE", SDP), caller)).isTrue();
        assertThat(ReInviteGuard.isOffer(request("INVITE", ""), caller)).as("offer comes in the 2xx").isTrue();
        assertThat(ReInviteGuard.isOffer(request("UPDATE", SDP), caller)).isTrue();
        assertThat(ReInviteGuard.isOffer(request("UPDATE", ""), caller)).as("a session refresh").isFalse();
        assertThat(ReInviteGuard.isOffer(request("INFO", ""), caller)).isFalse();
        assertThat(ReInviteGuard.isOffer(request("PRACK", SDP), caller)).as("a new offer in a PRACK").isTrue();
        assertThat(ReInviteGuard.isOffer(request("PRACK", ""), caller)).isFalse();
    }

    /** RFC 3262 §5: an INVITE without an offer, the offer in a reliable 183, the answer in the PRACK. */
    @Test
    void thePrackAnsweringAnOfferInAReliableProvisionalIsNoOfferAndTheNextOneIs() throws Exception {
        RelayedRequest invite = relayed(request("INVITE", ""));
        guard.provisionalRelayed(invite, caller, message("SIP/2.0 180 Ringing", "INVITE", "", ""), null);
        guard.provisionalRelayed(invite, caller, message("SIP/2.0 183 Session Progress", "INVITE", "", SDP), null);
        assertThat(caller.owesEarlyAnswer).as("an unreliable 183 offers nothing the PRACK answers").isFalse();
        guard.provisionalRelayed(invite, caller, message("SIP/2.0 183 Session Progress", "INVITE",
                "Require: 100rel\r\nRSeq: 1\r\n", SDP), null);
        assertThat(caller.owesEarlyAnswer).isTrue();

        SipMessageView answer = request("PRACK", SDP);
        assertThat(ReInviteGuard.isOffer(answer, caller)).isFalse();
        guard.relayed(caller, callee, answer, relayed(answer));
        assertThat(callee.inviteToward).as("an answer leaves the legs free").isNull();
        assertThat(guard.refusal(callee, caller, request("UPDATE", SDP))).isZero();

        // A second reliable 183 with SDP repeats the answer given (RFC 3262 §5): the next PRACK with SDP offers.
        guard.provisionalRelayed(invite, caller, message("SIP/2.0 183 Session Progress", "INVITE",
                "Require: 100rel\r\nRSeq: 2\r\n", SDP), null);
        assertThat(ReInviteGuard.isOffer(request("PRACK", SDP), caller)).isTrue();
    }

    @Test
    void aPrackOfferIsNeverRefusedButCrossingOffersAreWhileItIsOut() throws Exception {
        RelayedRequest updateFromCallee = relayed(request("UPDATE", SDP));
        guard.relayed(callee, caller, request("UPDATE", SDP), updateFromCallee);
        assertThat(guard.refusal(caller, callee, request("PRACK", SDP))).as("RFC 3262 has no glare for PRACK")
                .isZero();

        ReInviteGuard fresh = new ReInviteGuard(new SplittableRandom(1));
        Leg a = new Leg("trunk", "c3", "<sip:a@192.0.2.1>", "<sip:b@192.0.2.9>", null, null);
        Leg b = new Leg("pbx", "c4", "<sip:a@192.0.2.9>", "<sip:b@192.0.2.3>", null, null);
        SipMessageView prackOffer = request("PRACK", SDP);
        fresh.relayed(a, b, prackOffer, relayed(prackOffer));
        assertThat(fresh.refusal(b, a, request("UPDATE", SDP))).as("RFC 3311 §5.2").isEqualTo(491);
        assertThat(fresh.refusal(a, b, request("UPDATE", SDP))).as("its own offer is still unanswered")
                .isEqualTo(500);
    }
}
