package org.edgesbc.core.registrar;

import gov.nist.javax.sip.parser.URLParser;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sip.address.URI;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.message.NameAddress;
import org.edgesbc.transport.message.SipGrammar;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;

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

    private static final SipHeaderName EXPIRES = SipHeaderName.of("Expires");
    private static final SipHeaderName SUPPORTED = SipHeaderName.of("Supported");

    /**
     * Reads the REGISTER from the relay's view of it: the Contact values by the view's own grammar (a Contact it
     * cannot read is refused), each contact URI into jain-sip-ri's model, which the binding keeps as the Request-URI
     * of requests toward the phone.
     */
    public static Parsed parse(SipMessageView register, String aor, SipFlow flow, String zone) {
        String expiresHeader = register.header(EXPIRES);
        long headerExpires = SipGrammar.seconds(expiresHeader);
        if (expiresHeader != null && headerExpires < 0) {
            return refuse("Expires is not a number of seconds");
        }
        long defaultExpires = expiresHeader == null ? DEFAULT_EXPIRES : headerExpires;
        List<NameAddress> values = register.contacts();
        if (values == null) {
            return refuse("unreadable Contact");
        }
        List<RequestedContact> contacts = new ArrayList<>(values.size());
        boolean wildcard = false;
        for (NameAddress contact : values) {
            if (contact.isWildcard()) {
                wildcard = true;
                continue;
            }
            if (contacts.size() == MAX_CONTACTS) {
                return refuse("more than " + MAX_CONTACTS + " contacts");
            }
            String expiresParameter = contact.parameter("expires");
            long own = SipGrammar.seconds(expiresParameter);
            if (expiresParameter != null && own < 0) {
                return refuse("Contact expires is not a number of seconds");
            }
            URI uri;
            try {
                uri = new URLParser(contact.uri()).uriReference(true);
            } catch (ParseException | RuntimeException e) {
                // jain-sip-ri refuses some URIs with unchecked exceptions; either way the phone gets a 400.
                return refuse("unreadable Contact URI");
            }
            contacts.add(new RequestedContact(uri, keyOf(contact, uri), own >= 0 ? own : defaultExpires));
        }
        if (wildcard && (!contacts.isEmpty() || headerExpires != 0)) {
            // RFC 3261 §10.3 step 6: "*" only alone and only with Expires: 0.
            return refuse("Contact * needs Expires: 0 and no other contact");
        }
        return new Parsed(new RegisterRequest(aor, register.callId(), register.cseqNumber(), wildcard,
                List.copyOf(contacts), supportsOutbound(register), flow, zone), 200, null);
    }

    private static Parsed refuse(String reason) {
        return new Parsed(null, 400, reason);
    }

    /** RFC 5626 §6: an instance with a reg-id is one flow of one device; otherwise the URI is the binding. */
    private static String keyOf(NameAddress contact, URI uri) {
        String instance = contact.parameter("+sip.instance");
        String regId = contact.parameter("reg-id");
        if (instance != null) {
            return "instance:" + unquoted(instance) + ";reg-id=" + (regId == null ? "" : regId);
        }
        return uri.toString();
    }

    /** A parameter's value as a quoted string carries it (RFC 3261 §25.1), without the quotes. */
    private static String unquoted(String value) {
        return value.length() >= 2 && value.charAt(0) == '"' && value.charAt(value.length() - 1) == '"'
                ? value.substring(1, value.length() - 1) : value;
    }

    private static boolean supportsOutbound(SipMessageView register) {
        for (String value : register.headers(SUPPORTED)) {
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
