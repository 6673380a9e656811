package org.edgesbc.core.identity;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Locale;

/**
 * How long a fetched chain stays in the cache: the freshness lifetime its answer gives (RFC 9111 §4.2.1), clamped
 * into the configured range, and never past the leaf certificate's notAfter. Pure; the caller gives the time of
 * arrival.
 */
final class CacheLifetime {
    private CacheLifetime() { }

    /**
     * When the chain served with {@code headers}, received at {@code now}, leaves the cache.
     * <ul>
     *   <li>{@code Cache-Control: no-store} or {@code no-cache}: the shortest lifetime, {@code minTtl} (keeping it
     *       that long is what makes the cache a bound on fetches; the operator chose the bound);</li>
     *   <li>else {@code max-age} (RFC 9111 §5.2.2.1), in seconds; {@code s-maxage} is for shared caches and
     *       ignored;</li>
     *   <li>else {@code Expires} (RFC 9111 §5.3), measured from the answer's {@code Date} when it has one, so that a
     *       server whose clock is off still gets the lifetime it meant, else from {@code now}; an Expires that is not
     *       a date means already expired (RFC 9111 §5.3);</li>
     *   <li>with none of them: {@code minTtl}.</li>
     * </ul>
     * The result is clamped into [{@code minTtl}, {@code maxTtl}] and then cut at the leaf's notAfter, which may
     * already be past: such a chain is not kept.
     */
    static Instant expires(HttpHeaders headers, Instant now, X509Certificate leaf, Duration minTtl, Duration maxTtl) {
        Duration ttl = freshness(headers, now, minTtl);
        if (ttl.compareTo(minTtl) < 0) {
            ttl = minTtl;
        } else if (ttl.compareTo(maxTtl) > 0) {
            ttl = maxTtl;
        }
        Instant expires = now.plus(ttl);
        Instant notAfter = leaf.getNotAfter().toInstant();
        return expires.isAfter(notAfter) ? notAfter : expires;
    }

    private static Duration freshness(HttpHeaders headers, Instant now, Duration minTtl) {
        Long maxAge = null;
        for (String field : headers.getAll(HttpHeaderNames.CACHE_CONTROL)) {
            for (String directive : field.split(",")) {
                String name = directive.strip().toLowerCase(Locale.ROOT);
                if (name.equals("no-store") || name.equals("no-cache") || name.startsWith("no-cache=")) {
                    return minTtl;
                }
                if (name.startsWith("max-age=") && maxAge == null) {
                    maxAge = seconds(name.substring("max-age=".length()));
                }
            }
        }
        if (maxAge != null) {
            return Duration.ofSeconds(maxAge);
        }
        String expires = headers.get(HttpHeaderNames.EXPIRES);
        if (expires == null) {
            return minTtl;
        }
        Date expiresAt = DateFormatter.parseHttpDate(expires);
        if (expiresAt == null) {
            return Duration.ZERO;
        }
        String dateField = headers.get(HttpHeaderNames.DATE);
        Date date = dateField == null ? null : DateFormatter.parseHttpDate(dateField);
        Instant from = date == null ? now : date.toInstant();
        return Duration.between(from, expiresAt.toInstant());
    }

    /**
     * The delta-seconds of a directive (RFC 9111 §1.2.2), quoted or not; a value that is not one counts as 0, the
     * lifetime of a response that cannot be shown fresh, and one beyond range as a lifetime past any maximum.
     */
    private static long seconds(String value) {
        String digits = value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1) : value;
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return 0;
        }
        return digits.length() > 12 ? Long.MAX_VALUE / 1_000_000_000L : Long.parseLong(digits);
    }
}
