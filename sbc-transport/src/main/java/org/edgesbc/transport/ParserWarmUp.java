package org.edgesbc.transport;

import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.gate.GateResult;
import org.edgesbc.transport.gate.SipMessageGate;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * Runs one made-up INVITE through every reader a real one meets (the gate, the relay's view, jain-sip-ri's models of
 * its routing fields, the writer) before the listeners open. A cold JVM pays for loading and initialising those
 * classes on the first message, which on a busy machine takes long enough for the relay to judge that message, or
 * the ones queued behind it, late and shed them: paid at start instead, the first caller is treated like every
 * other.
 */
final class ParserWarmUp {
    private static final byte[] INVITE = ("INVITE sip:warm-up@127.0.0.1 SIP/2.0\r\n"
            + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-warm-up\r\n"
            + "Max-Forwards: 70\r\n"
            + "From: <sip:warm-up@127.0.0.1>;tag=warm-up\r\n"
            + "To: <sip:warm-up@127.0.0.1>\r\n"
            + "Call-ID: warm-up@127.0.0.1\r\n"
            + "CSeq: 1 INVITE\r\n"
            + "Contact: <sip:warm-up@127.0.0.1:5060>\r\n"
            + "Content-Type: application/sdp\r\n"
            + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);

    private ParserWarmUp() {
    }

    /** @throws IllegalStateException a reader refuses the made-up INVITE (a defect, not a configuration error) */
    static void run(SipMessageGate gate) {
        GateResult result = gate.check(INVITE, INVITE.length, false);
        if (!result.accepted()) {
            throw new IllegalStateException("the gate refuses the warm-up INVITE");
        }
        try {
            SplicedRequest.of(SipMessageView.parse(INVITE)).writer().toBytes();
        } catch (SipParseException e) {
            throw new IllegalStateException("the warm-up INVITE does not parse", e);
        }
    }
}
