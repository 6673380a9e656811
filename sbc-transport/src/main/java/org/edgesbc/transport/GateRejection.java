package org.edgesbc.transport;

/** Why the strict message gate refused a message; the bounded label set of the rejection counter. */
public enum GateRejection {
    MESSAGE_TOO_LARGE,
    START_LINE_INVALID,
    START_LINE_TOO_LONG,
    VERSION_UNSUPPORTED,
    /** A Request-URI scheme other than sip, sips or tel: answered 416 (RFC 3261 §8.2.2.1, §16.3 step 2). */
    URI_SCHEME_UNSUPPORTED,
    HEADER_TOO_LONG,
    TOO_MANY_HEADERS,
    HEADER_MALFORMED,
    /** A header line starting with SP or HT right after the start line, where there is no header to continue. */
    LINE_FOLDING,
    TOO_MANY_VIAS,
    CONTENT_LENGTH_INVALID,
    CONTENT_LENGTH_MISMATCH,
    REQUIRED_HEADER_MISSING,
    REQUIRED_HEADER_REPEATED,
    /** A Proxy-Require this element cannot honour: answered 420 with Unsupported (RFC 3261 §16.3 step 5). */
    EXTENSION_UNSUPPORTED,
    INVALID_UTF8,
    NUL_BYTE,
    PARSE_ERROR,
    GARBAGE
}
