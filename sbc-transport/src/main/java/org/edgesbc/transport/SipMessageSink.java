package org.edgesbc.transport;

import java.util.List;

/**
 * The one interface through which the transport hands gated messages up to the relay. Called on a transport I/O
 * thread; implementations hand the message to the thread that owns its state and return quickly.
 */
@FunctionalInterface
public interface SipMessageSink {
    void onMessage(InboundSipMessage message);

    /**
     * The messages of one read burst of a datagram socket, in arrival order: an implementation that hands messages
     * to other threads hands each of them its share at once, one wake-up per thread and burst instead of one per
     * message. The list is the caller's and is reused after the call returns.
     *
     * @param drained whether the burst emptied the socket: the I/O thread keeps up with it, and has time for more
     *     than reading; a burst that stopped at its limit left datagrams waiting
     */
    default void onMessages(List<InboundSipMessage> burst, boolean drained) {
        burst.forEach(this::onMessage);
    }

    /**
     * Whether the thread that would own a new dialog with this Call-ID is falling behind. The transport then
     * answers a new INVITE with 503 + Retry-After itself, on the I/O thread, before it costs a parse or a queue
     * slot (RFC 7339 §3: shed load before the work is spent), so that calls in progress keep their share. Called
     * on an I/O thread for every new INVITE; must be cheap and never block.
     */
    default boolean shedsNewDialogs(String callId) {
        return false;
    }

    /**
     * The caller from {@code zone} acknowledged a 503 the I/O thread sent to an INVITE of call {@code callId}, after
     * a retransmission of that INVITE had been let in as a new call once the overload had passed (a caller slow to
     * read its answers retransmits before it reads the 503): the caller took the refusal, and the call set up on the
     * retransmission has nobody behind it. Called on an I/O thread; must hand the work over and return.
     */
    default void refusalAcknowledged(String zone, String callId) {
    }
}
