package org.edgesbc.core.config;

import java.time.Duration;

/**
 * How the SBC drains before it stops (SIGTERM, {@code POST /admin/drain}, {@code sbc drain}): new calls are refused
 * with 503 and a Retry-After (emergency calls excepted), phones that register get a short expiry so that they move
 * to another node soon, and calls in progress go on until they end or the drain timeout passes.
 *
 * @param timeout how long calls in progress may go on once draining starts; then they are ended with BYE on both
 *     sides (0 ends them at once)
 * @param retryAfter the Retry-After of the 503 that refuses a new call while draining (RFC 3261 §21.5.4): a proxy
 *     in front avoids this node for that long
 * @param registerExpires the longest registration granted to a phone while draining (never below
 *     {@code registration.min-expires})
 */
public record DrainConfig(Duration timeout, Duration retryAfter, Duration registerExpires) {
    public static final DrainConfig DEFAULTS =
            new DrainConfig(Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofSeconds(60));
}
