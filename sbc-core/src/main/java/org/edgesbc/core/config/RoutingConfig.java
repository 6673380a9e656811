package org.edgesbc.core.config;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.edgesbc.policy.routing.RouteTable;

/**
 * Which trunk or PBX zone a new call goes to, and when a call attempt moves on to the next peer or trunk.
 *
 * @param outbound routes of calls from PBX zones to trunk zones, by prefix of the E.164-normalised dialled number;
 *     without a {@code routing} section, one route for every number over all trunk zones in document order
 * @param emergencyTrunks trunk zones for {@code fraud.emergency-numbers}; empty routes them like other numbers
 * @param inbound DID blocks and prefixes of the PBX zones, for calls from trunks
 * @param defaultPbx the PBX zone of calls no DID entry names, and of remote phones' calls; the first pbx zone
 *     when not given
 * @param failoverStatuses final statuses that move a call on to the next target, besides 503 and no answer
 * @param attemptTimeout how long an attempt with a next target waits for any response before the call moves on
 */
public record RoutingConfig(List<RouteTable.OutboundRoute> outbound, List<String> emergencyTrunks,
        List<RouteTable.DidRange> inbound, String defaultPbx, Set<Integer> failoverStatuses,
        Duration attemptTimeout) {

    /** Default of {@code routing.attempt-timeout}: four UDP retransmissions of the INVITE (T1 = 500 ms). */
    public static final Duration DEFAULT_ATTEMPT_TIMEOUT = Duration.ofSeconds(4);

    public RoutingConfig {
        outbound = List.copyOf(outbound);
        emergencyTrunks = List.copyOf(emergencyTrunks);
        inbound = List.copyOf(inbound);
        failoverStatuses = Set.copyOf(failoverStatuses);
    }

    /** The routing of a configuration without a {@code routing} section, over the given zones. */
    public static RoutingConfig defaults(List<ZoneConfig> zones) {
        List<String> trunks = zones.stream().filter(z -> z.role() == ZoneConfig.ZoneRole.TRUNK)
                .map(ZoneConfig::name).toList();
        String pbx = zones.stream().filter(z -> z.role() == ZoneConfig.ZoneRole.PBX).map(ZoneConfig::name)
                .findFirst().orElse(null);
        return new RoutingConfig(trunks.isEmpty() ? List.of()
                : List.of(new RouteTable.OutboundRoute("", Set.of(), Set.of(), trunks)), List.of(), List.of(), pbx,
                Set.of(), DEFAULT_ATTEMPT_TIMEOUT);
    }
}
