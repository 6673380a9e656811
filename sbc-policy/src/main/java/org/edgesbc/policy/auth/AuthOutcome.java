package org.edgesbc.policy.auth;

/** What checking a request's credentials found. */
public enum AuthOutcome {
    /** Valid credentials of an enabled user, from an allowed source. */
    OK,
    /** No credentials for our realm: challenge. */
    MISSING,
    /** A nonce we issued that has expired: challenge with stale=true (RFC 7616 §3.3). */
    STALE,
    /** A nonce-count not above the last one seen for this nonce: a replay. */
    REPLAY,
    /**
     * Wrong password, unknown user, disabled user, disallowed source, forged nonce or malformed credentials: all the
     * same outcome, so that probes learn nothing about which accounts exist.
     */
    FAILED
}
