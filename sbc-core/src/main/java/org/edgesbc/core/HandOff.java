package org.edgesbc.core;

/**
 * The hand-offs of work from one thread to another, named for where the work goes and why; the bounded label set
 * of the {@code sbc.handoff.failures} counter.
 */
public enum HandOff {
    /** A ban to the ban thread: a flooding source (I/O thread), failed authentications or a scanner (relay), or an
     * operator (management). */
    BAN,
    /** A question or a call event to the toll-fraud thread: new call, answered, ended, admin inspection. */
    TOLL_FRAUD,
    /** The toll-fraud thread's answer on a new call, back to the relay shard that waits for it. */
    TOLL_FRAUD_ANSWER,
    /** A spend-cap cut, from the toll-fraud thread to the shard that owns the call's dialog. */
    SPEND_CAP_CUT,
    /** A periodic task on a service's own thread (the spend meter, state persistence). */
    SERVICE_TIMER,
    /** A phone's REGISTER, or a closed connection that held bindings, to the registrar's thread. */
    REGISTRAR,
    /** The registrar's answer to a phone's REGISTER, back to the shard whose server transaction waits for it. */
    REGISTRAR_ANSWER,
    /** A call's media stopped: from the media relay's thread to the shard that owns the call's dialog. */
    MEDIA_TIMEOUT,
    /** A peer name located in DNS, from the locator's thread back to the shard whose call waits for it. */
    PEER_LOCATED,
    /** A STIR/SHAKEN verdict on an inbound call, from the certificate cache's thread back to the waiting shard. */
    CALLER_ID_VERDICT,
    /**
     * An operator's question about calls or order to end one (management thread), the drain's order to end the
     * calls left at its timeout, or a caller's ACK of a 503 whose INVITE a retransmission got in after all (I/O
     * thread), to the shard that owns the dialogs.
     */
    CALL_CONTROL,
    /** The SBC's own registrations at trunks: started and, at shutdown, removed on the shard that owns them. */
    TRUNK_REGISTRATION
}
