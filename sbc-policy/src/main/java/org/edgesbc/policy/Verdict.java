package org.edgesbc.policy;

import java.util.List;

/**
 * What the {@link PolicyEngine} decided for one request.
 *
 * @param kind the decision
 * @param status the SIP status to answer with (401/407 for a challenge, the error status for a reject), 0 otherwise
 * @param reasonPhrase the reason phrase for {@code status}, or null
 * @param headerName the one header to add to the answer ({@code WWW-Authenticate}, {@code Proxy-Authenticate} or
 *     {@code Retry-After}), or null
 * @param headerValues its values, one header line each, in order
 * @param user the authenticated user for {@code ALLOW} after digest authentication, else null
 */
public record Verdict(Kind kind, int status, String reasonPhrase, String headerName, List<String> headerValues,
        String user) {
    /** The decisions; {@code DROP} and {@code BAN} answer nothing (no answer helps a scanner). */
    public enum Kind {
        /** Pass the request on. */
        ALLOW,
        /** Answer with 401/407 and the challenge header values. */
        CHALLENGE,
        /** Answer with the error status. */
        REJECT,
        /** Drop silently. */
        DROP,
        /** The source was banned: drop silently, and later datagrams are dropped before parsing. */
        BAN
    }

    static final Verdict ALLOW_UNAUTHENTICATED = new Verdict(Kind.ALLOW, 0, null, null, List.of(), null);
    static final Verdict DROP = new Verdict(Kind.DROP, 0, null, null, List.of(), null);
    static final Verdict BAN = new Verdict(Kind.BAN, 0, null, null, List.of(), null);

    public Verdict {
        headerValues = List.copyOf(headerValues);
    }

    static Verdict allow(String user) {
        return new Verdict(Kind.ALLOW, 0, null, null, List.of(), user);
    }

    /** Whether nothing is to be answered. */
    public boolean silent() {
        return kind == Kind.DROP || kind == Kind.BAN;
    }
}
