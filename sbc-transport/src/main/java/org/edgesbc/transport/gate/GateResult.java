package org.edgesbc.transport.gate;

import org.edgesbc.transport.GateRejection;

/**
 * What the strict gate found in one message: either a rejection reason, a keep-alive, or the facts the relay routes
 * by. For a rejected request whose identifying headers were intact, {@link #replyHeaders} holds them verbatim
 * (Via lines, From, To, Call-ID, CSeq, each ending in CRLF) so that a 400 can be built without parsing.
 */
public record GateResult(
        GateRejection rejection,
        boolean keepAlive,
        boolean request,
        String method,
        int statusCode,
        String callId,
        String replyHeaders) {

    static final GateResult KEEP_ALIVE = new GateResult(null, true, false, null, 0, null, null);

    static GateResult rejected(GateRejection reason, boolean request, String replyHeaders) {
        return new GateResult(reason, false, request, null, 0, null, replyHeaders);
    }

    public boolean accepted() {
        return rejection == null && !keepAlive;
    }
}
