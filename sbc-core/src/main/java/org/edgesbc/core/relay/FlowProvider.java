package org.edgesbc.core.relay;

import java.net.InetSocketAddress;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.SipTransport;

/** How the relay reaches a zone's next hop: the transport service in the daemon, recording flows in tests. */
@FunctionalInterface
public interface FlowProvider {
    SipFlow flowTo(SipTransport transport, InetSocketAddress destination);
}
