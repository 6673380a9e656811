package org.edgesbc.core.relay;

import java.util.List;
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
                long value = SipGrammar.seconds(contact.isWildcard() ? null : contact.parameter("expires"));
                if (value >= 0) {
                    expires = value;
                    break;
                }
            }
        }
        long header = SipGrammar.seconds(response.header("Expires"));
        if (expires == 0 && header >= 0) {
            expires = header;
        }
        long min = SipGrammar.seconds(response.header("Min-Expires"));
        return new PbxRegistrationClient.Answer(response.statusCode(), expires, Math.max(0, min));
    }

    /**
     * The headers of the answer to a phone's REGISTER besides those every response carries (RFC 3261 §10.3 step 8:
     * a 200 lists every current binding with its expiry; §21.4.17 and §21.5.4 for 423 and 503).
     */
    static String phoneAnswerHeaders(RegisterResult result) {
        StringBuilder out = new StringBuilder(64 + 96 * result.bindings().size());
        if (result.status() == 200) {
            for (Binding binding : result.bindings()) {
                out.append("Contact: <").append(binding.contact()).append(">;expires=")
                        .append(binding.secondsLeft(result.now())).append("\r\n");
            }
            if (result.flowTimer() > 0) {
                // RFC 5626 §5.4: how often the phone should ping the connection it registered over.
                out.append("Require: outbound\r\nFlow-Timer: ").append(result.flowTimer()).append("\r\n");
            }
        } else if (result.status() == 423) {
            out.append("Min-Expires: ").append(result.minExpires()).append("\r\n");
        } else if (result.status() == 503) {
            out.append("Retry-After: ").append(RETRY_AFTER_SECONDS).append("\r\n");
        }
        return out.toString();
    }
}
