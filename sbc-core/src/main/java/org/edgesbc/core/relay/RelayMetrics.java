package org.edgesbc.core.relay;

/**
 * The relay's counters behind a small interface (implemented with Micrometer by the daemon). Arguments are bounded:
 * methods are folded to a fixed set by the implementation, statuses to their class.
 */
public interface RelayMetrics {
    void requestRelayed(String method);

    void responseRelayed(int status);

    void localResponse(int status);

    void retransmissionAbsorbed();

    void transactionTimeout();

    void dropped(RelayDropReason reason);

    void transactionOverflow();

    /**
     * A completed transaction let go before its retransmission window ended, because the shard's store of them was
     * at its bound: a retransmission of its request or response after that is no longer absorbed.
     */
    void retransmissionWindowCut();

    void dialogOverflow();

    /**
     * An initial INVITE got its first final response relayed back to the caller.
     *
     * @param answered a 2xx; otherwise a failure (3xx..6xx)
     * @param nanos from the INVITE's arrival at the SBC to the response's relay
     */
    void callSetUp(boolean answered, long nanos);

    /**
     * The relay thread that read a message relayed it (the first copy, for a forked request).
     *
     * @param nanos from the message's arrival at the SBC to its relay
     */
    void relayed(RelayedMessage kind, long nanos);

    /**
     * What the SBC did with a 3xx that a zone answered an INVITE with.
     *
     * @param zone the zone that redirected (a configured zone's name)
     */
    void redirect(String zone, RedirectAction action);

    /**
     * RECURSED: the SBC tried the Contact itself; RELAYED: the 3xx went back with the SBC's Contacts; REFUSED: the
     * target failed the caller's toll-fraud rules and the caller heard 403.
     */
    enum RedirectAction { RECURSED, RELAYED, REFUSED }

    /** A call was ended because the session refresh of its leg toward {@code zone} never came (RFC 4028 §10). */
    void sessionTimerExpired(String zone);

    /**
     * A call was ended because its leg toward {@code zone} no longer had the dialog: the keepalive OPTIONS got 481,
     * 408 or no answer.
     */
    void keepaliveFailed(String zone);

    /**
     * A call's record was written: {@code disposition} and {@code endedBy} as its CDR has them (answered, cancelled,
     * timeout, failed or blocked; caller, callee or {@code sbc:} and the SBC's reason).
     */
    void callEnded(String disposition, String endedBy);

    /** What {@link #relayed} timed: a request toward the far side or a response back to the requester. */
    enum RelayedMessage { REQUEST, RESPONSE }

    RelayMetrics NONE = new RelayMetrics() {
        @Override public void requestRelayed(String method) { }
        @Override public void responseRelayed(int status) { }
        @Override public void localResponse(int status) { }
        @Override public void retransmissionAbsorbed() { }
        @Override public void transactionTimeout() { }
        @Override public void dropped(RelayDropReason reason) { }
        @Override public void transactionOverflow() { }
        @Override public void retransmissionWindowCut() { }
        @Override public void dialogOverflow() { }
        @Override public void callSetUp(boolean answered, long nanos) { }
        @Override public void relayed(RelayedMessage kind, long nanos) { }
        @Override public void redirect(String zone, RedirectAction action) { }
        @Override public void sessionTimerExpired(String zone) { }
        @Override public void keepaliveFailed(String zone) { }
        @Override public void callEnded(String disposition, String endedBy) { }
    };
}
