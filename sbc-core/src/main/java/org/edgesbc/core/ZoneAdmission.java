package org.edgesbc.core;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
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
        List<Entry> list = new ArrayList<>();
        for (ZoneConfig zone : zones) {
            for (Cidr network : zone.networks()) {
                list.add(new Entry(network, zone.name()));
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
