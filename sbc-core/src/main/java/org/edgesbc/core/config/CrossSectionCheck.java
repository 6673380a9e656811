package org.edgesbc.core.config;

import java.io.IOException;
import java.net.InetAddress;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.edgesbc.policy.Cidr;
import org.edgesbc.transport.SipTransport;

/**
 * The rules that span sections, checked once every section is bound: listeners with unique names and sockets,
 * zones with unique names and networks, a listener for each peer's transport, each peer inside its zone's networks,
 * at least one trunk and one pbx zone; the zones STIR/SHAKEN signs for and verifies are trunk zones.
 */
final class CrossSectionCheck {
    private final ConfigReader reader;

    CrossSectionCheck(ConfigReader reader) {
        this.reader = reader;
    }

    /** @param root the document, for the lines errors point at; it has a {@code sip} mapping */
    void check(YamlTree.Mapping root, SipConfig sip, List<ZoneConfig> zones) {
        YamlTree.Mapping sipSection = (YamlTree.Mapping) root.entries().get("sip").value();
        int listenersLine = sipSection.entries().containsKey("listeners")
                ? sipSection.entries().get("listeners").keyLine() : sipSection.line();
        int zonesLine = root.entries().containsKey("zones") ? root.entries().get("zones").keyLine() : 1;
        checkListeners(listenersLine, sip.listeners());
        checkZones(zonesLine, sip.listeners(), zones);
    }

    private void checkListeners(int line, List<SipConfig.ListenerConfig> listeners) {
        Set<String> names = new HashSet<>();
        Set<String> sockets = new HashSet<>();
        for (SipConfig.ListenerConfig listener : listeners) {
            if (!names.add(listener.name())) {
                reader.error(line, "sip.listeners", listener.name(), "two listeners share this name");
            }
            // Port 0 binds an ephemeral port, so two such listeners never collide.
            String socket = listener.transport() + " " + listener.address() + ":" + listener.port();
            if (listener.port() != 0 && !sockets.add(socket)) {
                reader.error(line, "sip.listeners", socket, "two listeners bind the same transport, address and port");
            }
        }
    }

    private void checkZones(int line, List<SipConfig.ListenerConfig> listeners, List<ZoneConfig> zones) {
        Set<SipTransport> listeningTransports = new HashSet<>();
        listeners.forEach(listener -> listeningTransports.add(listener.transport()));
        Map<ZoneConfig.ZoneRole, Integer> zonesPerRole = new EnumMap<>(ZoneConfig.ZoneRole.class);
        Set<String> zoneNames = new HashSet<>();
        Map<Cidr, String> networkOwners = new HashMap<>();
        for (ZoneConfig zone : zones) {
            if (!zoneNames.add(zone.name())) {
                reader.error(line, "zones", zone.name(), "two zones share this name");
            }
            zonesPerRole.merge(zone.role(), 1, Integer::sum);
            for (Cidr network : zone.networks()) {
                String owner = networkOwners.putIfAbsent(network, zone.name());
                if (owner != null && !owner.equals(zone.name())) {
                    reader.error(line, "zones." + zone.name() + ".networks", network.toString(),
                            "already belongs to zone '" + owner + "': a source must map to one zone");
                }
            }
            for (int index = 0; index < zone.peers().size(); index++) {
                checkPeer(line, zone, index, listeningTransports);
            }
        }
        for (ZoneConfig.ZoneRole role : List.of(ZoneConfig.ZoneRole.TRUNK, ZoneConfig.ZoneRole.PBX)) {
            int count = zonesPerRole.getOrDefault(role, 0);
            if (count < 1) {
                reader.error(line, "zones", null, "needs at least one zone with role "
                        + role.name().toLowerCase(Locale.ROOT) + ", found " + count);
            }
        }
    }

    private void checkPeer(int line, ZoneConfig zone, int index, Set<SipTransport> listeningTransports) {
        ZoneConfig.PeerConfig peer = zone.peers().get(index);
        String path = "zones." + zone.name() + (zone.peers().size() == 1 ? ".peer" : ".peers[" + index + "]");
        if (peer.transport() != null && !listeningTransports.contains(peer.transport())) {
            reader.error(line, path + ".transport", peer.transport().name().toLowerCase(Locale.ROOT),
                    "the SBC has no listener of this transport to send from");
        }
        // A named peer's addresses are known only once located: the operator keeps them inside the networks, or the
        // peer's answers are not admitted (sbc.yaml says so).
        if (!peer.named() && !insideOwnNetworks(zone, peer)) {
            reader.error(line, path + ".host", peer.host(),
                    "lies outside the zone's own networks, so its answers would not be admitted");
        }
    }

    /**
     * The zones named in {@code stir-shaken.sign.zones} and {@code stir-shaken.verify.zones} exist and are trunk
     * zones: SHAKEN signs and verifies at the interconnect between carriers, not toward the PBX or phones. Reads the
     * names from the document, for their lines; shapes the section reader refused are skipped.
     */
    void checkStirShakenZones(YamlTree.Mapping root, List<ZoneConfig> zones) {
        if (zones.isEmpty()) {
            return;
        }
        Map<String, ZoneConfig.ZoneRole> roles = new HashMap<>();
        zones.forEach(zone -> roles.put(zone.name(), zone.role()));
        YamlTree.Mapping section = childMapping(root, "stir-shaken");
        if (childValue(childMapping(section, "sign"), "zones") instanceof YamlTree.Sequence signZones) {
            for (int index = 0; index < signZones.items().size(); index++) {
                if (signZones.items().get(index) instanceof YamlTree.Scalar name && !name.isNull()) {
                    checkTrunkZone(name.line(), "stir-shaken.sign.zones[" + index + "]", name.text(), roles);
                }
            }
        }
        if (childValue(childMapping(section, "verify"), "zones") instanceof YamlTree.Mapping verifyZones) {
            verifyZones.entries().forEach((name, entry) -> checkTrunkZone(entry.keyLine(),
                    "stir-shaken.verify.zones." + name, name, roles));
        }
    }

    private void checkTrunkZone(int line, String path, String name, Map<String, ZoneConfig.ZoneRole> roles) {
        ZoneConfig.ZoneRole role = roles.get(name);
        if (role == null) {
            reader.error(line, path, name, "names no zone; zones are " + String.join(", ", roles.keySet().stream()
                    .sorted().toList()));
        } else if (role != ZoneConfig.ZoneRole.TRUNK) {
            reader.error(line, path, name, "is a " + role.name().toLowerCase(Locale.ROOT) + " zone; STIR/SHAKEN "
                    + "signs and verifies only at trunk zones (the interconnect with other carriers)");
        }
    }

    private static YamlTree childValue(YamlTree.Mapping parent, String key) {
        YamlTree.Entry entry = parent == null ? null : parent.entries().get(key);
        return entry == null ? null : entry.value();
    }

    private static YamlTree.Mapping childMapping(YamlTree.Mapping parent, String key) {
        return childValue(parent, key) instanceof YamlTree.Mapping child ? child : null;
    }

    /** The peer's host is an IP literal (checked when bound), so parsing it asks no DNS. */
    private static boolean insideOwnNetworks(ZoneConfig zone, ZoneConfig.PeerConfig peer) {
        try {
            InetAddress host = InetAddress.getByName(peer.host());
            return zone.networks().stream().anyMatch(network -> network.contains(host));
        } catch (IOException e) {
            return false;
        }
    }
}
