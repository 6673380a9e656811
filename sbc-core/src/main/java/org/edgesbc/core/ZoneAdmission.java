package org.edgesbc.core;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.policy.Cidr;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.SourceAdmission;

/**
 * IP allowlisting: a source is admitted only when its address lies in a zone's networks, and belongs to the zone of
 * the most specific matching network. Everyone else is dropped before a byte is parsed. Immutable; a reload builds
 * a new one.
 */
final class ZoneAdmission implements SourceAdmission {
    private record Entry(Cidr network, String zone) { }

    private final Entry[] entries;

    ZoneAdmission(List<ZoneConfig> zones) {
        this(zones, List.of(), null);
    }

    /**
     * The zones of a configuration, and on a node of a cluster the other nodes' addresses in the default PBX zone:
     * a node relays a PBX call to the node holding the phone as the PBX would send it, so it is trusted as the PBX.
     * An address of its own is more specific than any network that also contains it.
     */
    static ZoneAdmission of(SbcConfig config) {
        return new ZoneAdmission(config.zones(), config.cluster().enabled() ? config.cluster().nodeAddresses()
                : List.of(), config.routing().defaultPbx());
    }

    private ZoneAdmission(List<ZoneConfig> zones, List<InetAddress> nodes, String pbxZone) {
        List<Entry> list = new ArrayList<>();
        for (ZoneConfig zone : zones) {
            for (Cidr network : zone.networks()) {
                list.add(new Entry(network, zone.name()));
            }
        }
        if (pbxZone != null) {
            for (InetAddress node : nodes) {
                list.add(new Entry(Cidr.parse(node.getHostAddress()), pbxZone));
            }
        }
        // Most specific first, so that the first match is the longest prefix.
        list.sort((x, y) -> Integer.compare(y.network().prefixLength(), x.network().prefixLength()));
        this.entries = list.toArray(new Entry[0]);
    }

    @Override
    public String admit(SipTransport transport, InetSocketAddress source) {
        byte[] address = source.getAddress().getAddress();
        for (Entry entry : entries) {
            if (entry.network().contains(address)) {
                return entry.zone();
            }
        }
        return null;
    }
}
