package org.edgesbc.core.relay;

import gov.nist.javax.sip.message.SIPResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.edgesbc.transport.message.NameAddress;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;

/**
 * Responses the SBC makes itself (RFC 3261 §8.2.6: refusals, challenges, 100 Trying, OPTIONS pings to the SBC,
 * CANCEL answers), written straight from the request's own header values: its Vias as marked on arrival, From, To
 * with a tag of the SBC's on finals, Call-ID and CSeq. Nothing of the request beyond those is echoed, so they hide
 * nothing and need no stripping.
 */
final class LocalResponses {
    /** Seconds a 503 asks the sender to wait (RFC 3261 §21.5.4, RFC 7339 §3). */
    static final int OVERLOAD_RETRY_AFTER_SECONDS = 5;
    private static final String OPTIONS_HEADERS = "Allow: INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, PRACK, INFO, REFER,"
            + " MESSAGE, NOTIFY, SUBSCRIBE\r\nAccept: application/sdp\r\n";

    private final SipIdentifiers ids;
    private final RelayMetrics metrics;

    LocalResponses(SipIdentifiers ids, RelayMetrics metrics) {
        this.ids = ids;
        this.metrics = metrics;
    }

    /** A response of the SBC's own to {@code request}, counted: a To-tag on finals, Retry-After on 503. */
    byte[] create(InboundRequest request, int status) {
        return create(request, status, reasonOf(status), Map.of());
    }

    /** 503 Service Unavailable asking the sender to wait {@code retryAfterSeconds} (RFC 3261 §21.5.4). */
    byte[] unavailable(InboundRequest request, long retryAfterSeconds) {
        return create(request, 503, reasonOf(503), Map.of("Retry-After", List.of(Long.toString(retryAfterSeconds))));
    }

    /** A response with its own reason phrase (RFC 8224's "Stale Date", for one). */
    byte[] create(InboundRequest request, int status, String reason) {
        return create(request, status, reason, Map.of());
    }

    /**
     * A response carrying exactly the given headers besides the usual ones (a challenge offers one
     * WWW-Authenticate per digest algorithm, RFC 7616 §3.7; the policy's 503 its Retry-After).
     */
    byte[] create(InboundRequest request, int status, Map<String, List<String>> headers) {
        return create(request, status, reasonOf(status), headers);
    }

    private byte[] create(InboundRequest request, int status, String reason, Map<String, List<String>> headers) {
        StringBuilder extra = new StringBuilder();
        headers.forEach((name, values) -> values.forEach(value -> extra.append(name).append(": ").append(value)
                .append("\r\n")));
        if (status == 503 && !headers.containsKey("Retry-After")) {
            extra.append("Retry-After: ").append(OVERLOAD_RETRY_AFTER_SECONDS).append("\r\n");
        }
        return create(request, status, reason, extra);
    }

    /**
     * A response carrying header lines its caller wrote whole, each ending in CRLF (the registrar's Contact list,
     * its own Retry-After); nothing is added to them.
     */
    byte[] create(InboundRequest request, int status, String reason, CharSequence headerLines) {
        metrics.localResponse(status);
        return response(request.view(), request.vias(), status, reason, status >= 200 ? ids.newTag() : null,
                headerLines);
    }

    void respond(InboundRequest request, int status) {
        request.flow().send(create(request, status));
    }

    /** An OPTIONS ping to the SBC itself (a peer's health probe): 200 with what the SBC relays. */
    void answerOptions(InboundRequest options) {
        metrics.localResponse(200);
        options.flow().send(response(options.view(), options.vias(), 200, "OK", ids.newTag(), OPTIONS_HEADERS));
    }

    /**
     * The answer the far side would have given to a request the SBC sent, made up when it gave none in time (408)
     * or when a cancelled call's 487 never came; the dialog layer relays it like a real one.
     */
    SipMessageView asIfFromFarSide(SipMessageView sent, int status) {
        metrics.localResponse(status);
        String via = "Via: " + sent.headers(SipHeaderName.VIA).get(0) + "\r\n";
        return OwnMessages.read(response(sent, via, status, reasonOf(status), ids.newTag(), ""));
    }

    /**
     * RFC 3261 §8.2.6.2: From, Call-ID, CSeq and the Vias of the request, its To with a tag added when the response
     * makes or answers a dialog and the request had none.
     */
    static byte[] response(SipMessageView request, String vias, int status, String reason, String toTag,
            CharSequence extra) {
        NameAddress to = request.to();
        String toValue = request.header(SipHeaderName.TO);
        if (toTag != null && to.tag() == null) {
            toValue = toValue + ";tag=" + toTag;
        }
        StringBuilder out = new StringBuilder(384 + vias.length() + extra.length());
        out.append("SIP/2.0 ").append(status).append(' ').append(reason).append("\r\n").append(vias)
                .append("From: ").append(request.header(SipHeaderName.FROM)).append("\r\n")
                .append("To: ").append(toValue).append("\r\n")
                .append("Call-ID: ").append(request.callId()).append("\r\n")
                .append("CSeq: ").append(request.cseqNumber()).append(' ').append(request.cseqMethod()).append("\r\n")
                .append(extra)
                .append("Content-Length: 0\r\n\r\n");
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The reason phrase RFC 3261 §21 gives a status (jain-sip-ri's table, a lookup, no parsing). */
    static String reasonOf(int status) {
        String reason = SIPResponse.getReasonPhrase(status);
        return reason == null || reason.isEmpty() ? "Unknown" : reason;
    }
}
