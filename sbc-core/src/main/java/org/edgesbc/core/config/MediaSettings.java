package org.edgesbc.core.config;

import java.time.Duration;
import java.util.OptionalInt;
import org.edgesbc.media.MediaConfig;
import org.edgesbc.media.MediaIo;

/**
 * Media anchoring.
 *
 * @param enabled anchor RTP/RTCP of every call (false lets SDP pass unchanged: endpoints then see each other)
 * @param address address the relay's sockets bind to
 * @param advertisedAddress address written into SDP; defaults to {@code address}
 * @param portMin first port of the RTP range
 * @param portMax last port of the RTP range
 * @param quarantine rest of a released port pair before reuse
 * @param timeout no packets for this long ends the call with BYE on both sides
 * @param holdTimeout the same while the call is on hold
 * @param threads media event-loop threads
 * @param busyPoll media threads poll their sockets without sleeping, each taking its core whole
 * @param io how media threads read and send: io_uring, the JDK selector, or io_uring where available
 * @param nice the media threads' nice value, or empty for the process's: below the other threads' on their core, a
 *     woken media thread takes the core ahead of them
 * @param receiveBufferBytes SO_RCVBUF of each relay socket (how much it queues while its media thread is busy), or 0
 *     for the kernel's default
 */
public record MediaSettings(
        boolean enabled,
        String address,
        String advertisedAddress,
        int portMin,
        int portMax,
        Duration quarantine,
        Duration timeout,
        Duration holdTimeout,
        int threads,
        boolean busyPoll,
        MediaIo io,
        OptionalInt nice,
        int receiveBufferBytes) {

    /** Media threads that sleep while their sockets are quiet, on io_uring where it is available. */
    public MediaSettings(boolean enabled, String address, String advertisedAddress, int portMin, int portMax,
            Duration quarantine, Duration timeout, Duration holdTimeout, int threads) {
        this(enabled, address, advertisedAddress, portMin, portMax, quarantine, timeout, holdTimeout, threads, false,
                MediaIo.AUTO, OptionalInt.empty(), MediaConfig.KERNEL_RECEIVE_BUFFER);
    }
}
