package org.edgesbc.transport;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open TCP/TLS connections, inbound and outbound, keyed by remote address so that a request toward a peer reuses the
 * connection it opened (or we opened) instead of opening another. Bounded in total and per source address; a
 * connection over either cap is refused at once. Entries leave the table when their channel closes, and idle
 * channels are closed by the pipeline's idle handler, so the table expires with them.
 *
 * <p>Shared by all I/O threads (accepting, connecting and sending happen on different event loops), hence the
 * concurrent maps and atomic counters.
 */
final class ConnectionTable {
    private final int maxTotal;
    private final int maxPerSource;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetSocketAddress, Channel> byRemote = new ConcurrentHashMap<>();

    ConnectionTable(int maxTotal, int maxPerSource) {
        this.maxTotal = maxTotal;
        this.maxPerSource = maxPerSource;
    }

    /** Reserves room for an inbound connection; false when a cap is reached. */
    boolean reserveInbound(InetSocketAddress remote) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return false;
        }
        AtomicInteger count = perSource.computeIfAbsent(remote.getAddress(), a -> new AtomicInteger());
        if (count.incrementAndGet() > maxPerSource) {
            count.decrementAndGet();
            total.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Reserves room for an outbound connection; only the total cap applies to connections we open. */
    boolean reserveOutbound() {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return false;
        }
        return true;
    }

    void register(InetSocketAddress remote, Channel channel) {
        byRemote.put(remote, channel);
    }

    void releaseInbound(InetSocketAddress remote, Channel channel) {
        byRemote.remove(remote, channel);
        total.decrementAndGet();
        perSource.computeIfPresent(remote.getAddress(), (a, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    void releaseOutbound(InetSocketAddress remote, Channel channel) {
        byRemote.remove(remote, channel);
        total.decrementAndGet();
    }

    Channel find(InetSocketAddress remote) {
        Channel channel = byRemote.get(remote);
        return channel != null && channel.isActive() ? channel : null;
    }

    int size() {
        return total.get();
    }
}
