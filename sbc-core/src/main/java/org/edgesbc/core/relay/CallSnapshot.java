package org.edgesbc.core.relay;

import java.time.Instant;
import java.util.List;
import org.edgesbc.media.LegStats;

/**
 * One relayed call as its shard saw it when asked (for the admin API): taken on the shard's thread, immutable
 * afterwards. Leg A is the caller's side, leg B the callee's; each leg has its own Call-ID and its own From- and
 * To-tags (leg A's To-tag and leg B's From-tag are the SBC's; the To-tags are null while the call rings).
 *
 * @param id the SBC's id of the call: leg B's Call-ID, as in the call detail record's {@code call_id}
 * @param originalCallId the Call-ID as the caller sent it (leg A's): what the caller's side knows the call by
 * @param state {@code early} (ringing) or {@code confirmed} (answered)
 * @param started when the initial INVITE arrived
 * @param answered when the call was answered, null while it rings
 * @param calledNormalised the called number in E.164 as the toll-fraud guard saw it, null for calls it did not check
 * @param account the authenticated phone user or the PBX account the call counts against, null when neither
 * @param media one entry per anchored stream (m= line); empty when no SDP crossed or media is not anchored
 * @param fraud the toll-fraud guard's decision that let the call out, null for calls it did not check
 * @param identity the STIR/SHAKEN attestation the call was signed with, or the verstat the PBX was given
 */
public record CallSnapshot(String id, String originalCallId, String state, Instant started, Instant answered,
        String calling, String called, String calledNormalised, String account, Leg caller, Leg callee,
        List<Stream> media, Fraud fraud, String identity) {

    /** One side of the call: its zone, Call-ID and the dialog's tags as that side sees them. */
    public record Leg(String zone, String callId, String fromTag, String toTag) { }

    /**
     * One anchored stream: the SBC's media address facing each side, where each side announced it receives
     * (null before its SDP), and what each side sent (packets, RFC 3550 loss and jitter, drops).
     */
    public record Stream(String sbcTowardCaller, String callerAddress, LegStats fromCaller, String sbcTowardCallee,
            String calleeAddress, LegStats fromCallee) { }

    /** The toll-fraud decision: the rule that decided, the destination class, the E.164 number and the account. */
    public record Fraud(String rule, String destination, String number, String account) { }
}
