package org.edgesbc.core.relay;

import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.message.SIPRequest;
import java.text.ParseException;
import javax.sip.message.Request;
import org.edgesbc.core.security.RequestPolicy;
import org.edgesbc.core.security.Verdict;

/**
 * The edge policy's part in the relay: an out-of-dialog request passes {@link RequestPolicy} before anything else
 * happens to it, and is answered (challenge, refusal) or dropped here when it may not pass. What the SBC learnt by
 * authenticating a phone travels on as an assertion, never as the phone's own credentials.
 */
final class RequestScreening {
    private final RequestPolicy policy;
    private final LocalResponses responses;
    private final TopologyHiding topology;
    private final RelayMetrics metrics;

    RequestScreening(RequestPolicy policy, LocalResponses responses, TopologyHiding topology, RelayMetrics metrics) {
        this.policy = policy;
        this.responses = responses;
        this.topology = topology;
        this.metrics = metrics;
    }

    /**
     * Runs the policy; returns the verdict when the request may pass, or null when it was answered or dropped.
     * Credentials for the SBC's own realm never travel on.
     *
     * @param toSbc whether the SBC answers the request itself (OPTIONS pings need no authentication)
     */
    Verdict screen(InboundRequest in, SIPRequest request, boolean toSbc) {
        Verdict verdict = policy.check(in.zone(), in.flow().remote().getAddress(), request,
                Request.INVITE.equals(request.getMethod()), !toSbc);
        switch (verdict.kind()) {
            case ALLOW -> {
                if (verdict.user() != null) {
                    MessageEdits.removeCredentials(request);
                }
                return verdict;
            }
            case DROP -> {
                metrics.dropped(RelayDropReason.POLICY);
                return null;
            }
            default -> {
                in.flow().send(responses.create(in, verdict.status(), verdict.headers()));
                return null;
            }
        }
    }

    /**
     * Toward the PBX, an authenticated phone's request carries the identity the SBC vouches for (RFC 3325
     * P-Asserted-Identity), never one the phone asserted itself.
     */
    void assertIdentity(SIPRequest request, String user) {
        request.removeHeader("P-Asserted-Identity");
        request.removeHeader("P-Preferred-Identity");
        try {
            request.addHeader(new HeaderFactoryImpl().createHeader("P-Asserted-Identity",
                    "<sip:" + user + "@" + topology.host() + ">"));
        } catch (ParseException e) {
            throw new IllegalStateException("cannot assert the identity of " + user, e);
        }
    }
}
