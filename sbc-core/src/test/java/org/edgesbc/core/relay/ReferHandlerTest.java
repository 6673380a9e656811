package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.message.SipMessageView;
import org.junit.jupiter.api.Test;

/** The pure parts of transfers: reading Refer-To and Referred-By values, and the NOTIFY progress cut. */
class ReferHandlerTest {
    @Test
    void findsTheUriAndItsUserInEveryForm() {
        assertThat(ReferHandler.uriOf("\"Bob\" <sip:bob@biloxi.example.com?Replaces=x>;p=1"))
                .isEqualTo("sip:bob@biloxi.example.com?Replaces=x");
        assertThat(ReferHandler.uriOf("sip:carol@chicago.example.com;cid=1")).isEqualTo("sip:carol@chicago.example.com");
        assertThat(ReferHandler.userOf("sip:bob:secret@biloxi.example.com")).isEqualTo("bob");
        assertThat(ReferHandler.userOf("tel:+4930123456;phone-context=x")).isEqualTo("+4930123456");
        assertThat(ReferHandler.userOf("sip:biloxi.example.com")).isNull();
        assertThat(ReferHandler.userOf("nonsense")).isNull();
    }

    @Test
    void aSipfragNotifyKeepsOnlyItsStatusLine() {
        SipMessageView notify = view("NOTIFY sip:sbc@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK1\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: n1\r\n"
                + "CSeq: 2 NOTIFY\r\nContent-Type: message/sipfrag;version=2.0\r\n",
                "SIP/2.0 200 OK\r\nContact: <sip:carol@10.0.0.7>\r\n");
        assertThat(new String(ReferHandler.progressOnly(notify), StandardCharsets.UTF_8))
                .isEqualTo("SIP/2.0 200 OK\r\n");
        SipMessageView info = view("INFO sip:sbc@192.0.2.1 SIP/2.0\r\nVia: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK1\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>;tag=2\r\nCall-ID: n1\r\n"
                + "CSeq: 2 INFO\r\nContent-Type: message/sipfrag\r\n", "SIP/2.0 200 OK\r\n");
        assertThat(ReferHandler.progressOnly(info)).isNull();
    }

    private static SipMessageView view(String head, String body) {
        return OwnMessages.read((head + "Content-Length: " + body.length() + "\r\n\r\n" + body)
                .getBytes(StandardCharsets.UTF_8));
    }
}
