package org.edgesbc.media;

import java.net.InetAddress;
import java.time.Duration;

/**
 * Settings of the media relay, validated by core.
 *
 * @param bindAddress address the relay's UDP sockets bind to
 * @param advertisedAddress address written into rewritten SDP (c= and o= lines)
 * @param portMin first port of the range (even)
 * @param portMax last port of the range
 * @param quarantine how long a released port pair rests before reuse, so late packets of an ended call never reach
 *     a new one
 * @param timeout a session with no packet in either direction for this long is reported as dead
 * @param holdTimeout the same while the call is on hold (a held call may legitimately send nothing)
 * @param threads event-loop threads of the relay
 */
public record MediaConfig(
        InetAddress bindAddress,
        String advertisedAddress,
        int portMin,
        int portMax,
        Duration quarantine,
        Duration timeout,
        Duration holdTimeout,
        int threads) { }
