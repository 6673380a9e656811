package org.edgesbc.media.srtp;

/** The outcome of protecting or unprotecting one packet; no exceptions on the packet path. */
public enum SrtpStatus {
    OK,
    /** Shorter than a header plus tag. */
    TOO_SHORT,
    /** The authentication tag does not match: forged, corrupted or keyed differently. */
    AUTH_FAILED,
    /** Seen before or older than the replay window (RFC 3711 §3.3.2). */
    REPLAYED
}
