package org.edgesbc.core.relay;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.dns.SipTarget;

/**
 * Where peers named by host name are, as sbc-transport's {@code SipServerLocator} finds them (RFC 3263). A relay
 * thread only reads what is cached; a lookup completes on the locator's thread and is handed back.
 */
public interface PeerNames extends AutoCloseable {
    /** The fresh answer for a named peer (empty: no usable records), or null when it must be looked up. */
    List<SipTarget> cached(String host, int port, SipTransport transport);

    /** Looks a named peer up; completes on the locator's thread. */
    CompletableFuture<List<SipTarget>> locate(String host, int port, SipTransport transport);

    /** Stops the lookups; the relay calls it when it closes. */
    @Override
    void close();

    /** Where no peer is named: nothing is ever looked up. */
    PeerNames NONE = new PeerNames() {
        @Override
        public List<SipTarget> cached(String host, int port, SipTransport transport) {
            return List.of();
        }

        @Override
        public CompletableFuture<List<SipTarget>> locate(String host, int port, SipTransport transport) {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public void close() {
        }
    };
}
