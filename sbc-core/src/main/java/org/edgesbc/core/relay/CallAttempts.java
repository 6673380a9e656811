package org.edgesbc.core.relay;

import org.edgesbc.transport.message.SipMessageView;

/**
 * The targets an INVITE may still try after the one it was sent to (RFC 3261 §16.6 serial forking, as a B2BUA):
 * the route's targets in order, and the request as it left for the first one (rewritten per attempt: Request-URI,
 * To host, Call-ID). Owned by the relay shard of the INVITE's server transaction.
 */
final class CallAttempts {
    final CallRouter.PeerRoute route;
    /** The first attempt's request before its Via, and its anchored SDP (null when the INVITE carried none). */
    SipMessageView template;
    byte[] body;
    private int next = 1;

    CallAttempts(CallRouter.PeerRoute route) {
        this.route = route;
    }

    /** Keeps what every later attempt is written from. */
    void keep(SipMessageView sent, byte[] anchoredBody) {
        this.template = sent;
        this.body = anchoredBody;
    }

    /** The next target whose peer is up, or null when none is left. */
    CallRouter.Target nextTarget(PeerHealth health) {
        while (next < route.targets().size()) {
            CallRouter.Target target = route.targets().get(next++);
            if (health.isUp(target.peer())) {
                return target;
            }
        }
        return null;
    }
}
