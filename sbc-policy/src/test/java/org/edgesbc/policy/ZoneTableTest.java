package org.edgesbc.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ZoneTableTest {
    private static final ZoneTable.Zone TRUNK = new ZoneTable.Zone("carrier", ZoneKind.TRUNK);
    private static final ZoneTable.Zone PBX = new ZoneTable.Zone("pbx", ZoneKind.PBX);
    private static final ZoneTable.Zone PHONES = new ZoneTable.Zone("phones", ZoneKind.ACCESS);
    private static final ZoneTable.Zone OFFICE = new ZoneTable.Zone("office", ZoneKind.OFFICE);

    private final ZoneTable table = ZoneTable.of(new LinkedHashMap<>(Map.of(
            PHONES, List.of(Cidr.parse("127.0.0.0/25"), Cidr.parse("2001:db8::/32")),
            TRUNK, List.of(Cidr.parse("127.0.0.2/32")),
            PBX, List.of(Cidr.parse("127.0.0.3")),
            OFFICE, List.of(Cidr.parse("127.0.0.64/26"), Cidr.parse("2001:db8:1::/48")))));

    @Test
    void theMostSpecificNetworkWins() {
        assertThat(table.zoneOf(Cidr.address("127.0.0.2"))).isEqualTo(TRUNK);
        assertThat(table.zoneOf(Cidr.address("127.0.0.3"))).isEqualTo(PBX);
        assertThat(table.zoneOf(Cidr.address("127.0.0.4"))).isEqualTo(PHONES);
        assertThat(table.zoneOf(Cidr.address("127.0.0.64"))).isEqualTo(OFFICE);
        assertThat(table.zoneOf(Cidr.address("127.0.0.127"))).isEqualTo(OFFICE);
        assertThat(table.zoneOf(Cidr.address("2001:db8:1::5"))).isEqualTo(OFFICE);
        assertThat(table.zoneOf(Cidr.address("2001:db8:2::5"))).isEqualTo(PHONES);
    }

    @Test
    void addressesOutsideEveryZoneHaveNone() {
        assertThat(table.zoneOf(Cidr.address("127.0.0.128"))).isNull();
        assertThat(table.zoneOf(Cidr.address("10.0.0.1"))).isNull();
        assertThat(table.zoneOf(Cidr.address("::1"))).isNull();
        assertThat(table.zoneOf(new byte[5])).isNull();
    }

    @Test
    void aDefaultRouteCatchesEverythingOfItsFamily() {
        ZoneTable catchAll = ZoneTable.of(List.of(new ZoneTable.Entry(Cidr.parse("0.0.0.0/0"), PHONES),
                new ZoneTable.Entry(Cidr.parse("192.0.2.0/24"), TRUNK)));
        assertThat(catchAll.zoneOf(Cidr.address("198.51.100.1"))).isEqualTo(PHONES);
        assertThat(catchAll.zoneOf(Cidr.address("192.0.2.77"))).isEqualTo(TRUNK);
        assertThat(catchAll.zoneOf(Cidr.address("::1"))).as("IPv4 default does not cover IPv6").isNull();
    }

    @Test
    void thousandsOfNetworksResolveCorrectly() {
        List<ZoneTable.Entry> entries = new ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            ZoneTable.Zone zone = new ZoneTable.Zone("z" + i, ZoneKind.ACCESS);
            entries.add(new ZoneTable.Entry(Cidr.parse("10." + (i >> 4) + "." + ((i & 15) << 4) + ".0/24"), zone));
        }
        ZoneTable big = ZoneTable.of(entries);
        assertThat(big.zoneOf(Cidr.address("10.255.240.9")).name()).isEqualTo("z4095");
        assertThat(big.zoneOf(Cidr.address("10.0.16.200")).name()).isEqualTo("z1");
        assertThat(big.zoneOf(Cidr.address("10.0.17.1"))).isNull();
        assertThat(big.entries()).hasSize(4096);
    }

    @Test
    void aNetworkGivenTwiceIsAConfigurationError() {
        assertThatThrownBy(() -> ZoneTable.of(List.of(new ZoneTable.Entry(Cidr.parse("127.0.0.0/25"), PHONES),
                new ZoneTable.Entry(Cidr.parse("127.0.0.0/25"), OFFICE))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("127.0.0.0/25")
                .hasMessageContaining("phones").hasMessageContaining("office");
    }
}
