package org.edgesbc.core.relay;

import java.net.InetAddress;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;
import java.util.function.Consumer;
import org.edgesbc.core.registrar.PbxRegistrationClient;

/**
 * The SBC's own REGISTERs to the PBX, a transaction user of the registrar's shard: sent under client transactions
 * of that shard, so that answers and timeouts come back on the registrar's thread.
 */
final class PbxRegistrationSender implements PbxRegistrationClient {
    private final ShardContext shard;
    private final TransactionLayer transactions;
    private final PeerDirectory peers;

    PbxRegistrationSender(ShardContext shard, TransactionLayer transactions, PeerDirectory peers) {
        this.shard = shard;
        this.transactions = transactions;
        this.peers = peers;
    }

    @Override
    public String newCallId() {
        return shard.ids().newCallId();
    }

    @Override
    public String newTag() {
        return shard.ids().newTag();
    }

    /** Registrations at the PBX are bounded by the accounts, one per AOR at a time: they do not count. */
    @Override
    public void register(String aor, String callId, String fromTag, long cseq, long expires,
            Consumer<Answer> answer) {
        RelaySettings.ZonePeer pbx = peers.peer(shard.settings().pbxZone());
        SipMessageView register = RegisterMessages.pbxRegister(shard.topology(), pbx, aor, callId, fromTag, cseq,
                expires);
        transactions.send(SipMessageWriter.edit(register), peers.flowTo(pbx), pbx.zone(), new PbxAnswer(answer),
                false);
    }

    /** Hears the PBX's answer to one of the SBC's REGISTERs. */
    private record PbxAnswer(Consumer<Answer> answer) implements ClientTransaction.User {
        @Override
        public void provisional(ClientTransaction client, SipMessageView response, InetAddress source) {
            // The registrar waits for the final answer only.
        }

        @Override
        public void finalResponse(ClientTransaction client, SipMessageView response, InetAddress source) {
            answer.accept(RegisterMessages.pbxAnswer(response));
        }

        @Override
        public void successRetransmitted(ClientTransaction client, SipMessageView response, InetAddress source) {
            // Only INVITE transactions see 2xx retransmissions.
        }

        @Override
        public void timedOut(ClientTransaction client) {
            answer.accept(Answer.TIMEOUT);
        }
    }
}
