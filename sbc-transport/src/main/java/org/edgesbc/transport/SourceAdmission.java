package org.edgesbc.transport;

import java.net.InetSocketAddress;

/**
 * The admission question the first handler of every pipeline (after a UDP listener's backlog count) asks before anything is parsed (IP allowlisting,
 * bans, packet budgets). Called on the I/O thread for every datagram and every new connection, so it must be
 * cheap and never block.
 */
@FunctionalInterface
public interface SourceAdmission {
    /**
     * @return the name of the zone the source belongs to, or {@code null} to drop silently (no answer helps a
     *     scanner). The transport counts a null as an admission drop.
     */
    String admit(SipTransport transport, InetSocketAddress source);
}
