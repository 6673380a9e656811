package org.edgesbc.policy.auth;

import java.util.List;
import java.util.Map;
import org.edgesbc.policy.Cidr;

/**
 * A user the SBC authenticates: HA1 hashes (hex) per algorithm, never the password; whether the account is enabled;
 * the networks it may register and call from (empty: anywhere); and the digest algorithms it is challenged with and
 * may answer in (empty: those of its zone or, failing that, the SBC's). The own list is for phones that give up
 * on a challenge naming an algorithm they lack (baresip 1.0 on SHA-256).
 */
public record DigestUser(String name, Map<DigestAlgorithm, String> ha1, boolean enabled, List<Cidr> allowedSources,
        List<DigestAlgorithm> algorithms) {

    /** A user challenged with the algorithms of its zone. */
    public DigestUser(String name, Map<DigestAlgorithm, String> ha1, boolean enabled, List<Cidr> allowedSources) {
        this(name, ha1, enabled, allowedSources, List.of());
    }
}
