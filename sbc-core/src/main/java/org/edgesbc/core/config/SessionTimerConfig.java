package org.edgesbc.core.config;

import java.time.Duration;

/**
 * RFC 4028 session timers on the legs toward one zone ({@code zones[].session-timers}). The SBC is a B2BUA, so each
 * leg of a call negotiates its own interval and refresher with the SBC, under the settings of that leg's zone.
 *
 * @param enabled whether legs toward the zone run session timers; off: the SBC neither offers, answers nor watches
 *     them on those legs, and takes Session-Expires and Min-SE out of what it sends there
 * @param sessionExpires the interval the SBC offers on the zone's legs and grants at most to a peer that asks for
 *     more (default 1800 s, the RFC's recommendation)
 * @param minSe the smallest interval the SBC accepts from the zone's peers: a request asking for less gets 422 with
 *     this Min-SE (default and lowest allowed 90 s, RFC 4028 §4)
 */
public record SessionTimerConfig(boolean enabled, Duration sessionExpires, Duration minSe) {
    /** RFC 4028 §4: Min-SE is never below 90 seconds. */
    public static final Duration LOWEST_MIN_SE = Duration.ofSeconds(90);
    public static final SessionTimerConfig DEFAULT = new SessionTimerConfig(true, Duration.ofSeconds(1800),
            LOWEST_MIN_SE);
}
