package org.edgesbc.core.relay;

import java.nio.charset.StandardCharsets;
import org.edgesbc.transport.SipParseException;
import org.edgesbc.transport.message.SipMessageView;

/**
 * Messages the SBC writes itself (the requests it relays, CANCEL, hop-by-hop ACK, teardown BYE, REGISTER to the PBX,
 * made-up answers, what jain-sip-ri encoded), read back into a {@link SipMessageView} so that the relay handles them
 * like any other; their routing headers are decoded only if something reads them
 * ({@link SipMessageView#parseWritten}). They always parse; one that does not is a bug, reported as
 * {@link IllegalStateException} when read, which the shard's guard counts.
 */
final class OwnMessages {
    private OwnMessages() { }

    static SipMessageView read(byte[] bytes) {
        try {
            return SipMessageView.parseWritten(bytes);
        } catch (SipParseException e) {
            throw new IllegalStateException("the SBC wrote a message it cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * A request with RFC 3261 §8.1.1's headers in its order, Max-Forwards 70 and no body.
     *
     * @param via the Via value; a request sent under a client transaction gets its own when it leaves
     * @param extraHeaders complete header lines (each ending in CRLF) after CSeq, or the empty string
     */
    static SipMessageView request(String method, String requestUri, String via, String from, String to,
            String callId, long cseq, String extraHeaders) {
        return read((method + " " + requestUri + " SIP/2.0\r\n"
                + "Via: " + via + "\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: " + from + "\r\n"
                + "To: " + to + "\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " " + method + "\r\n"
                + extraHeaders
                + "Content-Length: 0\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    }
}
