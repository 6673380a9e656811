package org.edgesbc.core.relay;

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
    private final PeerAccounts accounts;

    PbxRegistrationSender(ShardContext shard, TransactionLayer transactions, PeerDirectory peers,
            PeerAccounts accounts) {
        this.shard = shard;
        this.transactions = transactions;
        this.peers = peers;
        this.accounts = accounts;
    }

    @Override
    public String newCallId() {
        return shard.ids().newCallId();
    }

    @Override
    public String newTag() {
        return shard.ids().newTag();
    }

    /**
     * Registrations at the PBX are bounded by the accounts, one per AOR at a time: they do not count. A PBX that
     * challenges gets the pbx zone's account credentials.
     */
    @Override
    public void register(String aor, String callId, String fromTag, long cseq, long expires,
            Consumer<Answer> answer) {
        RelaySettings.ZonePeer pbx = peers.peer(shard.settings().pbxZone());
        SipMessageView register = RegisterMessages.registerAt(shard.topology(), pbx, aor, callId, fromTag,
                OwnRegister.wireCSeq(cseq), expires);
        new OwnRegister(transactions, pbx.zone(), accounts, response -> answer.accept(
                RegisterMessages.registerAnswer(response)), () -> answer.accept(Answer.TIMEOUT))
                .send(SipMessageWriter.edit(register), peers.flowTo(pbx));
    }
}
