package org.edgesbc.policy.auth;

import java.util.List;
import java.util.Map;
import org.edgesbc.policy.Cidr;

/**
 * A user the SBC authenticates: HA1 hashes (hex) per algorithm, never the password; whether the account is enabled;
 * and the networks it may register and call from (empty: anywhere).
 */
public record DigestUser(String name, Map<DigestAlgorithm, String> ha1, boolean enabled, List<Cidr> allowedSources) { }
