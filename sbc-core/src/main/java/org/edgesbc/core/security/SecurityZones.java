package org.edgesbc.core.security;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.policy.auth.DigestAlgorithm;

/**
 * What the security controls need to know of each zone: its role, its digest algorithms, and whether its sources are trusted (trunk, PBX
 * and office zones get peer budgets and are never banned automatically). Immutable; built from one config snapshot.
 */
public final class SecurityZones {
    private final Map<String, ZoneConfig.ZoneRole> roles = new HashMap<>();
    private final Map<String, Boolean> trusted = new HashMap<>();
    private final Map<String, List<DigestAlgorithm>> digestAlgorithms = new HashMap<>();

    public SecurityZones(List<ZoneConfig> zones) {
        for (ZoneConfig zone : zones) {
            roles.put(zone.name(), zone.role());
            trusted.put(zone.name(), zone.role() != ZoneConfig.ZoneRole.ACCESS || zone.office());
            digestAlgorithms.put(zone.name(), zone.digestAlgorithms());
        }
    }

    /** The zone's role, or null for a zone the configuration does not name. */
    public ZoneConfig.ZoneRole role(String zone) {
        return roles.get(zone);
    }

    public boolean trusted(String zone) {
        return trusted.getOrDefault(zone, false);
    }

    /** The zone's own digest algorithms; empty when it has none (or is not named by the configuration). */
    public List<DigestAlgorithm> digestAlgorithms(String zone) {
        return digestAlgorithms.getOrDefault(zone, List.of());
    }
}
