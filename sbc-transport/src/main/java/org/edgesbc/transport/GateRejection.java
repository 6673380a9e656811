package org.edgesbc.transport;

/** Why the strict message gate refused a message; the bounded label set of the rejection counter. */
public enum GateRejection {
    MESSAGE_TOO_LARGE,
    START_LINE_INVALID,
    START_LINE_TOO_LONG,
    VERSION_UNSUPPORTED,
    HEADER_TOO_LONG,
    TOO_MANY_HEADERS,
    HEADER_MALFORMED,
    LINE_FOLDING,
    TOO_MANY_VIAS,
    CONTENT_LENGTH_INVALID,
    CONTENT_LENGTH_MISMATCH,
    REQUIRED_HEADER_MISSING,
    REQUIRED_HEADER_REPEATED,
    INVALID_UTF8,
    NUL_BYTE,
    PARSE_ERROR,
    GARBAGE
}
