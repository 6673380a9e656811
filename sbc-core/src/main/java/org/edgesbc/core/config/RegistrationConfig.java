package org.edgesbc.core.config;

import java.time.Duration;

/**
 * Registration of remote phones through the SBC: the binding table and registration caching toward the PBX.
 *
 * @param udpExpires the longest registration granted to a phone over UDP, short so that its refreshes keep its NAT
 *     binding open
 * @param streamExpires the longest registration granted to a phone over TCP or TLS, whose connection (kept alive by
 *     RFC 5626 CRLF pings) holds the NAT binding
 * @param minExpires shorter non-zero requests are refused with 423 and Min-Expires (RFC 3261 §10.3 step 7)
 * @param expiresJitterPercent the granted expiry is drawn uniformly from the last this-many percent below the
 *     cap, so that phones re-registering together after an outage spread their refreshes
 * @param pbxExpires the registration the SBC asks of the PBX for each address-of-record; refreshed by the SBC
 * @param keepaliveInterval RFC 5626 Flow-Timer sent to phones registering over TCP or TLS with outbound support
 * @param maxBindings bound of contacts over all addresses-of-record; beyond it new contacts get 503
 * @param maxContactsPerAor contacts one address-of-record may hold; beyond it new contacts get 403
 */
public record RegistrationConfig(
        Duration udpExpires,
        Duration streamExpires,
        Duration minExpires,
        int expiresJitterPercent,
        Duration pbxExpires,
        Duration keepaliveInterval,
        int maxBindings,
        int maxContactsPerAor) {

    /** The defaults config/sbc.yaml documents. */
    public static final RegistrationConfig DEFAULTS = new RegistrationConfig(Duration.ofSeconds(60),
            Duration.ofSeconds(600), Duration.ofSeconds(30), 20, Duration.ofSeconds(3600), Duration.ofSeconds(120),
            100_000, 10);
}
