package org.edgesbc.media;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

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
        MediaIo io) {
    public static final int DEFAULT_PORT_MIN = 10_000;
    public static final int DEFAULT_PORT_MAX = 20_000;
    public static final Duration DEFAULT_QUARANTINE = Duration.ofSeconds(30);
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final Duration DEFAULT_HOLD_TIMEOUT = Duration.ofHours(2);

    /** @throws IllegalArgumentException naming the first setting that is out of range */
    public MediaConfig {
        Objects.requireNonNull(bindAddress, "bindAddress");
        Objects.requireNonNull(advertisedAddress, "advertisedAddress");
        Objects.requireNonNull(quarantine, "quarantine");
        Objects.requireNonNull(io, "io");
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
    }

    /** Media threads that sleep while their sockets are quiet, on io_uring where it is available. */
    public MediaConfig(InetAddress bindAddress, String advertisedAddress, int portMin, int portMax,
            Duration quarantine, Duration timeout, Duration holdTimeout, int threads) {
        this(bindAddress, advertisedAddress, portMin, portMax, quarantine, timeout, holdTimeout, threads, false,
                MediaIo.AUTO);
    }

    /** The defaults above on {@code address}, bound and advertised alike. */
    public static MediaConfig defaults(InetAddress address) {
        return new MediaConfig(address, address.getHostAddress(), DEFAULT_PORT_MIN, DEFAULT_PORT_MAX,
                DEFAULT_QUARANTINE, DEFAULT_TIMEOUT, DEFAULT_HOLD_TIMEOUT, 1);
    }
}
