package org.edgesbc.core.relay;

/** What became of an operator's order to end a call. */
public enum CallControl {
    /** BYE went to both sides; the call's record says {@code sbc:operator}. */
    ENDED,
    /** The call is still ringing: there is no dialog on both sides to send BYE in yet. */
    NOT_ANSWERED,
    /** No call of this shard has a leg with that Call-ID. */
    NOT_FOUND
}
