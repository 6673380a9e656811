package org.edgesbc.transport;

import org.edgesbc.transport.message.HeaderIndex;

/**
 * A message that passed admission and the strict gate, with the few facts the gate already extracted so that the
 * relay can route it to the thread owning its dialog without parsing it; the relay reads it on that thread.
 *
 * @param flow the flow it arrived on; responses to a request go back over it
 * @param zone the zone admission assigned to the source
 * @param bytes the complete message (start line, headers, body), exactly as gated
 * @param headers where the gate found its header lines, for the relay's reader; null to have it find them
 * @param request true for requests, false for responses
 * @param method the request method, or for a response the method of its CSeq
 * @param statusCode the response status, 0 for requests
 * @param callId the Call-ID value, trimmed
 * @param receivedNanos {@link System#nanoTime()} when the last byte arrived; used to shed work that waited too long
 */
public record InboundSipMessage(
        SipFlow flow,
        String zone,
        byte[] bytes,
        HeaderIndex headers,
        boolean request,
        String method,
        int statusCode,
        String callId,
        long receivedNanos) {
}
