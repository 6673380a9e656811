package org.edgesbc.core.relay;

/** Whether a peer takes new calls: one that failed its OPTIONS probes is skipped until it answers again. */
@FunctionalInterface
interface PeerHealth {
    boolean isUp(RelaySettings.ZonePeer peer);

    /** Where no peer is probed: every peer is up. */
    PeerHealth ALWAYS_UP = peer -> true;
}
