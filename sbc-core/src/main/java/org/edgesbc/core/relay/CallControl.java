package org.edgesbc.core.relay;

/** What became of an order to end a call. */
public enum CallControl {
    /** The call was answered: BYE went to both sides. */
    ENDED,
    /** The call was ringing: CANCEL went to the callee's side, whose 487 the caller hears. */
    CANCELLED,
    /** No call of this shard has a leg with that Call-ID (or it is ending already). */
    NOT_FOUND
}
