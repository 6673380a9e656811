package org.edgesbc.core.relay;

import org.edgesbc.core.RateLimitedLog;

/** What every layer of one relay shard shares: its thread, identifiers, topology, settings, counters and log. */
record ShardContext(ShardLoop loop, SipIdentifiers ids, TopologyHiding topology, RelaySettings settings,
        RelayMetrics metrics, RateLimitedLog log) {
}
