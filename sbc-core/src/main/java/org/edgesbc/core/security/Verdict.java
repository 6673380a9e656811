package org.edgesbc.core.security;

import java.util.List;
import java.util.Map;
import org.edgesbc.policy.fraud.FraudGuard;

/**
 * What the edge policy decided on one out-of-dialog request: let it pass (with the authenticated user, if any),
 * answer it with a challenge or a refusal, or drop it unanswered.
 *
 * @param status the SIP status of a CHALLENGE or REJECT, 0 otherwise
 * @param headers headers the answer carries (a challenge, Retry-After)
 * @param user the authenticated user, or null when the request was not authenticated
 * @param fraud the toll-fraud decision behind the verdict, or null when the call was no toll-fraud matter
 */
public record Verdict(Kind kind, int status, Map<String, List<String>> headers, String user,
        FraudGuard.Decision fraud) {
    public enum Kind { ALLOW, CHALLENGE, REJECT, DROP }

    public static final Verdict ALLOW = new Verdict(Kind.ALLOW, 0, Map.of(), null, null);
    public static final Verdict DROP = new Verdict(Kind.DROP, 0, Map.of(), null, null);

    public static Verdict allow(String user) {
        return new Verdict(Kind.ALLOW, 0, Map.of(), user, null);
    }

    public static Verdict reject(int status, String user) {
        return new Verdict(Kind.REJECT, status, Map.of(), user, null);
    }

    public boolean allowed() {
        return kind == Kind.ALLOW;
    }
}
