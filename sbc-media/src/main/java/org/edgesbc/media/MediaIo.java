package org.edgesbc.media;

import io.netty.channel.uring.IoUring;

/** How the media threads read and send their datagrams ({@code media.io}). */
public enum MediaIo {
    /**
     * io_uring where the kernel and Netty's native library allow it, multishot receives included (Linux 6.0), the
     * selector otherwise.
     */
    AUTO,
    /**
     * Linux io_uring through Netty's native library: receives and sends of every socket of a thread are queued in
     * one ring and handed to the kernel in batches, one system call per round instead of two per packet. Needs
     * multishot receives (Linux 6.0).
     */
    IO_URING,
    /** The JDK's selector (epoll on Linux): one {@code recvfrom} and one {@code sendto} per packet. */
    SELECTOR;

    /**
     * What this machine runs: {@link #AUTO} becomes io_uring when it is available, else the selector.
     *
     * @throws IllegalStateException when io_uring is asked for and is not available, with the reason
     */
    MediaIo resolve() {
        if (this == SELECTOR) {
            return SELECTOR;
        }
        if (IoUring.isAvailable() && IoUring.isRecvMultishotEnabled()) {
            return IO_URING;
        }
        if (this == IO_URING) {
            String cause = IoUring.isAvailable() ? "its multishot receives need Linux 6.0 or later"
                    : String.valueOf(IoUring.unavailabilityCause());
            throw new IllegalStateException("media.io: io_uring is not available here (" + cause
                    + "); use auto or selector");
        }
        return SELECTOR;
    }
}
