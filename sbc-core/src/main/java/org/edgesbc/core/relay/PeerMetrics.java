package org.edgesbc.core.relay;

import java.util.function.BooleanSupplier;

/**
 * Counters of the carrier interconnect: OPTIONS probes, peer states and calls that moved on to another target.
 * Zone and peer tag values come from the configuration (a bounded set), never from what a remote side sends.
 */
public interface PeerMetrics {
    /** What an OPTIONS probe found. */
    enum ProbeResult { ANSWERED, UNAVAILABLE, TIMEOUT }

    /** Why a call attempt gave way to the next target. */
    enum FailoverReason { TIMEOUT, UNAVAILABLE, STATUS }

    /** A probe of {@code peer} (its {@code host:port}) in {@code zone} ended. */
    void probed(String zone, String peer, ProbeResult result);

    /** Exposes a probed peer's state, 1 up and 0 down; called once per peer. */
    void peerState(String zone, String peer, BooleanSupplier up);

    /** A call's attempt toward {@code zone} failed and the call moved on to its next target. */
    void failedOver(String zone, FailoverReason reason);

    PeerMetrics NONE = new PeerMetrics() {
        @Override public void probed(String zone, String peer, ProbeResult result) { }
        @Override public void peerState(String zone, String peer, BooleanSupplier up) { }
        @Override public void failedOver(String zone, FailoverReason reason) { }
    };
}
