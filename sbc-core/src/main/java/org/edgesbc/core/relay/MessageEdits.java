package org.edgesbc.core.relay;

import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import java.text.ParseException;

/**
 * The edits the relay makes to jain-sip-ri's model of an initial request, in one place. jain-sip-ri declares checked
 * exceptions on setters that cannot fail for the values the relay passes (its own identifiers); those become
 * {@link IllegalStateException}, a bug, which the shard's guard counts.
 */
final class MessageEdits {
    private MessageEdits() { }

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
