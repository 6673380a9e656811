package org.edgesbc.core.sdp;

/** The outcome of reading or rewriting an SDP body; nothing is thrown for bad SDP. */
public enum SdpStatus {
    OK,
    /** Longer than {@link SessionDescription#MAX_BYTES} or {@link SessionDescription#MAX_LINES} lines. */
    TOO_LARGE,
    /** Not SDP: no {@code v=0} first, a line not of the form {@code x=...}, a bad o=, c= or m= line. */
    MALFORMED,
    /** No m= line: nothing to anchor. */
    NO_MEDIA,
    /** More m= lines than {@link SessionDescription#MAX_STREAMS}. */
    TOO_MANY_STREAMS,
    /** A connection address that is not an IP literal (the SBC does not resolve names from SDP). */
    NOT_IP_LITERAL,
    /** A stream has no connection address at session or media level. */
    NO_CONNECTION,
    /** The sender's zone requires SRTP and a stream that is not rejected carries no usable {@code a=crypto}. */
    SRTP_REQUIRED,
    /** The caller planned fewer streams than the SDP has m= lines. */
    STREAMS_NOT_PLANNED
}
