package org.edgesbc.transport;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open TCP/TLS connections, inbound and outbound, keyed by transport and remote address so that a request toward a
 * peer reuses the connection it opened (or we opened) instead of opening another, and a TLS request never travels
 * over a plain TCP connection to the same address. Bounded in total ({@code maxTotal}, inbound and outbound
 * together) and per source IP address ({@code maxPerSource}, inbound only); a connection over either cap is refused
 * at once. Entries leave the table when their channel closes, and idle channels are closed by the pipeline's idle
 * handler, so the table expires with them.
 *
 * <p>Shared by all I/O threads (accepting, connecting and sending happen on different event loops), hence the
 * concurrent maps and atomic counters.
 */
final class ConnectionTable {
    /** The identity of a connection for reuse: the transport and the peer's address and port. */
    record Key(SipTransport transport, InetSocketAddress remote) { }

    private final int maxTotal;
    private final int maxPerSource;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, Channel> byRemote = new ConcurrentHashMap<>();

    ConnectionTable(int maxTotal, int maxPerSource) {
        this.maxTotal = maxTotal;
        this.maxPerSource = maxPerSource;
    }

    /** Reserves room for an inbound connection; false when the total or the per-source cap is reached. */
    boolean reserveInbound(InetSocketAddress remote) {
        if (!reserveTotal()) {
            return false;
        }
        boolean[] admitted = new boolean[1];
        perSource.compute(remote.getAddress(), (address, count) -> {
            AtomicInteger current = count == null ? new AtomicInteger() : count;
            admitted[0] = current.get() < maxPerSource;
            if (admitted[0]) {
                current.incrementAndGet();
            }
            return current.get() == 0 ? null : current;
        });
        if (!admitted[0]) {
            total.decrementAndGet();
        }
        return admitted[0];
    }

    /** Reserves room for an outbound connection; only the total cap applies to connections we open. */
    boolean reserveOutbound() {
        return reserveTotal();
    }

    private boolean reserveTotal() {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Makes an established connection findable for reuse. */
    void register(Key key, Channel channel) {
        byRemote.put(key, channel);
    }

    /** Gives back an inbound reservation and forgets the connection (if it was registered). */
    void releaseInbound(Key key, Channel channel) {
        byRemote.remove(key, channel);
        total.decrementAndGet();
        perSource.computeIfPresent(key.remote().getAddress(),
                (address, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    /** Gives back an outbound reservation and forgets the connection (if it was registered). */
    void releaseOutbound(Key key, Channel channel) {
        byRemote.remove(key, channel);
        total.decrementAndGet();
    }

    /** The open connection for {@code key}, or null. */
    Channel find(Key key) {
        Channel channel = byRemote.get(key);
        return channel != null && channel.isActive() ? channel : null;
    }

    /** Reserved connections, inbound and outbound, including those still connecting. */
    int size() {
        return total.get();
    }

    /** Source addresses that hold at least one inbound connection (the per-source map is bounded by the total). */
    int sources() {
        return perSource.size();
    }
}
