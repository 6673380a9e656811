package org.edgesbc.transport;

/** Why a new INVITE was answered 503 on the I/O thread; a bounded metric label. */
public enum ShedCause {
    /** The relay thread that would own the dialog dequeued messages that had waited too long. */
    RELAY_QUEUE,
    /** The I/O thread left its UDP socket undrained too long: datagrams were waiting in the kernel. */
    IO_BACKLOG,
    /** Beyond the rate of new calls the socket was found to carry ({@link NewCallRate}). */
    NEW_CALL_RATE,
    /** The retransmission of an INVITE refused before, for any of the causes above: refused again. */
    RETRANSMISSION
}
