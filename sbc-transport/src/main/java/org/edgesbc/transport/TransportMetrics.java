package org.edgesbc.transport;

/**
 * The transport's counters, behind a small interface so that this module does not know the metrics registry
 * (implemented in core with Micrometer). Every argument is an enum or a bounded token: never an address.
 * Implementations must be thread-safe and cheap; they are called on I/O threads.
 */
public interface TransportMetrics {
    /** A message passed the gate and was handed to the sink. {@code method} is a request method or "response". */
    void messageReceived(SipTransport transport, String method);

    void messageSent(SipTransport transport);

    void gateRejected(SipTransport transport, GateRejection reason);

    void admissionDropped(SipTransport transport);

    void connectionOpened(SipTransport transport);

    void connectionClosed(SipTransport transport);

    /** A connection attempt refused because the total or per-source cap was reached. */
    void connectionRefused(SipTransport transport);

    /** A send that could not be carried out (connect failure, closed connection, full buffer). */
    void sendFailed(SipTransport transport);

    /** A new INVITE answered 503 on the I/O thread, for the {@code cause} given. */
    void shed(SipTransport transport, ShedCause cause);

    /**
     * How long a probe datagram waited in a UDP listener's receive queue ({@link UdpBacklog}), in nanoseconds;
     * measured only while the I/O thread reads full bursts, at most once per 5 ms.
     */
    void udpQueueWait(long nanos);

    /** Metrics that count nothing, for tests and for tools that do not run the daemon. */
    TransportMetrics NONE = new TransportMetrics() {
        @Override public void messageReceived(SipTransport transport, String method) { }
        @Override public void messageSent(SipTransport transport) { }
        @Override public void gateRejected(SipTransport transport, GateRejection reason) { }
        @Override public void admissionDropped(SipTransport transport) { }
        @Override public void connectionOpened(SipTransport transport) { }
        @Override public void connectionClosed(SipTransport transport) { }
        @Override public void connectionRefused(SipTransport transport) { }
        @Override public void sendFailed(SipTransport transport) { }
        @Override public void shed(SipTransport transport, ShedCause cause) { }
        @Override public void udpQueueWait(long nanos) { }
    };
}
