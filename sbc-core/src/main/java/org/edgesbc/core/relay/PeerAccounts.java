package org.edgesbc.core.relay;

import java.security.SecureRandom;
import java.util.HashMap;
import java.util.Map;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.policy.auth.DigestClient;

/**
 * The SBC's accounts at its trunk and PBX peers (zones.*.account), by zone: the digest client each zone's
 * challenges are answered with, and what trunk registration needs. Fixed at start (a changed account needs a
 * restart); shared by every shard, whose digest clients are thread-safe.
 */
public final class PeerAccounts {
    public static final PeerAccounts NONE = new PeerAccounts(Map.of(), PeerAccountMetrics.NONE, new SecureRandom());

    private final Map<String, ZoneConfig.PeerAccount> accounts;
    private final Map<String, DigestClient> clients = new HashMap<>();
    private final PeerAccountMetrics metrics;

    /** @param accounts by zone name */
    public PeerAccounts(Map<String, ZoneConfig.PeerAccount> accounts, PeerAccountMetrics metrics,
            SecureRandom random) {
        this.accounts = Map.copyOf(accounts);
        this.metrics = metrics;
        this.accounts.forEach((zone, account) -> clients.put(zone,
                new DigestClient(account.credentials(), DigestClient.randomCnonces(random))));
    }

    /** The digest client toward {@code zone}, or null when the SBC has no account there. */
    DigestClient client(String zone) {
        return clients.get(zone);
    }

    Map<String, ZoneConfig.PeerAccount> accounts() {
        return accounts;
    }

    PeerAccountMetrics metrics() {
        return metrics;
    }
}
