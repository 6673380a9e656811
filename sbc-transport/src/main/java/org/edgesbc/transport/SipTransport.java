package org.edgesbc.transport;

/** The three SIP transports the SBC terminates (RFC 3261 §18). */
public enum SipTransport {
    UDP(false),
    TCP(true),
    TLS(true);

    private final boolean reliable;

    SipTransport(boolean reliable) {
        this.reliable = reliable;
    }

    /** Reliable transports take no retransmissions (RFC 3261 §17.1.1.2: Timer A is not started). */
    public boolean reliable() {
        return reliable;
    }

    /** The transport token used in Via headers and {@code transport=} URI parameters. */
    public String viaToken() {
        return name();
    }
}
