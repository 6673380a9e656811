package org.edgesbc.core.relay;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgesbc.core.config.SessionTimerConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.routing.RouteTable;
import org.edgesbc.transport.SipTransport;

/**
 * What the relay needs to know, resolved from the configuration and the bound listeners.
 *
 * @param advertisedHost host of the SBC's own Via and Contact headers
 * @param listenerPorts bound port per transport (the actual port when the config asked for an ephemeral one)
 * @param zones the first (most preferred) next hop of every zone, by zone name; for an access zone one without an
 *     address
 * @param routes the zone a request from each zone is relayed to when {@code routing} has no table for it
 * @param pbxZone the default PBX zone: remote phones register and call there
 * @param t1 RFC 3261 T1, the round-trip estimate
 * @param t2 RFC 3261 T2, the cap on non-INVITE retransmission intervals
 * @param t4 RFC 3261 T4, the maximum time a message stays in the network
 * @param maxTransactions bound of server plus client transactions over all shards
 * @param maxDialogs bound of dialogs over all shards
 * @param maxCallDuration confirmed dialogs older than this are ended with BYE on both sides
 * @param peers every next hop of every trunk and PBX zone, in order of preference
 * @param routing how new calls choose among the trunk and PBX zones, and when an attempt moves on
 */
public record RelaySettings(
        String advertisedHost,
        Map<SipTransport, Integer> listenerPorts,
        Map<String, ZonePeer> zones,
        Map<String, String> routes,
        String pbxZone,
        Duration t1,
        Duration t2,
        Duration t4,
        int maxTransactions,
        int maxDialogs,
        Duration maxCallDuration,
        Map<String, List<ZonePeer>> peers,
        CallRouting routing) {

    /** Settings of one peer per zone, routed by {@code routes} alone, without failover beyond 503 and timeouts. */
    public RelaySettings(String advertisedHost, Map<SipTransport, Integer> listenerPorts, Map<String, ZonePeer> zones,
            Map<String, String> routes, String pbxZone, Duration t1, Duration t2, Duration t4, int maxTransactions,
            int maxDialogs, Duration maxCallDuration) {
        this(advertisedHost, listenerPorts, zones, routes, pbxZone, t1, t2, t4, maxTransactions, maxDialogs,
                maxCallDuration, onePeerEach(zones), new CallRouting(null, Set.of(), Set.of(pbxZone == null ? ""
                        : pbxZone), Set.of(), Duration.ofSeconds(4), Map.of(), Duration.ZERO));
    }

    private static Map<String, List<ZonePeer>> onePeerEach(Map<String, ZonePeer> zones) {
        Map<String, List<ZonePeer>> peers = new java.util.HashMap<>();
        zones.forEach((zone, peer) -> peers.put(zone, peer.address() == null ? List.of() : List.of(peer)));
        return Map.copyOf(peers);
    }

    /**
     * How new calls choose their zone and move on within the call.
     *
     * @param table routes by dialled and called number; null to follow {@link RelaySettings#routes} alone
     * @param trunkZones the carriers' zones (calls from them are routed by called number)
     * @param pbxZones the PBXs' zones (calls from them are routed by dialled number and pass the toll-fraud guard)
     * @param failoverStatuses final statuses that move a call on, besides 503 and no answer
     * @param attemptTimeout how long an attempt with a next target waits for any response
     * @param probes OPTIONS probes of the zones that have them, by zone name
     * @param locateWait the longest a call waits for the DNS answers of its route's named peers
     */
    public record CallRouting(RouteTable table, Set<String> trunkZones, Set<String> pbxZones,
            Set<Integer> failoverStatuses, Duration attemptTimeout, Map<String, ZoneConfig.ProbeConfig> probes,
            Duration locateWait) { }

    /**
     * Where requests toward a zone go: one peer, with the zone's settings for the calls it carries. For a peer named
     * by host name, {@code address} is unresolved (its port 0 when DNS gives it, {@code transport} null when DNS
     * chooses it) until located.
     *
     * @param redirects what the SBC does with the zone's 3xx answers
     * @param sessionTimers how the zone's legs run RFC 4028 session timers
     * @param keepalive when an answered call's leg toward the zone is asked whether its dialog still exists
     *     (in-dialog OPTIONS)
     * @param serverName of a located target of a named peer: the configured name, which TLS sends as SNI and
     *     verifies the certificate against; null otherwise
     */
    public record ZonePeer(String zone, InetSocketAddress address, SipTransport transport, SrtpPolicy srtp,
            ZoneConfig.RedirectMode redirects, SessionTimerConfig sessionTimers, ZoneConfig.Keepalive keepalive,
            String serverName) {
        /**
         * A peer by address, or a named peer not yet located, whose redirects the SBC follows, default timers and
         * keepalive (after a loss only).
         */
        public ZonePeer(String zone, InetSocketAddress address, SipTransport transport, SrtpPolicy srtp) {
            this(zone, address, transport, srtp, ZoneConfig.RedirectMode.RECURSE, SessionTimerConfig.DEFAULT,
                    ZoneConfig.Keepalive.AFTER_LOSS, null);
        }

        /** The peers of a zone as configured: {@code zone}'s settings, the peer's address and transport. */
        public static ZonePeer of(ZoneConfig zone, InetSocketAddress address, SipTransport transport) {
            return new ZonePeer(zone.name(), address, transport, zone.srtp(), zone.redirects(), zone.sessionTimers(),
                    zone.keepalive(), null);
        }

        /** One target DNS located for this named peer: the zone's settings, the target's address and transport. */
        public ZonePeer located(InetSocketAddress target, SipTransport targetTransport) {
            return new ZonePeer(zone, target, targetTransport, srtp, redirects, sessionTimers, keepalive,
                    address.getHostString());
        }
    }

    /** RFC 3261 §17.1.1.2: Timer B, F, H and J all last 64*T1. */
    long transactionTimeoutMillis() {
        return 64 * t1.toMillis();
    }
}
