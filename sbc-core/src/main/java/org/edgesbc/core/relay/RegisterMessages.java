package org.edgesbc.core.relay;

import gov.nist.javax.sip.address.AddressImpl;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.MinExpires;
import gov.nist.javax.sip.header.Require;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.List;
import javax.sip.InvalidArgumentException;
import javax.sip.address.URI;
import org.edgesbc.core.registrar.Binding;
import org.edgesbc.core.registrar.PbxRegistrationClient;
import org.edgesbc.core.registrar.RegisterResult;
import org.edgesbc.transport.message.NameAddress;
import org.edgesbc.transport.message.SipGrammar;
import org.edgesbc.transport.message.SipMessageView;

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
     * The SBC's own REGISTER for {@code aor} at a peer (a phone's AOR at the PBX, the SBC's account at a trunk): To
     * and From name the AOR at the peer's host, the Contact is the SBC with the AOR as its user (the peer's calls to
     * it come back to the SBC as requests for that user). The Via is a placeholder the transaction layer replaces.
     */
    static SipMessageView registerAt(TopologyHiding topology, RelaySettings.ZonePeer peer, String aor, String callId,
            String fromTag, long cseq, long expires) {
        String peerHost = PeerDirectory.hostText(peer.address().getAddress());
        String aorUri = "<sip:" + aor + "@" + peerHost + ">";
        return OwnMessages.request("REGISTER", PeerDirectory.peerUri(null, peer).toString(),
                topology.via(peer.transport(), "z9hG4bK-placeholder"), aorUri + ";tag=" + fromTag, aorUri, callId,
                cseq, "Contact: <" + topology.uriText(aor, peer.transport()) + ">\r\nExpires: " + expires + "\r\n");
    }

    /**
     * What the peer answered one of the SBC's own REGISTERs: its status, the expiry it granted (our Contact's expires
     * parameter, else its Expires header; 0 when it gave neither) and, for 423, its Min-Expires.
     */
    static PbxRegistrationClient.Answer registerAnswer(SipMessageView response) {
        long expires = 0;
        List<NameAddress> contacts = response.contacts();
        if (contacts != null) {
            for (NameAddress contact : contacts) {
                long value = seconds(contact.isWildcard() ? null : contact.parameter("expires"));
                if (value >= 0) {
                    expires = value;
                    break;
                }
            }
        }
        long header = seconds(response.header("Expires"));
        if (expires == 0 && header >= 0) {
            expires = header;
        }
        long min = seconds(response.header("Min-Expires"));
        return new PbxRegistrationClient.Answer(response.statusCode(), expires, Math.max(0, min));
    }

    /** A delta-seconds value (RFC 3261 §25.1), or -1 when absent or not one. */
    private static long seconds(String value) {
        if (value == null) {
            return -1;
        }
        byte[] digits = value.trim().getBytes(StandardCharsets.US_ASCII);
        return SipGrammar.number(digits, 0, digits.length);
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
