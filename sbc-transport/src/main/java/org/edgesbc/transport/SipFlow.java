package org.edgesbc.transport;

import java.net.InetSocketAddress;

/**
 * One path to one peer: a UDP 5-tuple (the listener socket plus the remote address) or one TCP/TLS connection.
 * Responses go back over the flow their request arrived on (RFC 3261 §18.2.2); requests to a peer go over the flow
 * {@link SipTransportService#flowTo} returns, which reuses an open connection to that destination.
 *
 * <p>Thread-safe: {@link #send} may be called from any thread and never blocks.
 */
public interface SipFlow {
    SipTransport transport();

    InetSocketAddress remote();

    /** The local address of the socket; for UDP the listener's bound address. */
    InetSocketAddress local();

    /** False once a connection-oriented flow has closed; UDP flows are always open while the listener is. */
    boolean isOpen();

    /**
     * Runs {@code action} once when this flow closes: at once for a flow that is already closed, never for a UDP
     * flow (a datagram path has no end the SBC could see). The action runs on an I/O thread and must hand any
     * real work to its owner's thread.
     */
    void whenClosed(Runnable action);

    /**
     * Queues one encoded SIP message. The array is not retained after the write completes and must not be changed
     * by the caller afterwards. A failure (closed connection, unreachable destination, write-buffer overflow) is
     * counted and logged by the transport, never thrown.
     */
    void send(byte[] message);
}
