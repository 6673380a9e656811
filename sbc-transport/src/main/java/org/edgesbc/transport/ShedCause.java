package org.edgesbc.transport;

/**
 * Why a request outside any dialog was answered 503 on the I/O thread; a bounded metric label. The first two apply
 * to every such request, the next two to new INVITEs only, the last to the other methods only.
 */
public enum ShedCause {
    /** The relay thread that would own the dialog dequeued messages that had waited too long. */
    RELAY_QUEUE,
    /** The I/O thread left its UDP socket undrained too long: datagrams were waiting in the kernel. */
    IO_BACKLOG,
    /** Beyond the rate of new calls the socket was found to carry ({@link NewCallRate}). */
    NEW_CALL_RATE,
    /** The retransmission of an INVITE refused before, for any of the causes above: refused again. */
    RETRANSMISSION,
    /**
     * Beyond the rate of other requests outside dialogs (REGISTER, SUBSCRIBE...) the socket was found to carry: the
     * same rule as {@link #NEW_CALL_RATE}, with a limit of their own.
     */
    NEW_REQUEST_RATE
}
