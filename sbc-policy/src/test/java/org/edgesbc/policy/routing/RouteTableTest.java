package org.edgesbc.policy.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.E164Normalizer;
import org.junit.jupiter.api.Test;

class RouteTableTest {
    private static final E164Normalizer GERMANY = new E164Normalizer(new DialPlan("49", "0", "00", Set.of("112")));

    private static RouteTable.OutboundRoute route(String prefix, String... trunks) {
        return new RouteTable.OutboundRoute(prefix, Set.of(), Set.of(), List.of(trunks));
    }

    private final RouteTable table = new RouteTable(GERMANY, List.of(
            route("", "carrier-a", "carrier-b"),
            route("44", "carrier-b"),
            route("4420", "carrier-c", "carrier-b"),
            new RouteTable.OutboundRoute("44", Set.of("branch-pbx"), Set.of(), List.of("carrier-a")),
            new RouteTable.OutboundRoute("44", Set.of(), Set.of("1001"), List.of("carrier-c"))),
            List.of("carrier-emergency"),
            List.of(new RouteTable.DidRange("4930123400", "4930123499", "pbx-berlin"),
                    new RouteTable.DidRange("4989", "4989", "pbx-munich"),
                    new RouteTable.DidRange("498912", "498912", "pbx-munich-lab")),
            "pbx-main");

    @Test
    void theLongestPrefixOfTheNormalisedNumberChoosesTheTrunks() {
        assertThat(table.outbound("pbx", "2000", "00442071234567").trunks()).containsExactly("carrier-c",
                "carrier-b");
        assertThat(table.outbound("pbx", "2000", "+44 161 123 4567").trunks()).containsExactly("carrier-b");
        assertThat(table.outbound("pbx", "2000", "030 1234567").trunks()).containsExactly("carrier-a", "carrier-b");
    }

    @Test
    void aRouteForTheCallingAccountBeatsOneForTheSourceZoneWhichBeatsAnOpenOne() {
        assertThat(table.outbound("branch-pbx", "1001", "+441611234567").trunks()).containsExactly("carrier-c");
        assertThat(table.outbound("branch-pbx", "2000", "+441611234567").trunks()).containsExactly("carrier-a");
        assertThat(table.outbound("pbx", null, "+441611234567").trunks()).containsExactly("carrier-b");
    }

    @Test
    void emergencyNumbersTakeTheirOwnRoute() {
        RouteTable.Outbound emergency = table.outbound("pbx", "2000", "112");
        assertThat(emergency.emergency()).isTrue();
        assertThat(emergency.trunks()).containsExactly("carrier-emergency");
    }

    @Test
    void withoutAnOpenRouteAnUnmatchedNumberHasNoTrunk() {
        RouteTable narrow = new RouteTable(GERMANY, List.of(route("44", "carrier-b")), List.of(), List.of(),
                "pbx-main");
        assertThat(narrow.outbound("pbx", null, "+3312345678").trunks()).isEmpty();
        assertThat(narrow.outbound("pbx", null, "112").trunks()).isEmpty();
    }

    @Test
    void calledNumbersChooseThePbxByDidBlockThenLongestPrefixThenDefault() {
        assertThat(table.inbound("+4930123450")).isEqualTo("pbx-berlin");
        assertThat(table.inbound("030 123410")).isEqualTo("pbx-berlin");
        assertThat(table.inbound("+49301234500")).isEqualTo("pbx-main");
        assertThat(table.inbound("+4930123499")).isEqualTo("pbx-berlin");
        assertThat(table.inbound("089 123456")).isEqualTo("pbx-munich-lab");
        assertThat(table.inbound("+49 89 7654321")).isEqualTo("pbx-munich");
        assertThat(table.inbound("+4940555")).isEqualTo("pbx-main");
    }
}
