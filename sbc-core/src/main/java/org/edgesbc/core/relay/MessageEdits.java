package org.edgesbc.core.relay;

import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import java.net.InetSocketAddress;
import java.text.ParseException;
import javax.sip.address.URI;
import javax.sip.header.TooManyHopsException;

/**
 * The small edits the relay makes to messages it relays, in one place. jain-sip-ri declares checked exceptions on
 * setters that cannot fail for the values the relay passes (its own identifiers, a decremented counter); those
 * become {@link IllegalStateException}, a bug, which the shard's guard counts.
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

    /** RFC 3261 §16.6 step 3; the caller checked that Max-Forwards is above zero. */
    static void decrementMaxForwards(SIPRequest request) {
        MaxForwards maxForwards = (MaxForwards) request.getHeader(MaxForwards.NAME);
        if (maxForwards == null) {
            return;
        }
        try {
            maxForwards.decrementMaxForwards();
        } catch (TooManyHopsException e) {
            throw new IllegalStateException("Max-Forwards was checked before forwarding", e);
        }
    }

    static void setCallId(SIPMessage message, String callId) {
        try {
            message.setCallId(callId);
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    static void setTag(To to, String tag) {
        try {
            to.setTag(tag);
        } catch (ParseException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The Contact URI of a message, a copy, or null when it has none. */
    static URI contactUri(SIPMessage message) {
        Contact contact = message.getContactHeader();
        return contact == null || contact.getAddress() == null ? null : (URI) contact.getAddress().getURI().clone();
    }
}
