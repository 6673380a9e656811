package org.edgesbc.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.UncheckedBooleanSupplier;
import org.junit.jupiter.api.Test;

/** What Netty's epoll datagram read loop asks after each {@code recvmmsg}: read again or not. */
class RecvmmsgAllocatorTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final RecvByteBufAllocator.ExtendedHandle handle =
            (RecvByteBufAllocator.ExtendedHandle) new RecvmmsgAllocator(8, 1_500, 16).newHandle();

    @Test
    void aCallThatFilledEveryReadSlotIsFollowedByAnother() {
        handle.reset(channel.config());

        read(8);

        assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isTrue();
    }

    @Test
    void aCallThatCameBackShortEndsTheWakeUpWithoutAnEmptyRead() {
        handle.reset(channel.config());

        read(3);

        assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).isFalse();
    }

    @Test
    void theWakeUpStillEndsAtItsDatagramLimit() {
        handle.reset(channel.config());

        read(8);
        read(8);

        assertThat(handle.continueReading(UncheckedBooleanSupplier.TRUE_SUPPLIER)).as("16 read, the limit").isFalse();
    }

    private void read(int datagrams) {
        handle.attemptedBytesRead(8 * 1_500);
        handle.lastBytesRead(datagrams * 400);
        handle.incMessagesRead(datagrams);
    }
}
