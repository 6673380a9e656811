package org.edgesbc.core.relay;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.core.config.SessionTimerConfig;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.transport.SipTransport;

/**
 * What the relay needs to know, resolved from the configuration and the bound listeners.
 *
 * @param advertisedHost host of the SBC's own Via and Contact headers
 * @param listenerPorts bound port per transport (the actual port when the config asked for an ephemeral one)
 * @param zones next hop of every zone, by zone name
 * @param routes the zone a request from each zone is relayed to (trunk to pbx and back)
 * @param pbxZone the PBX's zone: its requests toward a registered phone's account go to the phone's bindings
 * @param t1 RFC 3261 T1, the round-trip estimate
 * @param t2 RFC 3261 T2, the cap on non-INVITE retransmission intervals
 * @param t4 RFC 3261 T4, the maximum time a message stays in the network
 * @param maxTransactions bound of server plus client transactions over all shards
 * @param maxDialogs bound of dialogs over all shards
 * @param maxCallDuration confirmed dialogs older than this are ended with BYE on both sides
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
        Duration maxCallDuration) {

    /**
     * Where requests toward a zone go, what the SBC does with the zone's redirects, and how its legs run session
     * timers. {@code address} and {@code transport} are null for an access zone.
     */
    public record ZonePeer(String zone, InetSocketAddress address, SipTransport transport, SrtpPolicy srtp,
            ZoneConfig.RedirectMode redirects, SessionTimerConfig sessionTimers) {

        /** A zone whose redirects the SBC follows, with the default session timers. */
        public ZonePeer(String zone, InetSocketAddress address, SipTransport transport, SrtpPolicy srtp) {
            this(zone, address, transport, srtp, ZoneConfig.RedirectMode.RECURSE, SessionTimerConfig.DEFAULT);
        }
    }

    /** RFC 3261 §17.1.1.2: Timer B, F, H and J all last 64*T1. */
    long transactionTimeoutMillis() {
        return 64 * t1.toMillis();
    }
}
