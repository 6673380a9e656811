package org.edgesbc.core.config;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * How peers named by host name are located (RFC 3263: NAPTR, SRV, A/AAAA).
 *
 * @param servers DNS servers asked in order; empty for the system's resolver configuration
 * @param cacheEntries bound of the cache of located names
 * @param minTtl an answer is kept at least this long, whatever its records' TTL
 * @param maxTtl ... and at most this long
 * @param negativeTtl a name without usable records, or a failed lookup, is remembered this long
 * @param queryTimeout how long one DNS query waits
 */
public record DnsConfig(List<InetSocketAddress> servers, int cacheEntries, Duration minTtl, Duration maxTtl,
        Duration negativeTtl, Duration queryTimeout) {

    public static final DnsConfig DEFAULTS = new DnsConfig(List.of(), 10_000, Duration.ofSeconds(5),
            Duration.ofHours(1), Duration.ofSeconds(30), Duration.ofSeconds(2));

    public DnsConfig {
        servers = List.copyOf(servers);
    }
}
