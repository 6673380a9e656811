package org.edgesbc.policy;

import java.net.InetAddress;
import java.time.Instant;
import java.util.List;

/**
 * What the {@link PolicyEngine} needs to know about one parsed request; core fills it from the message.
 *
 * @param source the source address (after admission)
 * @param zoneName the source's zone
 * @param zoneKind the zone's kind
 * @param method the request method as received (case-sensitive, RFC 3261 §7.1)
 * @param requestUri the Request-URI as received, for the digest {@code uri} check; null skips that check
 * @param userAgent the User-Agent header value, or null
 * @param fromDisplayName the From display name, or null
 * @param fromUser the From URI user part, or null: a caller must be who it authenticated as
 * @param toUser the To URI user part, or null: a REGISTER may only bind the authenticated user's own address of
 *     record (RFC 3261 §10.3 step 6)
 * @param credentials the Authorization (REGISTER) or Proxy-Authorization (other methods) header values; empty when
 *     absent
 * @param inDialog whether the request has a To tag (RFC 3261 §12.2): it belongs to a dialog that passed already
 * @param serverTransactions the caller's current number of server transactions, for the overload cap
 * @param now the caller's clock reading for this request
 */
public record RequestFacts(InetAddress source, String zoneName, ZoneKind zoneKind, String method, String requestUri,
        String userAgent, String fromDisplayName, String fromUser, String toUser,
        List<String> credentials, boolean inDialog, int serverTransactions, Instant now) {
    public RequestFacts {
        credentials = credentials == null ? List.of() : List.copyOf(credentials);
    }
}
