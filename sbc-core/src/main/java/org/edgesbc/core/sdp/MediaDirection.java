package org.edgesbc.core.sdp;

/** RFC 8866 §6.7 direction attributes; sendrecv when none is given. */
public enum MediaDirection {
    SENDRECV, SENDONLY, RECVONLY, INACTIVE;

    /** The direction an attribute name stands for, or null when it is not a direction attribute. */
    static MediaDirection ofAttribute(String name) {
        return switch (name) {
            case "sendrecv" -> SENDRECV;
            case "sendonly" -> SENDONLY;
            case "recvonly" -> RECVONLY;
            case "inactive" -> INACTIVE;
            default -> null;
        };
    }

    /** The sender puts the other side on hold: it no longer wants to receive (RFC 6337 §5.3). */
    public boolean holds() {
        return this == SENDONLY || this == INACTIVE;
    }
}
