package org.edgesbc.core.relay;

import java.net.InetSocketAddress;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.SipTransport;

/** How the relay reaches a zone's next hop: the transport service in the daemon, recording flows in tests. */
@FunctionalInterface
public interface FlowProvider {
    SipFlow flowTo(SipTransport transport, InetSocketAddress destination);

    /**
     * A flow toward a peer the configuration names by host name: over TLS, {@code serverName} is sent as SNI and
     * the certificate verified against it. Providers without TLS ignore the name.
     */
    default SipFlow flowTo(SipTransport transport, InetSocketAddress destination, String serverName) {
        return flowTo(transport, destination);
    }
}
