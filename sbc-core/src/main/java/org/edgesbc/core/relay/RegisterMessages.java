package org.edgesbc.core.relay;

import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.address.SipUri;
import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.ContactList;
import gov.nist.javax.sip.header.Expires;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.MaxForwards;
import gov.nist.javax.sip.header.MinExpires;
import gov.nist.javax.sip.header.Require;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.MessageFactoryImpl;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.text.ParseException;
import java.util.List;
import javax.sip.InvalidArgumentException;
import javax.sip.address.URI;
import javax.sip.header.ExpiresHeader;
import javax.sip.message.Request;
import org.edgesbc.core.registrar.Binding;
import org.edgesbc.core.registrar.PbxRegistrationClient;
import org.edgesbc.core.registrar.RegisterResult;

/**
 * The REGISTER messages the SBC writes itself: its own registration of an address-of-record at the PBX (with the
 * SBC as contact, so the PBX never learns a phone's address), and its answers to phones (RFC 3261 §10.3 step 8:
 * a 200 lists every current binding with its expiry).
 */
final class RegisterMessages {
    /** Seconds a 503 asks a phone to wait (the binding table is full or the PBX registration is congested). */
    private static final int RETRY_AFTER_SECONDS = 30;

    private RegisterMessages() { }

    /**
     * The SBC's REGISTER for {@code aor} at the PBX: To and From name the AOR at the PBX's host, the Contact is the
     * SBC with the AOR as its user (the PBX's calls to it come back to the SBC as requests for that user). The Via
     * is a placeholder the relay replaces.
     */
    static SIPRequest pbxRegister(TopologyHiding topology, RelaySettings.ZonePeer pbx, String aor, String callId,
            String fromTag, long cseq, long expires) {
        try {
            String pbxHost = pbx.address().getAddress().getHostAddress();
            SipUri target = new SipUri();
            target.setHost(pbxHost);
            target.setPort(pbx.address().getPort());
            if (pbx.transport() != org.edgesbc.transport.SipTransport.UDP) {
                target.setTransportParam(pbx.transport().name().toLowerCase(java.util.Locale.ROOT));
            }
            From from = new From();
            from.setAddress(aorAddress(aor, pbxHost));
            from.setTag(fromTag);
            To to = new To();
            to.setAddress(aorAddress(aor, pbxHost));
            Via placeholder = topology.via(pbx.transport(), "z9hG4bK-placeholder");
            SIPRequest register = (SIPRequest) new MessageFactoryImpl().createRequest(target, Request.REGISTER,
                    new CallID(callId), new CSeq(cseq, Request.REGISTER), from, to, List.of(placeholder),
                    new MaxForwards(70));
            SipUri sbc = topology.sbcUriOf(pbx.transport());
            sbc.setUser(aor);
            AddressImpl contactAddress = new AddressImpl();
            contactAddress.setAddess(sbc);
            Contact contact = new Contact();
            contact.setAddress(contactAddress);
            register.setHeader(contact);
            Expires header = new Expires();
            header.setExpires((int) expires);
            register.setHeader(header);
            return register;
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalStateException("cannot build the REGISTER of " + aor, e);
        }
    }

    private static AddressImpl aorAddress(String aor, String host) throws ParseException {
        SipUri uri = new SipUri();
        uri.setUser(aor);
        uri.setHost(host);
        AddressImpl address = new AddressImpl();
        address.setAddess(uri);
        return address;
    }

    /**
     * What the PBX answered: its status, the expiry it granted (our Contact's expires parameter, else its Expires
     * header; 0 when it gave neither) and, for 423, its Min-Expires.
     */
    static PbxRegistrationClient.Answer pbxAnswer(SIPResponse response) {
        long expires = 0;
        ContactList contacts = response.getContactHeaders();
        if (contacts != null) {
            for (Contact contact : contacts) {
                if (contact.getExpires() >= 0) {
                    expires = contact.getExpires();
                    break;
                }
            }
        }
        ExpiresHeader header = response.getExpires();
        if (expires == 0 && header != null) {
            expires = header.getExpires();
        }
        MinExpires min = (MinExpires) response.getHeader(MinExpires.NAME);
        return new PbxRegistrationClient.Answer(response.getStatusCode(), expires, min == null ? 0 : min.getExpires());
    }

    /** The answer to a phone's REGISTER, built on the phone's own request (its Via, From, To, Call-ID, CSeq). */
    static SIPResponse phoneAnswer(SIPRequest register, RegisterResult result, String toTag, String reason) {
        SIPResponse response = reason == null ? register.createResponse(result.status())
                : register.createResponse(result.status(), reason);
        try {
            response.getTo().setTag(toTag);
            if (result.status() == 200) {
                for (Binding binding : result.bindings()) {
                    AddressImpl address = new AddressImpl();
                    address.setAddess((URI) binding.contact().clone());
                    Contact contact = new Contact();
                    contact.setAddress(address);
                    contact.setExpires((int) binding.secondsLeft(result.now()));
                    response.addHeader(contact);
                }
                if (result.flowTimer() > 0) {
                    // RFC 5626 §5.4: how often the phone should ping the connection it registered over.
                    response.setHeader(new Require("outbound"));
                    response.setHeader(new gov.nist.javax.sip.header.HeaderFactoryImpl()
                            .createHeader("Flow-Timer", Long.toString(result.flowTimer())));
                }
            } else if (result.status() == 423) {
                MinExpires min = new MinExpires();
                min.setExpires((int) result.minExpires());
                response.setHeader(min);
            } else if (result.status() == 503) {
                RetryAfter retryAfter = new RetryAfter();
                retryAfter.setRetryAfter(RETRY_AFTER_SECONDS);
                response.setHeader(retryAfter);
            }
        } catch (ParseException | InvalidArgumentException e) {
            throw new IllegalStateException("cannot answer a REGISTER", e);
        }
        return response;
    }
}
