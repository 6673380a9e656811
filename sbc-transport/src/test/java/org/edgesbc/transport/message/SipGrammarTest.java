package org.edgesbc.transport.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SipGrammarTest {
    private static String method(String line) {
        byte[] m = line.getBytes(StandardCharsets.US_ASCII);
        return SipGrammar.method(m, 1, line.indexOf(' ', 1));
    }

    @Test
    void aKnownMethodIsTheOneSharedString() {
        assertThat(method(" INVITE sip:x")).isSameAs("INVITE");
        assertThat(method(" ACK sip:x")).isSameAs("ACK");
        assertThat(method(" SUBSCRIBE sip:x")).isSameAs("SUBSCRIBE");
    }

    @Test
    void anyOtherTokenIsReadAsItIsCaseAndAll() {
        // RFC 3261 §7.1: the method is case-sensitive; "invite" is an unknown method, not INVITE.
        assertThat(method(" invite sip:x")).isEqualTo("invite").isNotSameAs("INVITE");
        assertThat(method(" INVITF sip:x")).isEqualTo("INVITF");
        assertThat(method(" NEWMETHODNAME sip:x")).isEqualTo("NEWMETHODNAME");
    }
}
