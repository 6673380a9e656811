package org.edgesbc.core.relay;

import gov.nist.javax.sip.header.SIPHeader;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Consumer;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.header.HeaderAddress;
import org.edgesbc.core.identity.CallerIdentityService;
import org.edgesbc.policy.identity.AttestationRules;
import org.edgesbc.transport.InboundSipMessage;
import org.edgesbc.transport.message.SplicedRequest;

/**
 * STIR/SHAKEN's part in the relay: which caller identity an INVITE claims (P-Asserted-Identity, else From), the
 * Identity headers as they arrived, the verdict written into the caller's identity toward the PBX as
 * {@code verstat} (3GPP TS 24.229 §5.7.1.20), and the Identity header added to an INVITE leaving through a signing
 * trunk. The decisions are {@link CallerIdentityService}'s.
 */
final class CallerIdentityStep {
    /** RFC 8224 §4: the header, and its compact form. */
    private static final String IDENTITY = "Identity";
    private static final String IDENTITY_COMPACT = "y";
    private static final String ASSERTED = "P-Asserted-Identity";

    private final CallerIdentityService identity;

    CallerIdentityStep(CallerIdentityService identity) {
        this.identity = identity;
    }

    java.time.Duration longestWait() {
        return identity.longestWait();
    }

    boolean verifies(String zone) {
        return identity.verifies(zone) != null;
    }

    /** Verifies an INVITE from a verifying zone; {@code answer} may run on another thread (see the service). */
    void verify(InboundSipMessage in, SplicedRequest invite, Consumer<CallerIdentityService.Verdict> answer) {
        identity.verify(in.zone(), in.flow().remote().getAddress(), identityHeaders(in.bytes()),
                numberOf(callerUri(invite)), numberOf(invite.requestUri()), answer);
    }

    /**
     * Passes the verdict on toward the PBX: the Identity headers stay at the edge, the caller's From and
     * P-Asserted-Identity carry the verstat.
     */
    void present(SplicedRequest invite, CallerIdentityService.Verdict verdict) {
        // The compact form (y) goes with it.
        invite.removeHeader(IDENTITY);
        markVerstat(invite.fromAddress().getURI(), verdict.verstat());
        for (SIPHeader asserted : invite.models(ASSERTED)) {
            if (asserted instanceof HeaderAddress header) {
                markVerstat(header.getAddress().getURI(), verdict.verstat());
            }
        }
    }

    /**
     * Signs an INVITE leaving through {@code zone} when that zone signs; the signature, when there is one, for the
     * call's record.
     *
     * @param user the account the SBC authenticated the caller as, or null
     * @param fromAccessZone whether the caller is a phone of an access zone
     * @param fromPbx whether the call comes from the PBX
     */
    Optional<CallerIdentityService.Signature> sign(SplicedRequest invite, String zone, String user,
            boolean fromAccessZone, boolean fromPbx) {
        if (!identity.signs(zone)) {
            return Optional.empty();
        }
        String account = user != null ? user : TopologyHiding.userOf(invite.fromAddress().getURI());
        Optional<CallerIdentityService.Signature> signature = identity.sign(new AttestationRules.Facts(user != null,
                account, null, fromPbx, fromAccessZone), numberOf(callerUri(invite)),
                numberOf(invite.requestUri()));
        signature.ifPresent(signed -> {
            invite.removeHeader(IDENTITY);
            invite.addHeader(IDENTITY, signed.identityHeader());
        });
        return signature;
    }

    /** The caller's identity: the first P-Asserted-Identity (RFC 3325, set by a trusted peer), else From. */
    private static URI callerUri(SplicedRequest request) {
        List<SIPHeader> asserted = request.models(ASSERTED);
        if (!asserted.isEmpty() && asserted.get(0) instanceof HeaderAddress header) {
            return header.getAddress().getURI();
        }
        return request.fromAddress().getURI();
    }

    /** The telephone number a URI names: a tel: URI's number, or a sip: URI's user part without parameters. */
    private static String numberOf(URI uri) {
        if (uri instanceof TelURL tel) {
            return (tel.isGlobal() ? "+" : "") + tel.getPhoneNumber();
        }
        if (uri instanceof SipURI sip && sip.getUser() != null) {
            String user = sip.getUser();
            int parameters = user.indexOf(';');
            return parameters < 0 ? user : user.substring(0, parameters);
        }
        return "";
    }

    /** Puts {@code ;verstat=...} in the user part of a caller's SIP URI, replacing one already there. */
    private static void markVerstat(URI uri, String verstat) {
        if (!(uri instanceof SipURI sip) || sip.getUser() == null) {
            return;
        }
        try {
            sip.setUser(numberOf(sip) + ";verstat=" + verstat);
        } catch (ParseException e) {
            throw new IllegalStateException("cannot mark the caller's identity", e);
        }
    }

    /**
     * Every Identity header value of a gated message, in order, from its bytes as received: the PASSporT is
     * checked over exactly these characters (RFC 8225 §5.2), never over a re-encoding.
     */
    static List<String> identityHeaders(byte[] message) {
        List<String> values = new ArrayList<>(1);
        int pos = 0;
        int length = message.length;
        // Skip the start line; the gate guarantees CRLF line ends and joined folded lines.
        while (pos + 1 < length && !(message[pos] == '\r' && message[pos + 1] == '\n')) {
            pos++;
        }
        pos += 2;
        while (pos + 1 < length && !(message[pos] == '\r' && message[pos + 1] == '\n')) {
            int end = pos;
            while (end + 1 < length && !(message[end] == '\r' && message[end + 1] == '\n')) {
                end++;
            }
            int colon = pos;
            while (colon < end && message[colon] != ':') {
                colon++;
            }
            String name = new String(message, pos, colon - pos, StandardCharsets.US_ASCII).trim()
                    .toLowerCase(Locale.ROOT);
            if (colon < end && (name.equals("identity") || name.equals(IDENTITY_COMPACT))) {
                values.add(new String(message, colon + 1, end - colon - 1, StandardCharsets.UTF_8).trim());
            }
            pos = end + 2;
        }
        return values;
    }
}
