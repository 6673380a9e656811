package org.edgesbc.transport.gate;

import org.edgesbc.transport.GateRejection;
import org.edgesbc.transport.message.HeaderIndex;

/**
 * What the strict gate found in one message: either a rejection reason, a keep-alive, or the facts the relay routes
 * by. For a rejected request whose identifying headers were intact, and for an accepted INVITE that starts a
 * dialog (no To tag), {@link #replyLines} says where they are (Via lines, From, To, Call-ID, CSeq) so that an answer
 * can be written without parsing: a refusal, or a 503 when the SBC is shedding load.
 *
 * @param message for an accepted message, the bytes to hand on (see {@link SipMessageGate#check}); else null
 * @param unsupported for {@link GateRejection#EXTENSION_UNSUPPORTED}, the option tags the 420 lists; else null
 * @param ackToTag for an accepted ACK, its To tag (null when it has none), so that the ACK of a final response the
 *     I/O thread sent itself can be recognised there; null for every other message
 * @param headers for an accepted message handed on as it came ({@code message} the array checked), where its header
 *     lines are, for the relay's reader to use instead of finding them again; else null
 */
public record GateResult(
        GateRejection rejection,
        boolean keepAlive,
        boolean request,
        String method,
        int statusCode,
        String callId,
        ReplyLines replyLines,
        String unsupported,
        byte[] message,
        String ackToTag,
        HeaderIndex headers) {

    static final GateResult KEEP_ALIVE = new GateResult(null, true, false, null, 0, null, null, null, null, null, null);

    public static GateResult rejected(GateRejection reason, boolean request, ReplyLines replyLines) {
        return new GateResult(reason, false, request, null, 0, null, replyLines, null, null, null, null);
    }

    public boolean accepted() {
        return rejection == null && !keepAlive;
    }

    /** An accepted INVITE outside any dialog: the request an overloaded SBC refuses first (RFC 7339 §3). */
    public boolean newInvite() {
        return accepted() && request && "INVITE".equals(method) && replyLines != null;
    }
}
