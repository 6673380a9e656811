package org.edgesbc.core.registrar;

import java.time.Instant;
import javax.sip.address.URI;
import org.edgesbc.transport.SipFlow;

/**
 * One contact of an address-of-record, as the phone registered it and as the SBC reaches it: requests toward the
 * phone carry {@link #contact} as their Request-URI but travel over {@link #flow}, the path the REGISTER arrived on
 * (the same TCP/TLS connection, or the same UDP 5-tuple as seen behind NAT), never to the host the Contact names.
 * Immutable: a refresh replaces the binding.
 *
 * @param aor the address-of-record: the authenticated user
 * @param key what identifies the binding within its AOR (RFC 5626 instance and reg-id, else the contact URI)
 * @param contact the Contact URI as the phone wrote it; shared, so callers clone it before changing anything
 * @param flow where the phone is reached
 * @param zone the access zone it registered from
 * @param callId Call-ID of the REGISTER that made or refreshed it (RFC 3261 §10.3 step 7 ordering)
 * @param cseq CSeq of that REGISTER
 * @param registered when the binding was first made
 * @param expires when it ends unless refreshed
 */
public record Binding(String aor, String key, URI contact, SipFlow flow, String zone, String callId, long cseq,
        Instant registered, Instant expires) {

    /** Whole seconds left until expiry, never negative. */
    public long secondsLeft(Instant now) {
        return Math.max(0, java.time.Duration.between(now, expires).toSeconds());
    }
}
