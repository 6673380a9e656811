package org.edgesbc.transport;

/** A gated message that jain-sip-ri could not turn into a message model without repairing it. */
public final class SipParseException extends Exception {
    private static final long serialVersionUID = 1L;

    public SipParseException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
