package org.edgesbc.core.relay;

import java.time.Duration;
import java.time.Instant;

/**
 * Which calls an operator asks for; every criterion left null matches any call.
 *
 * @param zone a zone either leg of the call is in
 * @param account the account the call was placed under: the authenticated phone user, or the PBX account the
 *     toll-fraud guard counted it against
 * @param number digits found in the calling or the called number (as dialled or normalised)
 * @param minAge calls at least this old, counted from the initial INVITE
 */
public record CallFilter(String zone, String account, String number, Duration minAge) {
    public static final CallFilter ALL = new CallFilter(null, null, null, null);

    public boolean matches(CallSnapshot call, Instant now) {
        if (zone != null && !zone.equals(call.caller().zone()) && !zone.equals(call.callee().zone())) {
            return false;
        }
        if (account != null && !account.equals(call.account())) {
            return false;
        }
        if (number != null && !contains(call.calling(), number) && !contains(call.called(), number)
                && !contains(call.calledNormalised(), number)) {
            return false;
        }
        return minAge == null || (call.started() != null
                && Duration.between(call.started(), now).compareTo(minAge) >= 0);
    }

    private static boolean contains(String value, String part) {
        return value != null && value.contains(part);
    }
}
