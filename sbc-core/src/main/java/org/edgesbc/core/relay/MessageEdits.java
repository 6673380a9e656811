package org.edgesbc.core.relay;

import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import java.net.InetSocketAddress;
import java.text.ParseException;

/**
 * The edits the relay makes to jain-sip-ri's model of an initial request, in one place. jain-sip-ri declares checked
 * exceptions on setters that cannot fail for the values the relay passes (its own identifiers); those become
 * {@link IllegalStateException}, a bug, which the shard's guard counts.
 */
final class MessageEdits {
    private MessageEdits() { }

    /** RFC 3261 §18.2.1 and RFC 3581 §4: note where the request really came from in the topmost Via. */
    static void markReceived(SIPRequest request, InetSocketAddress source) {
        Via top = request.getTopmostVia();
        if (top == null) {
            return;
        }
        String sourceHost = source.getAddress().getHostAddress();
        try {
            if (!sourceHost.equals(top.getHost())) {
                top.setReceived(sourceHost);
            }
            if (top.hasParameter("rport")) {
                top.setParameter("rport", Integer.toString(source.getPort()));
            }
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Credentials a phone gave for the SBC's own realm: they never travel on. */
    static void removeCredentials(SIPRequest request) {
        request.removeHeader("Authorization");
        request.removeHeader("Proxy-Authorization");
    }

    static void setCallId(SIPMessage message, String callId) {
        try {
            message.setCallId(callId);
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }
}
