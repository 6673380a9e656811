package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CallerIdentityStepTest {
    @Test
    void identityHeadersAreReadAsReceivedInOrderWithTheCompactForm() {
        String message = "INVITE sip:+49892222222@sbc SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.2;branch=z9hG4bK-1\r\n"
                + "Identity:  first.token.sig;info=<https://a.example:8443/c.pem>;alg=ES256;ppt=\"shaken\"\r\n"
                + "X-Identity: not this one\r\n"
                + "y: second.token.sig;info=<https://b.example/c.pem>\r\n"
                + "IDENTITY:third\r\n"
                + "Content-Length: 0\r\n\r\n";
        assertThat(CallerIdentityStep.identityHeaders(message.getBytes(StandardCharsets.UTF_8))).containsExactly(
                "first.token.sig;info=<https://a.example:8443/c.pem>;alg=ES256;ppt=\"shaken\"",
                "second.token.sig;info=<https://b.example/c.pem>", "third");
    }

    @Test
    void aBodyIsNeverReadAsHeaders() {
        String message = "INVITE sip:1@sbc SIP/2.0\r\nContent-Length: 20\r\n\r\nIdentity: in-the-body";
        assertThat(CallerIdentityStep.identityHeaders(message.getBytes(StandardCharsets.UTF_8))).isEmpty();
    }
}
