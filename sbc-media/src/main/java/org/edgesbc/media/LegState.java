package org.edgesbc.media;

/**
 * Where one leg of a stream (the SBC's sockets facing one peer) stands. Moves forward only, except that a new SDP
 * address takes a LATCHED leg back to WAITING so the peer's new source can latch; every state goes to CLOSED.
 *
 * <pre>
 *   ALLOCATED --setRemote--&gt; WAITING --first admissible packet--&gt; LATCHED
 *        \                      ^  \____________________________________/  |
 *         \                     |          new SDP address                 |
 *          `-------------------------------- close() ---------------------&gt; CLOSED
 * </pre>
 */
public enum LegState {
    /** Ports bound, the peer's address unknown: packets from it are dropped (nobody may latch yet). */
    ALLOCATED,
    /** The peer's SDP address (and signalling source) known: the first admissible packet latches. */
    WAITING,
    /** The peer's source address fixed by its first admissible packet; nothing else is relayed from this leg. */
    LATCHED,
    /** Sockets closed, ports in quarantine. */
    CLOSED
}
