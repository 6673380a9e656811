package org.edgesbc.core.relay;

import java.util.List;
import org.edgesbc.core.RateLimitedLog;
import org.edgesbc.policy.auth.DigestClient;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * Answers a peer's 401 or 407 to a request the SBC sent toward a zone where it holds an account (RFC 3261 §8.1.3.5,
 * §22.2, §22.3): the request goes again, with the credentials and CSeq + 1, under a new client transaction of the
 * same branch and on the same leg, so the requester sees one request and one answer. The leg remembers that its
 * CSeq numbers are now ahead of the requester's ({@link Leg#cseqOffset}); responses carry the requester's own CSeq
 * back. A challenge the zone's {@link DigestClient} cannot or must not answer (the same nonce refused again, no
 * usable challenge) goes on to the requester like any failure: never a loop.
 *
 * <p>Only branches toward a zone with an account keep the request they sent after its final response. Owned by one
 * relay shard.
 */
final class ChallengeAnswering {
    private static final SipHeaderName WWW_AUTHENTICATE = SipHeaderName.of("WWW-Authenticate");
    private static final SipHeaderName PROXY_AUTHENTICATE = SipHeaderName.of("Proxy-Authenticate");
    static final SipHeaderName AUTHORIZATION = SipHeaderName.of("Authorization");
    static final SipHeaderName PROXY_AUTHORIZATION = SipHeaderName.of("Proxy-Authorization");

    /** The challenges of a 401 or 407 (RFC 3261 §22.1, §22.3). */
    static List<String> challengesOf(SipMessageView response) {
        return response.headers(response.statusCode() == 401 ? WWW_AUTHENTICATE : PROXY_AUTHENTICATE);
    }

    /** The header answering a 401 (Authorization) or a 407 (Proxy-Authorization). */
    static SipHeaderName credentialsHeaderFor(int status) {
        return status == 401 ? AUTHORIZATION : PROXY_AUTHORIZATION;
    }

    private final TransactionLayer transactions;
    private final PeerAccounts accounts;
    private final RateLimitedLog log;

    ChallengeAnswering(TransactionLayer transactions, PeerAccounts accounts, RateLimitedLog log) {
        this.transactions = transactions;
        this.accounts = accounts;
        this.log = log;
    }

    /** Keeps the request a branch just sent when its zone may challenge it. */
    void sent(RelayedBranch branch, String zone) {
        if (accounts.client(zone) != null) {
            branch.sent = branch.client.request;
        }
    }

    /**
     * Sends the branch's request again with credentials when {@code response} is a challenge the SBC answers.
     *
     * @return true when the request went again (the response goes no further); false when it is relayed as it is
     */
    boolean answered(RelayedBranch branch, ClientTransaction client, SipMessageView response) {
        int status = response.statusCode();
        SipMessageView sent = branch.sent;
        if ((status != 401 && status != 407) || sent == null || !client.method.equals(sent.method())) {
            return false;
        }
        String zone = client.targetZone;
        if (branch.request != null && branch.request.cancelled) {
            return false;
        }
        DigestClient digest = accounts.client(zone);
        DigestClient.Answer answer = digest.answer(challengesOf(response), sent.method(), sent.requestUri(),
                branch.answeredNonce);
        accounts.metrics().outboundAuth(zone, answer.status());
        if (answer.status() != DigestClient.Status.ANSWERED) {
            log.warn("outbound-auth-" + zone, "zone {} answered a {} with {}: credentials {} (passed on to the "
                    + "requester)", zone, sent.method(), status, answer.status() == DigestClient.Status.REFUSED
                    ? "refused" : "cannot answer its challenge");
            branch.sent = null;
            return false;
        }
        long cseq = sent.cseqNumber() + 1;
        SipMessageWriter again = SipMessageWriter.edit(sent)
                .set(SipHeaderName.CSEQ, cseq + " " + sent.method())
                .set(credentialsHeaderFor(status), answer.header());
        Leg leg = branch.target;
        if (leg != null) {
            leg.cseqOffset++;
            leg.highestCSeqSent = Math.max(leg.highestCSeqSent, cseq);
        }
        branch.answeredNonce = answer.nonce();
        branch.client = transactions.send(again, client.flow, zone, branch, client.bounded);
        branch.sent = branch.client.request;
        return true;
    }
}
