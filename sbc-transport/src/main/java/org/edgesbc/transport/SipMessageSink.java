package org.edgesbc.transport;

/**
 * The one interface through which the transport hands gated messages up to the relay. Called on a transport I/O
 * thread; implementations hand the message to the thread that owns its state and return quickly.
 */
@FunctionalInterface
public interface SipMessageSink {
    void onMessage(InboundSipMessage message);
}
