package org.edgesbc.core.registrar;

import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.ContactList;
import gov.nist.javax.sip.message.SIPRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.Header;
import org.edgesbc.transport.SipFlow;

/**
 * The facts of an authenticated phone's REGISTER the registrar acts on, read once on the relay thread that parsed
 * it (RFC 3261 §10.3 steps 6 and 7).
 *
 * @param aor the address-of-record (the authenticated user, which the policy checked against the To header)
 * @param callId the REGISTER's Call-ID
 * @param cseq its CSeq number
 * @param wildcard {@code Contact: *} with {@code Expires: 0}: remove every binding of the AOR
 * @param contacts the contacts to add, refresh or remove; empty with {@code wildcard} false is a query
 * @param outbound the phone supports RFC 5626 outbound (it will send keep-alives when given a Flow-Timer)
 * @param flow where it came from
 * @param zone its access zone
 */
public record RegisterRequest(String aor, String callId, long cseq, boolean wildcard, List<RequestedContact> contacts,
        boolean outbound, SipFlow flow, String zone) {

    /** RFC 3261 §10.2.1.1: a registration without any expiry asks for an hour. */
    static final long DEFAULT_EXPIRES = 3600;
    /** Contacts read from one REGISTER; the gate's header limit already bounds them, this bounds comma lists. */
    static final int MAX_CONTACTS = 32;

    /** What reading the REGISTER gave: the request, or the status (400) to refuse it with. */
    public record Parsed(RegisterRequest request, int status, String reason) { }

    public static Parsed parse(SIPRequest register, String aor, SipFlow flow, String zone) {
        ExpiresHeader expiresHeader = register.getExpires();
        long defaultExpires = expiresHeader == null ? DEFAULT_EXPIRES : expiresHeader.getExpires();
        ContactList list = register.getContactHeaders();
        List<RequestedContact> contacts = new ArrayList<>();
        boolean wildcard = false;
        if (list != null) {
            for (Contact contact : list) {
                if (contact.isWildCard()) {
                    wildcard = true;
                    continue;
                }
                if (contact.getAddress() == null || contact.getAddress().getURI() == null) {
                    return refuse("Contact without a URI");
                }
                if (contacts.size() == MAX_CONTACTS) {
                    return refuse("more than " + MAX_CONTACTS + " contacts");
                }
                int own = contact.getExpires();
                contacts.add(new RequestedContact(contact.getAddress().getURI(), keyOf(contact),
                        own >= 0 ? own : defaultExpires));
            }
        }
        if (wildcard && (!contacts.isEmpty() || expiresHeader == null || expiresHeader.getExpires() != 0)) {
            // RFC 3261 §10.3 step 6: "*" only alone and only with Expires: 0.
            return refuse("Contact * needs Expires: 0 and no other contact");
        }
        return new Parsed(new RegisterRequest(aor, register.getCallId().getCallId(),
                register.getCSeq().getSeqNumber(), wildcard, List.copyOf(contacts), supportsOutbound(register), flow,
                zone), 200, null);
    }

    private static Parsed refuse(String reason) {
        return new Parsed(null, 400, reason);
    }

    /** RFC 5626 §6: an instance with a reg-id is one flow of one device; otherwise the URI is the binding. */
    private static String keyOf(Contact contact) {
        String instance = contact.getParameter("+sip.instance");
        String regId = contact.getParameter("reg-id");
        if (instance != null) {
            return "instance:" + instance + ";reg-id=" + (regId == null ? "" : regId);
        }
        return contact.getAddress().getURI().toString();
    }

    private static boolean supportsOutbound(SIPRequest register) {
        ListIterator<?> supported = register.getHeaders("Supported");
        while (supported != null && supported.hasNext()) {
            Header header = (Header) supported.next();
            String value = header instanceof gov.nist.javax.sip.header.SIPHeader sip ? sip.getHeaderValue() : "";
            for (String option : value.split(",")) {
                if (option.trim().toLowerCase(Locale.ROOT).equals("outbound")) {
                    return true;
                }
            }
        }
        return false;
    }

    boolean query() {
        return !wildcard && contacts.isEmpty();
    }
}
