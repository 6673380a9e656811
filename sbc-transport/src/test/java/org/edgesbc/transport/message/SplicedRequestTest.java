package org.edgesbc.transport.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import gov.nist.javax.sip.header.SIPHeader;
import java.nio.charset.StandardCharsets;
import javax.sip.address.SipURI;
import javax.sip.header.HeaderAddress;
import org.edgesbc.transport.SipParseException;
import org.junit.jupiter.api.Test;

/** What the relay's steps read and edit of an initial request, and how the edits leave. */
class SplicedRequestTest {
    private static final String HEAD = "INVITE Tel:+15551234 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK-1\r\n"
            + "Max-Forwards: 70\r\n"
            + "f: \"Desk\"   <sip:1001@10.0.0.5>;tag=1\r\n"
            + "To: sip:2000@sbc.test\r\n"
            + "Call-ID: c1\r\n"
            + "CSeq: 1 INVITE\r\n";

    private static SplicedRequest request(String extraHeaders) throws SipParseException {
        return SplicedRequest.of(SipMessageView.parse((HEAD + extraHeaders + "Content-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
    }

    private static String written(SplicedRequest request) {
        return new String(request.writer().toBytes(), StandardCharsets.US_ASCII);
    }

    @Test
    void theRoutingFieldsAreModelsAndEverythingElseIsReadFromTheLinesAsReceived() throws Exception {
        SplicedRequest request = request("Privacy: id\r\ny: first\r\nIdentity: second\r\n");
        assertThat(request.method()).isEqualTo("INVITE");
        assertThat(request.requestUri().toString()).as("a scheme in any case, RFC 3261 §19.1.4")
                .isEqualTo("tel:+15551234");
        assertThat(((SipURI) request.fromAddress().getURI()).getUser()).isEqualTo("1001");
        assertThat(request.fromAddress().getDisplayName()).isEqualTo("Desk");
        assertThat(((SipURI) request.toAddress().getURI()).getUser()).isEqualTo("2000");
        assertThat(request.values("Identity")).as("full and compact names alike").containsExactly("first", "second");
        assertThat(request.value("privacy")).isEqualTo("id");
        assertThat(request.hasHeader("P-Asserted-Identity")).isFalse();
        assertThat(written(request)).as("nothing edited, nothing changed")
                .isEqualTo(HEAD + "Privacy: id\r\ny: first\r\nIdentity: second\r\nContent-Length: 0\r\n\r\n");
    }

    @Test
    void editsAreSplicedInWhereTheHeaderStoodAndNewHeadersFollowTheOthers() throws Exception {
        SplicedRequest request = request("Authorization: Digest username=\"1001\"\r\n"
                + "P-Asserted-Identity: <sip:1001@10.0.0.5>, <tel:+15550001>\r\nX-Carrier: old\r\ny: abc\r\n");
        request.removeHeader("Authorization");
        request.removeHeader("Identity");
        request.removeHeader("X-Carrier");
        request.addHeader("X-Carrier", "acme");
        request.addHeader("Identity", "signed;info=<https://cert.example/c.pem>");
        for (SIPHeader asserted : request.models("P-Asserted-Identity")) {
            if (((HeaderAddress) asserted).getAddress().getURI() instanceof SipURI sip) {
                sip.setUser("+441001");
            }
        }
        assertThat(request.values("X-Carrier")).containsExactly("acme");
        assertThat(request.hasHeader("Authorization")).isFalse();
        assertThat(written(request)).isEqualTo(HEAD
                + "P-Asserted-Identity: <sip:+441001@10.0.0.5>\r\nP-Asserted-Identity: <tel:+15550001>\r\n"
                + "X-Carrier: acme\r\n"
                + "Identity: signed;info=<https://cert.example/c.pem>\r\n"
                + "Content-Length: 0\r\n\r\n");
    }

    @Test
    void aHeaderJainSipCannotReadStaysAsTextOfNoParticularType() throws Exception {
        SplicedRequest request = request("P-Asserted-Identity: <<not a uri>>\r\n");
        assertThat(request.models("P-Asserted-Identity")).singleElement()
                .satisfies(model -> assertThat(model).isNotInstanceOf(HeaderAddress.class));
        assertThat(written(request)).contains("P-Asserted-Identity: <<not a uri>>\r\n");
    }

    @Test
    void onlyARequestIsOne() throws Exception {
        SipMessageView response = SipMessageView.parse(("SIP/2.0 200 OK\r\n"
                + "Via: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK-1\r\nFrom: <sip:1001@10.0.0.5>;tag=1\r\n"
                + "To: <sip:2000@sbc.test>;tag=2\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        assertThatThrownBy(() -> SplicedRequest.of(response)).isInstanceOf(SipParseException.class);
    }
}
