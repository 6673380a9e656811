package org.edgesbc.policy.auth;

import java.util.Map;
import java.util.Objects;

/**
 * What the SBC answers a peer's digest challenge with (RFC 3261 §22.2, §22.3): the digest user name and either the
 * password or, where the operator prefers not to store it, HA1 per algorithm (which is only valid for one realm,
 * so HA1 requires {@code realm}).
 *
 * <p>{@link #toString()} names the user and the realm only: the secrets never reach a log line.
 *
 * @param username the digest {@code username} (the "auth user", which may differ from the registered user)
 * @param password the password, or null when HA1 is given
 * @param ha1 HA1 in lower-case hex per algorithm (RFC 7616 §3.4.2); empty when the password is given
 * @param realm the only realm whose challenges are answered, or null to answer any realm (password only)
 */
public record DigestCredentials(String username, String password, Map<DigestAlgorithm, String> ha1, String realm) {

    public DigestCredentials {
        Objects.requireNonNull(username, "username");
        ha1 = Map.copyOf(ha1);
        if ((password == null) == ha1.isEmpty()) {
            throw new IllegalArgumentException("digest credentials need either a password or HA1, not both");
        }
        if (password == null && realm == null) {
            throw new IllegalArgumentException("HA1 credentials hold for one realm: the realm is required");
        }
    }

    /** Whether these credentials can answer a challenge of {@code challengeRealm} with {@code algorithm}. */
    boolean answers(String challengeRealm, DigestAlgorithm algorithm) {
        return (realm == null || realm.equals(challengeRealm)) && (password != null || ha1.containsKey(algorithm));
    }

    /** HA1 for a challenge these credentials {@link #answers}. */
    String ha1For(String challengeRealm, DigestAlgorithm algorithm) {
        return password != null ? DigestHashes.ha1(algorithm, username, challengeRealm, password) : ha1.get(algorithm);
    }

    @Override
    public String toString() {
        return "DigestCredentials[username=" + username + ", realm=" + realm + ", secret="
                + (password != null ? "password" : "ha1 " + ha1.keySet()) + "]";
    }
}
