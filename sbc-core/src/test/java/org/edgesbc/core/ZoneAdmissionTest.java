package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;

class ZoneAdmissionTest {
    private static ZoneConfig zone(String name, ZoneConfig.ZoneRole role, String... networks) {
        return new ZoneConfig(name, role, List.of(networks).stream().map(Cidr::parse).toList(), null,
                SrtpPolicy.OFF);
    }

    private static String zoneOf(ZoneAdmission admission, String address) {
        return admission.admit(SipTransport.UDP, new InetSocketAddress(Cidr.address(address), 5060));
    }

    private final ZoneAdmission zones = new ZoneAdmission(List.of(
            zone("phones", ZoneConfig.ZoneRole.ACCESS, "127.0.0.0/25", "2001:db8::/32"),
            zone("carrier", ZoneConfig.ZoneRole.TRUNK, "127.0.0.2/32"),
            zone("pbx", ZoneConfig.ZoneRole.PBX, "127.0.0.3"),
            zone("office", ZoneConfig.ZoneRole.ACCESS, "127.0.0.64/26", "2001:db8:1::/48")));

    @Test
    void theMostSpecificNetworkWinsWhateverTheOrderOfTheZones() {
        assertThat(zoneOf(zones, "127.0.0.2")).isEqualTo("carrier");
        assertThat(zoneOf(zones, "127.0.0.3")).isEqualTo("pbx");
        assertThat(zoneOf(zones, "127.0.0.4")).isEqualTo("phones");
        assertThat(zoneOf(zones, "127.0.0.64")).isEqualTo("office");
        assertThat(zoneOf(zones, "127.0.0.127")).isEqualTo("office");
        assertThat(zoneOf(zones, "2001:db8:1::5")).isEqualTo("office");
        assertThat(zoneOf(zones, "2001:db8:2::5")).isEqualTo("phones");
    }

    @Test
    void addressesOutsideEveryZoneAreNotAdmitted() {
        assertThat(zoneOf(zones, "127.0.0.128")).isNull();
        assertThat(zoneOf(zones, "10.0.0.1")).isNull();
        assertThat(zoneOf(zones, "::1")).isNull();
    }

    @Test
    void aDefaultRouteAdmitsOnlyItsOwnAddressFamily() {
        ZoneAdmission catchAll = new ZoneAdmission(List.of(zone("phones", ZoneConfig.ZoneRole.ACCESS, "0.0.0.0/0"),
                zone("carrier", ZoneConfig.ZoneRole.TRUNK, "192.0.2.0/24")));
        assertThat(zoneOf(catchAll, "198.51.100.1")).isEqualTo("phones");
        assertThat(zoneOf(catchAll, "192.0.2.77")).isEqualTo("carrier");
        assertThat(zoneOf(catchAll, "::1")).as("an IPv4 default does not cover IPv6").isNull();
    }

    @Test
    void thousandsOfNetworksResolveCorrectly() {
        List<ZoneConfig> many = new ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            many.add(zone("z" + i, ZoneConfig.ZoneRole.ACCESS, "10." + (i >> 4) + "." + ((i & 15) << 4) + ".0/24"));
        }
        ZoneAdmission big = new ZoneAdmission(many);
        assertThat(zoneOf(big, "10.255.240.9")).isEqualTo("z4095");
        assertThat(zoneOf(big, "10.0.16.200")).isEqualTo("z1");
        assertThat(zoneOf(big, "10.0.17.1")).isNull();
    }
}
