package org.edgesbc.core.relay;

import javax.sip.message.Request;
import org.edgesbc.core.security.RequestPolicy;
import org.edgesbc.core.security.Verdict;
import org.edgesbc.transport.message.SplicedRequest;

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
    Verdict screen(InboundRequest in, SplicedRequest request, boolean toSbc) {
        Verdict verdict = policy.check(in.zone(), in.flow().remote().getAddress(), request,
                Request.INVITE.equals(request.method()), !toSbc);
        switch (verdict.kind()) {
            case ALLOW -> {
                if (verdict.user() != null) {
                    // Credentials a phone gave for the SBC's own realm never travel on.
                    request.removeHeader("Authorization");
                    request.removeHeader("Proxy-Authorization");
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
    void assertIdentity(SplicedRequest request, String user) {
        request.removeHeader("P-Asserted-Identity");
        request.removeHeader("P-Preferred-Identity");
        request.addHeader("P-Asserted-Identity", "<sip:" + user + "@" + topology.host() + ">");
    }
}
