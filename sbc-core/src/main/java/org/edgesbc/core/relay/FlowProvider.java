package org.edgesbc.core.relay;

import java.net.InetSocketAddress;
import org.edgesbc.transport.SipFlow;
import org.edgesbc.transport.SipTransport;

/** How the relay reaches a zone's next hop: the transport service in the daemon, recording flows in tests. */
@FunctionalInterface
public interface FlowProvider {
    SipFlow flowTo(SipTransport transport, InetSocketAddress destination);

    /**
     * A flow toward a peer of {@code zone}: over TLS, a new connection presents the zone's own client certificate
     * when it has one, and {@code serverName} (the host name the configuration names the peer by, or null) is sent
     * as SNI and the certificate verified against it. Providers without TLS ignore both.
     */
    default SipFlow flowTo(SipTransport transport, InetSocketAddress destination, String serverName, String zone) {
        return flowTo(transport, destination);
    }
}
