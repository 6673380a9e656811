package org.edgesbc.policy;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Source address to zone by longest-prefix match over the zones' CIDRs. Immutable: built once per configuration
 * snapshot and swapped in whole, so readers on any thread need no locking.
 *
 * <p>One binary trie per address family; a lookup walks at most 32 (IPv4) or 128 (IPv6) nodes, allocates
 * nothing, and its cost does not grow with the number of networks, so a handful or thousands of entries cost the
 * same per datagram.
 */
public final class ZoneTable {
    /** A zone: its configured name and kind. */
    public record Zone(String name, ZoneKind kind) { }

    /** One CIDR of one zone, the unit the table is built from. */
    public record Entry(Cidr network, Zone zone) { }

    private static final class Node {
        private Node zero;
        private Node one;
        private Zone zone;
    }

    private final Node ipv4 = new Node();
    private final Node ipv6 = new Node();
    private final List<Entry> entries;

    private ZoneTable(List<Entry> entries) {
        this.entries = List.copyOf(entries);
    }

    /**
     * Builds the table.
     *
     * @throws IllegalArgumentException when one network is given twice (to the same or to different zones): the
     *     configuration would be ambiguous, and silently picking one would hide the mistake
     */
    public static ZoneTable of(List<Entry> entries) {
        ZoneTable table = new ZoneTable(entries);
        for (Entry entry : entries) {
            table.insert(entry);
        }
        return table;
    }

    /** Builds the table from zones and their networks. */
    public static ZoneTable of(Map<Zone, List<Cidr>> networksByZone) {
        List<Entry> entries = new ArrayList<>();
        networksByZone.forEach((zone, networks) -> networks.forEach(n -> entries.add(new Entry(n, zone))));
        return of(entries);
    }

    private void insert(Entry entry) {
        byte[] bytes = entry.network().networkBytes();
        Node node = bytes.length == 4 ? ipv4 : ipv6;
        for (int bit = 0; bit < entry.network().prefixLength(); bit++) {
            if (bitAt(bytes, bit)) {
                node = node.one == null ? (node.one = new Node()) : node.one;
            } else {
                node = node.zero == null ? (node.zero = new Node()) : node.zero;
            }
        }
        if (node.zone != null) {
            throw new IllegalArgumentException(entry.network() + " is given twice (zones '" + node.zone.name()
                    + "' and '" + entry.zone().name() + "')");
        }
        node.zone = entry.zone();
    }

    /** The zone of the most specific network containing {@code source}; null when no zone contains it. */
    public Zone zoneOf(InetAddress source) {
        return zoneOf(source.getAddress());
    }

    /** As {@link #zoneOf(InetAddress)} for raw address bytes (4 or 16); null for any other length. */
    public Zone zoneOf(byte[] address) {
        Node node;
        if (address.length == 4) {
            node = ipv4;
        } else if (address.length == 16) {
            node = ipv6;
        } else {
            return null;
        }
        Zone best = node.zone;
        int bits = address.length * 8;
        for (int bit = 0; bit < bits; bit++) {
            node = bitAt(address, bit) ? node.one : node.zero;
            if (node == null) {
                break;
            }
            if (node.zone != null) {
                best = node.zone;
            }
        }
        return best;
    }

    /** The entries the table was built from, for the admin API. */
    public List<Entry> entries() {
        return entries;
    }

    private static boolean bitAt(byte[] bytes, int bit) {
        return (bytes[bit >>> 3] & (0x80 >>> (bit & 7))) != 0;
    }
}
