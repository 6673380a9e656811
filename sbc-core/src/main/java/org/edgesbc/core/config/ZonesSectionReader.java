package org.edgesbc.core.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.transport.SipTransport;

/**
 * Binds the required {@code zones} list: each zone's name, role, admitted networks, peer, SRTP policy, office
 * flag, redirect mode and digest algorithms. Rules between zones (unique names and networks, one trunk and one
 * pbx) are {@link CrossSectionCheck}'s.
 */
final class ZonesSectionReader {
    private static final Set<String> ZONE_KEYS = Set.of("name", "role", "networks", "peer", "srtp", "office",
            "redirects", "digest-algorithms");
    private static final Set<String> PEER_KEYS = Set.of("host", "port", "transport");

    private final ConfigReader reader;

    ZonesSectionReader(ConfigReader reader) {
        this.reader = reader;
    }

    /** The zones that bound completely, in document order. */
    List<ZoneConfig> read(YamlTree.Mapping root) {
        List<ZoneConfig> zones = new ArrayList<>();
        reader.forEachMapping(root, "", "zones", true, ZONE_KEYS, (zone, path) -> {
            String name = reader.string(zone, path, "name", null, true);
            ZoneConfig.ZoneRole role = reader.enumValue(zone, path, "role", ZoneConfig.ZoneRole.class, null, true);
            List<Cidr> networks = networks(zone, path);
            ZoneConfig.PeerConfig peer = peer(zone, path, role);
            SrtpPolicy srtp = reader.enumValue(zone, path, "srtp", SrtpPolicy.class, SrtpPolicy.OFF, false);
            boolean office = reader.bool(zone, path, "office", false);
            ZoneConfig.RedirectMode redirects = reader.enumValue(zone, path, "redirects",
                    ZoneConfig.RedirectMode.class, ZoneConfig.RedirectMode.RECURSE, false);
            if (office && role != ZoneConfig.ZoneRole.ACCESS) {
                reader.error(zone.line(), path + ".office", "true", "only an access zone can be an office");
            }
            List<DigestAlgorithm> algorithms = SecuritySectionReader.digestAlgorithms(reader, zone, path);
            if (!algorithms.isEmpty() && role != ZoneConfig.ZoneRole.ACCESS) {
                reader.error(zone.entries().get("digest-algorithms").keyLine(), path + ".digest-algorithms", null,
                        "only an access zone authenticates its phones");
            }
            if (name != null && role != null) {
                zones.add(new ZoneConfig(name, role, List.copyOf(networks), peer, srtp, office, redirects,
                        algorithms));
            }
        });
        return zones;
    }

    private List<Cidr> networks(YamlTree.Mapping zone, String path) {
        List<Cidr> networks = new ArrayList<>();
        List<YamlTree> items = reader.sequence(zone, path, "networks", true);
        for (int index = 0; index < items.size(); index++) {
            String networkPath = path + ".networks[" + index + "]";
            if (items.get(index) instanceof YamlTree.Scalar network && !network.isNull()) {
                Cidr cidr = reader.parsed(new ConfigReader.Scalar(network.text(), network.line(), networkPath),
                        Cidr::parse);
                if (cidr != null) {
                    networks.add(cidr);
                }
            } else {
                reader.error(items.get(index).line(), networkPath, null, "must be a network such as 192.0.2.0/24");
            }
        }
        return networks;
    }

    /** The zone's peer: required for trunk and pbx zones, refused for access zones (phones come to the SBC). */
    private ZoneConfig.PeerConfig peer(YamlTree.Mapping zone, String path, ZoneConfig.ZoneRole role) {
        String peerPath = path + ".peer";
        YamlTree.Mapping peer = reader.optionalMapping(zone, path, "peer");
        if (peer == null) {
            if (role != ZoneConfig.ZoneRole.ACCESS) {
                reader.error(zone.line(), peerPath, null, "is required: where requests toward this zone are sent");
            }
            return null;
        }
        if (role == ZoneConfig.ZoneRole.ACCESS) {
            reader.error(peer.line(), peerPath, null, "an access zone has no peer: its phones come to the SBC");
            return null;
        }
        reader.onlyKeys(peer, peerPath, PEER_KEYS);
        String host = reader.parsed(reader.scalar(peer, peerPath, "host", true), ConfigReader::ipLiteral);
        int port = reader.integer(peer, peerPath, "port", 5060, 1, 65_535);
        SipTransport transport = reader.enumValue(peer, peerPath, "transport", SipTransport.class, SipTransport.UDP,
                false);
        return host == null ? null : new ZoneConfig.PeerConfig(host, port, transport);
    }
}
