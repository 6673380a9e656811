package org.edgesbc.core.relay;

import gov.nist.javax.sip.header.Accept;
import gov.nist.javax.sip.header.Allow;
import gov.nist.javax.sip.header.Contact;
import gov.nist.javax.sip.header.HeaderFactoryImpl;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import java.text.ParseException;
import java.util.List;
import java.util.Map;
import javax.sip.InvalidArgumentException;
import org.edgesbc.transport.SipFlow;

/**
 * Responses the SBC makes itself without a transaction (RFC 3261 §8.2, §16.3: refusals before any state exists,
 * OPTIONS pings to the SBC, CANCEL answers), topology-hidden like every relayed message.
 */
final class LocalResponses {
    /** Seconds a 503 asks the sender to wait (RFC 3261 §21.5.4, RFC 7339 §3). */
    static final int OVERLOAD_RETRY_AFTER_SECONDS = 5;
    private static final String ALLOW =
            "INVITE, ACK, BYE, CANCEL, OPTIONS, UPDATE, PRACK, INFO, REFER, MESSAGE, NOTIFY, SUBSCRIBE";

    private final SipIdentifiers ids;
    private final RelayMetrics metrics;

    LocalResponses(SipIdentifiers ids, RelayMetrics metrics) {
        this.ids = ids;
        this.metrics = metrics;
    }

    /** A response of the SBC's own to {@code request}: a To-tag on finals, Retry-After on 503. */
    SIPResponse create(SIPRequest request, int status) {
        return status == 503 ? unavailable(request, OVERLOAD_RETRY_AFTER_SECONDS) : tagged(request, status);
    }

    /** 503 Service Unavailable asking the sender to wait {@code retryAfterSeconds} (RFC 3261 §21.5.4). */
    SIPResponse unavailable(SIPRequest request, long retryAfterSeconds) {
        SIPResponse response = tagged(request, 503);
        RetryAfter retryAfter = new RetryAfter();
        try {
            retryAfter.setRetryAfter((int) Math.min(Integer.MAX_VALUE, retryAfterSeconds));
        } catch (InvalidArgumentException e) {
            throw new IllegalStateException(e);
        }
        response.setHeader(retryAfter);
        return response;
    }

    /** A response with its own reason phrase (RFC 8224's "Stale Date", for one). */
    SIPResponse create(SIPRequest request, int status, String reason) {
        SIPResponse response = create(request, status);
        response.setReasonPhrase(reason);
        return response;
    }

    /** A response carrying exactly the given headers besides the usual ones (a challenge, the policy's 503). */
    SIPResponse create(SIPRequest request, int status, Map<String, List<String>> headers) {
        SIPResponse response = tagged(request, status);
        HeaderFactoryImpl factory = new HeaderFactoryImpl();
        headers.forEach((name, values) -> values.forEach(value -> {
            try {
                // addHeader: a challenge offers one WWW-Authenticate per digest algorithm (RFC 7616 §3.7).
                response.addHeader(factory.createHeader(name, value));
            } catch (ParseException e) {
                throw new IllegalStateException("cannot build " + name, e);
            }
        }));
        return response;
    }

    private SIPResponse tagged(SIPRequest request, int status) {
        SIPResponse response = request.createResponse(status);
        if (status >= 200 && response.getToTag() == null) {
            MessageEdits.setTag((To) response.getTo(), ids.newTag());
        }
        return response;
    }

    void respond(SipFlow flow, SIPRequest request, int status) {
        send(flow, create(request, status));
    }

    void send(SipFlow flow, SIPResponse response) {
        flow.send(encode(flow, response));
    }

    /** A local response as bytes for {@code flow}, counted; no Contact (it names no target) and nothing to hide. */
    byte[] encode(SipFlow flow, SIPResponse response) {
        response.removeHeader(Contact.NAME);
        TopologyHiding.strip(response);
        metrics.localResponse(response.getStatusCode());
        return response.encodeAsBytes(flow.transport().viaToken());
    }

    /** An OPTIONS ping to the SBC itself (a peer's health probe): 200 with what the SBC relays. */
    void answerOptions(SipFlow flow, SIPRequest options) {
        SIPResponse response = create(options, 200);
        response.setHeader(new Allow(ALLOW));
        Accept accept = new Accept();
        accept.setContentType("application");
        accept.setContentSubType("sdp");
        response.setHeader(accept);
        send(flow, response);
    }
}
