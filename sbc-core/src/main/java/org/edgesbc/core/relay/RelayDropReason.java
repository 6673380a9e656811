package org.edgesbc.core.relay;

/** Why the relay dropped a message without answering it; the bounded label set of the drop counter. */
public enum RelayDropReason {
    /** jain-sip-ri refused a message that passed the gate. */
    PARSE_ERROR,
    /** A response that matches no client transaction (stray or very late). */
    NO_TRANSACTION,
    /** An ACK for a dialog the SBC does not know, or for one that no 2xx has confirmed yet. */
    NO_DIALOG,
    /** The message waited in the relay queue longer than T1: the sender has retransmitted or given up. */
    STALE,
    /** A response arriving from a zone other than the one its transaction was sent to. */
    WRONG_SOURCE,
    /** A new INVITE refused with 503 because the shard's queue is falling behind. */
    OVERLOAD,
    /** A provisional response from one more far-side early dialog than a call keeps ({@link DialogTags}). */
    TOO_MANY_EARLY_DIALOGS,
    /** The edge policy dropped it silently (scanner, source banned for guessing passwords). */
    POLICY,
    /** A bug met on one message; the shard goes on serving the others. */
    INTERNAL_ERROR
}
