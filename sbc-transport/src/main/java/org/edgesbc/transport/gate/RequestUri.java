package org.edgesbc.transport.gate;

import org.edgesbc.transport.message.SipGrammar;
import org.edgesbc.transport.message.UriSyntax;
import org.edgesbc.transport.GateRejection;

/**
 * The Request-URI checks a request gets before anything routes by it: an absolute URI (RFC 3261 §25.1), of a scheme
 * this element serves (RFC 3261 §8.2.2.1 and §16.3 step 2: 416 otherwise), and for SIP URIs without the headers
 * component RFC 3261 §19.1.1 (Table 1) does not allow in a Request-URI.
 */
final class RequestUri {
    private RequestUri() { }

    /** The rejection for the Request-URI [from, end), or null when it is one the SBC can route by. */
    static GateRejection check(byte[] m, int from, int end) {
        // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ): "<sip:...>" is refused here (RFC 4475 §3.1.2.7).
        int colon = UriSyntax.scheme(m, from, end);
        if (colon < 0) {
            return GateRejection.START_LINE_INVALID;
        }
        // Schemes compare case-insensitively (RFC 3261 §19.1.4). A SIP URI must be one, without the headers
        // component a Request-URI may not carry (RFC 4475 §3.1.2.11).
        if (SipGrammar.equalsIgnoreCase(m, from, colon, "sip") || SipGrammar.equalsIgnoreCase(m, from, colon, "sips")) {
            return UriSyntax.valid(m, from, end, false) ? null : GateRejection.START_LINE_INVALID;
        }
        // RFC 3966 telephone numbers are routed by their number; any other scheme (RFC 4475 §3.3.2, §3.3.3) gets 416.
        return SipGrammar.equalsIgnoreCase(m, from, colon, "tel") && UriSyntax.valid(m, from, end, false) ? null
                : SipGrammar.equalsIgnoreCase(m, from, colon, "tel") ? GateRejection.START_LINE_INVALID
                : GateRejection.URI_SCHEME_UNSUPPORTED;
    }
}
