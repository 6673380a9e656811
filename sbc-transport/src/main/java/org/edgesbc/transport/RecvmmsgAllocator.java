package org.edgesbc.transport;

import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.util.UncheckedBooleanSupplier;

/**
 * The read buffers of a UDP socket read with {@code recvmmsg} (native epoll): room for {@code datagramsPerRead}
 * datagrams per call, at most {@code maxDatagramsPerWakeUp} per wake-up, and no further call once one came back with
 * fewer datagrams than it had room for. Netty reads a datagram socket until a read finds nothing, so every wake-up
 * that found one or two datagrams paid a second {@code recvmmsg} returning EAGAIN, and Netty's native
 * {@code recvmmsg} makes a {@code getsockopt} call each time: two system calls of the seven to ten a call costs at
 * low rates. A short read means the socket's queue was empty when the kernel copied it out; a datagram that came
 * after is not missed, because Netty 4.2 registers its channels level-triggered, so the next {@code epoll_wait}
 * returns at once while one waits.
 */
final class RecvmmsgAllocator extends FixedRecvByteBufAllocator {
    private final int datagramsPerRead;

    /**
     * @param datagramPayloadBytes the largest datagram a read slot holds
     */
    RecvmmsgAllocator(int datagramsPerRead, int datagramPayloadBytes, int maxDatagramsPerWakeUp) {
        super(datagramsPerRead * datagramPayloadBytes);
        maxMessagesPerRead(maxDatagramsPerWakeUp);
        this.datagramsPerRead = datagramsPerRead;
    }

    @Override
    public Handle newHandle() {
        return new StopAtShortRead((ExtendedHandle) super.newHandle(), datagramsPerRead);
    }

    /** Netty's handle, told how many datagrams the last call read; continues only after a full one. */
    static final class StopAtShortRead extends DelegatingHandle implements ExtendedHandle {
        private final int datagramsPerRead;
        private int lastDatagramsRead;

        StopAtShortRead(ExtendedHandle delegate, int datagramsPerRead) {
            super(delegate);
            this.datagramsPerRead = datagramsPerRead;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreDataSupplier) {
            return lastDatagramsRead >= datagramsPerRead
                    && ((ExtendedHandle) delegate()).continueReading(maybeMoreDataSupplier);
        }

        @Override
        public boolean continueReading() {
            return lastDatagramsRead >= datagramsPerRead && super.continueReading();
        }

        /** Netty's epoll datagram channel reports each {@code recvmmsg} call's datagrams in one call here. */
        @Override
        public void incMessagesRead(int datagrams) {
            lastDatagramsRead = datagrams;
            super.incMessagesRead(datagrams);
        }
    }
}
