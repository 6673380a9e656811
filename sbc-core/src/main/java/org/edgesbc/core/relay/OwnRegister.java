package org.edgesbc.core.relay;

import java.net.InetAddress;
import java.util.function.Consumer;
import org.edgesbc.policy.auth.DigestClient;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * One REGISTER the SBC sends for itself (a phone's address-of-record at the PBX, its own account at a trunk), as
 * its client transaction's user. A 401 or 407 is answered with the zone's credentials (RFC 3261 §10.2.2, §22.2)
 * under a new transaction with CSeq + 1; a second challenge for the nonce already answered, or one the credentials
 * cannot answer, is the final answer like any failure. Callers number their REGISTERs in steps of two
 * ({@link #wireCSeq}), so the one sent again never takes the number of the next refresh. Owned by one relay shard.
 */
final class OwnRegister implements ClientTransaction.User {
    private final TransactionLayer transactions;
    private final String zone;
    /** The zone's digest client, or null when the SBC holds no account there. */
    private final DigestClient digest;
    private final PeerAccountMetrics metrics;
    private final Consumer<SipMessageView> finalAnswer;
    private final Runnable timeout;
    private SipMessageView sent;
    private String answeredNonce;

    /**
     * @param finalAnswer hears the final response that is not a challenge the SBC answered
     * @param timeout runs when no final response came in time
     */
    OwnRegister(TransactionLayer transactions, String zone, PeerAccounts accounts, Consumer<SipMessageView> finalAnswer,
            Runnable timeout) {
        this.transactions = transactions;
        this.zone = zone;
        this.digest = accounts.client(zone);
        this.metrics = accounts.metrics();
        this.finalAnswer = finalAnswer;
        this.timeout = timeout;
    }

    /** The CSeq number on the wire of a registration's {@code count}th REGISTER. */
    static long wireCSeq(long count) {
        return 2 * count;
    }

    /** Registrations are bounded by the accounts, one at a time each: they do not count against the shard. */
    void send(SipMessageWriter register, SipFlow flow) {
        sent = transactions.send(register, flow, zone, this, false).request;
    }

    @Override
    public void provisional(ClientTransaction client, SipMessageView response, InetAddress source) {
        // Only the final answer matters to a registration.
    }

    @Override
    public void finalResponse(ClientTransaction client, SipMessageView response, InetAddress source) {
        int status = response.statusCode();
        if ((status == 401 || status == 407) && digest != null && sent != null) {
            DigestClient.Answer answer = digest.answer(ChallengeAnswering.challengesOf(response), sent.method(),
                    sent.requestUri(), answeredNonce);
            metrics.outboundAuth(zone, answer.status());
            if (answer.status() == DigestClient.Status.ANSWERED) {
                answeredNonce = answer.nonce();
                send(SipMessageWriter.edit(sent)
                        .set(SipHeaderName.CSEQ, (sent.cseqNumber() + 1) + " " + sent.method())
                        .set(ChallengeAnswering.credentialsHeaderFor(status), answer.header()), client.flow);
                return;
            }
        }
        sent = null;
        finalAnswer.accept(response);
    }

    @Override
    public void successRetransmitted(ClientTransaction client, SipMessageView response, InetAddress source) {
        // Only INVITE transactions see 2xx retransmissions.
    }

    @Override
    public void timedOut(ClientTransaction client) {
        sent = null;
        timeout.run();
    }
}
