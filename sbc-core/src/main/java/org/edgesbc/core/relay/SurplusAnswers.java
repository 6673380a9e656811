package org.edgesbc.core.relay;

import java.util.List;
import javax.sip.message.Request;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.message.NameAddress;
import org.edgesbc.transport.message.SipHeaderName;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SipMessageWriter;

/**
 * A forking proxy behind a leg (a PBX ringing two phones) may answer one INVITE twice, from two early dialogs with
 * different To-tags, when both devices pick up before it cancels one. The first 2xx made the call; every other one
 * is ACKed and hung up with BYE by the SBC, as a UAC must (RFC 3261 §13.2.2.4), and never reaches the caller. Both
 * requests are written from the surplus 2xx alone (its Contact, From, To, Call-ID and CSeq), so nothing of the call
 * needs to stay reachable. Used by the {@link TransactionLayer} of one relay shard.
 */
final class SurplusAnswers {
    private final TransactionLayer transactions;
    private final TopologyHiding topology;
    private final SipIdentifiers ids;
    private final RelayMetrics metrics;

    SurplusAnswers(TransactionLayer transactions, TopologyHiding topology, SipIdentifiers ids, RelayMetrics metrics) {
        this.transactions = transactions;
        this.topology = topology;
        this.ids = ids;
        this.metrics = metrics;
    }

    /**
     * ACKs {@code answer}, a 2xx of another dialog than the first answer to an INVITE that went out over
     * {@code flow} to {@code targetZone} (its To-tag is set), and sends its dialog a BYE; a retransmission of the
     * last one hung up ({@code lastHungUp}) is only ACKed again. Returns the To-tag of the last one hung up now.
     */
    String hangUp(SipFlow flow, String targetZone, String lastHungUp, SipMessageView answer) {
        List<NameAddress> contacts = answer.contacts();
        if (contacts == null || contacts.isEmpty() || contacts.get(0).isWildcard()) {
            // Without a remote target there is nowhere to send the ACK (RFC 3261 §12.1.2 requires a Contact).
            metrics.dropped(RelayDropReason.NO_DIALOG);
            return lastHungUp;
        }
        String target = contacts.get(0).uri();
        String from = answer.header(SipHeaderName.FROM);
        String to = answer.header(SipHeaderName.TO);
        long cseq = answer.cseqNumber();
        flow.send(OwnMessages.request(Request.ACK, target, topology.via(flow.transport(), ids.newBranch()), from, to,
                answer.callId(), cseq, "").bytes());
        String tag = answer.to().tag();
        if (tag.equals(lastHungUp)) {
            metrics.retransmissionAbsorbed();
            return lastHungUp;
        }
        SipMessageView bye = OwnMessages.request(Request.BYE, target, topology.via(flow.transport(), ids.newBranch()),
                from, to, answer.callId(), cseq + 1, "");
        transactions.send(SipMessageWriter.edit(bye), flow, targetZone, ClientTransaction.Unheard.INSTANCE, true);
        return tag;
    }
}
