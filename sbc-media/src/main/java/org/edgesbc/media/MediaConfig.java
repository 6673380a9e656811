package org.edgesbc.media;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Settings of the media relay, checked as a whole when built (core reports configuration errors with file and line
 * before it gets here; this is the relay's own guard). SRTP is chosen per zone and per call by core, through
 * {@link MediaStream#setSrtp}, not here.
 *
 * @param bindAddress address the relay's UDP sockets bind to
 * @param advertisedAddress address written into rewritten SDP (c= and o= lines)
 * @param portMin first port of the range (default {@value #DEFAULT_PORT_MIN}); an odd value starts at the next even
 * @param portMax last port of the range (default {@value #DEFAULT_PORT_MAX}); must leave room for one pair
 * @param quarantine how long a released port pair rests before reuse (default {@link #DEFAULT_QUARANTINE}), so late
 *     packets of an ended call never reach a new one; zero allowed
 * @param timeout a session with no packet relayed in either direction for this long is reported as dead (default
 *     {@link #DEFAULT_TIMEOUT})
 * @param holdTimeout the same while the call is on hold, when a peer may legitimately send nothing (default
 *     {@link #DEFAULT_HOLD_TIMEOUT})
 * @param threads event-loop threads of the relay, at least 1 (default 1)
 * @param busyPoll whether each media thread polls its sockets without ever sleeping (see {@link MediaLoop}); off
 *     by default: a polling thread takes its core whole, with or without calls
 * @param io how the media threads read and send ({@link MediaIo#AUTO} by default)
 * @param nice the media threads' nice value ({@value #MIN_NICE} to {@value #MAX_NICE}), or empty (the
 *     default) for the one they inherit: below the other threads' on their core, a woken media thread takes the core
 *     ahead of them (see {@link ThreadNice}); a value below the process's needs CAP_SYS_NICE or an RLIMIT_NICE that
 *     allows it
 * @param receiveBufferBytes SO_RCVBUF of every relay socket, or {@value #KERNEL_RECEIVE_BUFFER} (the default) to
 *     leave the kernel's {@code net.core.rmem_default}: how much a socket queues while its loop is busy; what arrives
 *     beyond it the kernel drops, so a loop that fell behind relays stale packets for a bounded time only
 */
public record MediaConfig(
        InetAddress bindAddress,
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
    public static final int DEFAULT_PORT_MIN = 10_000;
    public static final int DEFAULT_PORT_MAX = 20_000;
    public static final Duration DEFAULT_QUARANTINE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_HOLD_TIMEOUT = Duration.ofHours(2);
    /**
     * Leaves each socket's receive buffer at the kernel's default, which holds about 250 datagrams of 172 bytes (five
     * seconds of one G.711 stream) or 90 of 1,200 bytes at the usual 212,992 bytes (Linux charges each datagram
     * several hundred bytes beyond its payload): room for a video keyframe's burst, and for seconds of stale audio
     * behind a loop that fell behind.
     */
    public static final int KERNEL_RECEIVE_BUFFER = 0;
    /** The nice values Linux accepts. */
    public static final int MIN_NICE = -20;
    public static final int MAX_NICE = 19;
    /** A set buffer below this the kernel would raise anyway (to its own minimum of a few kilobytes). */
    public static final int MIN_RECEIVE_BUFFER_BYTES = 4_096;

    /** @throws IllegalArgumentException naming the first setting that is out of range */
    public MediaConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(advertisedAddress, "advertisedAddress");
        Objects.requireNonNull(quarantine, "quarantine");
        Objects.requireNonNull(io, "io");
        Objects.requireNonNull(nice, "nice");
        if (portMin < 1 || portMax > 65_535 || portMax - (portMin + (portMin & 1)) < 1) {
            throw new IllegalArgumentException("port range " + portMin + "-" + portMax + " holds no RTP/RTCP pair");
        }
        if (quarantine.isNegative()) {
            throw new IllegalArgumentException("quarantine " + quarantine + " is negative");
        }
        new MediaTimeouts(timeout, holdTimeout);
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads + " must be at least 1");
        }
        if (nice.isPresent() && (nice.getAsInt() < MIN_NICE || nice.getAsInt() > MAX_NICE)) {
            throw new IllegalArgumentException("nice " + nice.getAsInt() + " is outside " + MIN_NICE + ".."
                    + MAX_NICE);
        }
        if (!receiveBufferAllowed(receiveBufferBytes)) {
            throw new IllegalArgumentException("receive buffer of " + receiveBufferBytes + " bytes is below "
                    + MIN_RECEIVE_BUFFER_BYTES);
        }
    }

    /** Whether {@code bytes} may be a relay socket's receive buffer: the kernel's, or one of at least the minimum. */
    public static boolean receiveBufferAllowed(int bytes) {
        return bytes == KERNEL_RECEIVE_BUFFER || bytes >= MIN_RECEIVE_BUFFER_BYTES;
    }

    /** Media threads that sleep while their sockets are quiet, on io_uring where it is available. */
    public MediaConfig(InetAddress bindAddress, String advertisedAddress, int portMin, int portMax,
            Duration quarantine, Duration timeout, Duration holdTimeout, int threads) {
        this(bindAddress, advertisedAddress, portMin, portMax, quarantine, timeout, holdTimeout, threads, false,
                MediaIo.AUTO, OptionalInt.empty(), KERNEL_RECEIVE_BUFFER);
    }

    /** The defaults above on {@code address}, bound and advertised alike. */
    public static MediaConfig defaults(InetAddress address) {
        return new MediaConfig(address, address.getHostAddress(), DEFAULT_PORT_MIN, DEFAULT_PORT_MAX,
                DEFAULT_QUARANTINE, DEFAULT_TIMEOUT, DEFAULT_HOLD_TIMEOUT, 1);
    }
}
