package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.interconnect.DirectionRules;
import org.edgesbc.policy.interconnect.NumberFormat;
import org.edgesbc.transport.SipParseException;
import org.edgesbc.transport.SipTransport;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SplicedRequest;
import org.junit.jupiter.api.Test;

/** One test per rule of {@link DirectionRules}, on requests from a PBX zone to a trunk zone. */
class InterconnectRulesTest {
    private static final DialPlan UK = new DialPlan("44", "0", "00", Set.of("999"));
    private static final String SBC = "sbc.example";

    private static SplicedRequest invite(String extraHeaders) throws SipParseException {
        String text = "INVITE sip:02079460000@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK-1\r\n"
                + "Max-Forwards: 70\r\nFrom: \"Desk\" <sip:01632960001@10.0.0.5>;tag=1\r\n"
                + "To: <sip:02079460000@10.0.0.1>\r\nCall-ID: c1\r\nCSeq: 1 INVITE\r\n" + extraHeaders
                + "Content-Length: 0\r\n\r\n";
        return SplicedRequest.of(SipMessageView.parse(text.getBytes(StandardCharsets.US_ASCII)));
    }

    private static String written(SplicedRequest request) {
        return new String(request.writer().toBytes(), StandardCharsets.US_ASCII);
    }

    private static List<DialogLayer.Branch> towardTrunk(SplicedRequest request) {
        RelaySettings.ZonePeer trunk = new RelaySettings.ZonePeer("trunk", new InetSocketAddress("192.0.2.10", 5060),
                SipTransport.UDP, null);
        return List.of(new DialogLayer.Branch("trunk", null,
                PeerDirectory.peerUri(TopologyHiding.userOf(request.requestUri()), trunk),
                TopologyHiding.withHost(request.toAddress(), "192.0.2.10", -1), trunk));
    }

    private static DirectionRules rules(NumberFormat calling, NumberFormat called,
            DirectionRules.AssertedIdentity identity, boolean stripDiversion, String fromHost, boolean privacy,
            Map<String, String> add, List<String> remove) {
        return new DirectionRules(calling, called, identity, stripDiversion, fromHost, privacy, add, remove);
    }

    private static InterconnectRules outboundToTrunk(DirectionRules outbound) {
        return new InterconnectRules(Map.of("trunk", new ZoneConfig.Rules(null, DirectionRules.NONE, outbound)), UK,
                SBC);
    }

    private static DirectionRules only(NumberFormat calling, NumberFormat called) {
        return rules(calling, called, DirectionRules.AssertedIdentity.KEEP, false, null, false, Map.of(), List.of());
    }

    @Test
    void callingAndCalledNumbersAreWrittenAsTheTargetZoneAsks() throws Exception {
        SplicedRequest request = invite("P-Asserted-Identity: <sip:01632960001@10.0.0.5>\r\n");
        List<DialogLayer.Branch> branches = outboundToTrunk(only(NumberFormat.E164, NumberFormat.E164))
                .apply(request, "pbx", towardTrunk(request));
        assertThat(request.fromAddress().getURI().toString()).isEqualTo("sip:+441632960001@10.0.0.5");
        assertThat(request.value("P-Asserted-Identity")).contains("sip:+441632960001@10.0.0.5");
        assertThat(request.requestUri().toString()).isEqualTo("sip:+442079460000@10.0.0.1");
        assertThat(request.toAddress().getURI().toString()).isEqualTo("sip:+442079460000@10.0.0.1");
        assertThat(branches.get(0).requestUri().toString()).isEqualTo("sip:+442079460000@192.0.2.10:5060");
        assertThat(branches.get(0).callee().getURI().toString()).isEqualTo("sip:+442079460000@192.0.2.10");
    }

    @Test
    void theSourceZonesInboundRulesComeBeforeTheTargetsOutboundRules() throws Exception {
        SplicedRequest request = invite("");
        DirectionRules inboundE164 = only(NumberFormat.E164, NumberFormat.E164);
        InterconnectRules rules = new InterconnectRules(Map.of(
                "pbx", new ZoneConfig.Rules(UK, inboundE164, DirectionRules.NONE),
                "trunk", new ZoneConfig.Rules(new DialPlan("1", "1", "011", Set.of()), DirectionRules.NONE,
                        only(NumberFormat.NATIONAL, NumberFormat.AS_DIALLED))), UK, SBC);
        rules.apply(request, "pbx", towardTrunk(request));
        assertThat(request.fromAddress().getURI().toString()).isEqualTo("sip:011441632960001@10.0.0.5");
        assertThat(request.requestUri().toString()).isEqualTo("sip:+442079460000@10.0.0.1");
    }

    @Test
    void assertedIdentityIsStrippedOrSetFromTheFrom() throws Exception {
        SplicedRequest stripped = invite("P-Asserted-Identity: <sip:9999@10.0.0.5>\r\n");
        outboundToTrunk(rules(NumberFormat.AS_DIALLED, NumberFormat.AS_DIALLED, DirectionRules.AssertedIdentity.STRIP,
                false, null, false, Map.of(), List.of())).apply(stripped, "pbx", towardTrunk(stripped));
        assertThat(stripped.value("P-Asserted-Identity")).isNull();

        SplicedRequest set = invite("P-Asserted-Identity: <sip:9999@10.0.0.5>\r\n");
        outboundToTrunk(rules(NumberFormat.E164, NumberFormat.AS_DIALLED, DirectionRules.AssertedIdentity.FROM,
                false, "carrier.example", false, Map.of(), List.of())).apply(set, "pbx", towardTrunk(set));
        assertThat(set.values("P-Asserted-Identity")).hasSize(1);
        assertThat(set.value("P-Asserted-Identity"))
                .contains("<sip:+441632960001@carrier.example>");
    }

    @Test
    void diversionIsStripped() throws Exception {
        SplicedRequest request = invite("Diversion: <sip:4711@10.0.0.5>;reason=unconditional\r\n");
        outboundToTrunk(rules(NumberFormat.AS_DIALLED, NumberFormat.AS_DIALLED, DirectionRules.AssertedIdentity.KEEP,
                true, null, false, Map.of(), List.of())).apply(request, "pbx", towardTrunk(request));
        assertThat(request.value("Diversion")).isNull();
    }

    @Test
    void theFromHostIsSetAfterTopologyHiding() throws Exception {
        SplicedRequest request = invite("");
        InterconnectRules rules = outboundToTrunk(rules(NumberFormat.AS_DIALLED, NumberFormat.AS_DIALLED,
                DirectionRules.AssertedIdentity.KEEP, false, "sbc.carrier.example", false, Map.of(), List.of()));
        TopologyHiding topology = new TopologyHiding(SBC, Map.of(SipTransport.UDP, 5060));
        String from = rules.callerAddress(topology.sbcAddress(request.fromAddress()), request, "pbx",
                "trunk").toString();
        assertThat(from).contains("sip:01632960001@sbc.carrier.example").contains("Desk");
        assertThat(rules.callerAddress(topology.sbcAddress(request.fromAddress()), request, "trunk", "pbx")
                .toString()).as("only toward the zone whose rule it is").contains("@" + SBC);
    }

    @Test
    void privacyIdTowardAZoneThatHonoursItAnonymisesFromAndRemovesTheAssertedIdentity() throws Exception {
        DirectionRules honour = rules(NumberFormat.AS_DIALLED, NumberFormat.AS_DIALLED,
                DirectionRules.AssertedIdentity.KEEP, false, "sbc.carrier.example", true, Map.of(), List.of());
        TopologyHiding topology = new TopologyHiding(SBC, Map.of(SipTransport.UDP, 5060));

        SplicedRequest withheld = invite("P-Asserted-Identity: <sip:01632960001@10.0.0.5>\r\nPrivacy: id\r\n");
        InterconnectRules rules = outboundToTrunk(honour);
        rules.apply(withheld, "pbx", towardTrunk(withheld));
        assertThat(withheld.value("P-Asserted-Identity")).isNull();
        assertThat(rules.callerAddress(topology.sbcAddress(withheld.fromAddress()), withheld, "pbx",
                "trunk").toString()).isEqualTo("\"Anonymous\" <sip:anonymous@anonymous.invalid>");

        SplicedRequest open = invite("P-Asserted-Identity: <sip:01632960001@10.0.0.5>\r\nPrivacy: none\r\n");
        rules.apply(open, "pbx", towardTrunk(open));
        assertThat(open.value("P-Asserted-Identity")).isNotNull();
        assertThat(rules.callerAddress(topology.sbcAddress(open.fromAddress()), open, "pbx", "trunk")
                .toString()).contains("01632960001@sbc.carrier.example");
    }

    @Test
    void aReferrerAskingForPrivacyIsAnonymousTowardAZoneThatHonoursIt() throws Exception {
        DirectionRules honour = rules(NumberFormat.AS_DIALLED, NumberFormat.AS_DIALLED,
                DirectionRules.AssertedIdentity.KEEP, false, null, true, Map.of(), List.of());
        InterconnectRules rules = outboundToTrunk(honour);
        assertThat(rules.hidesReferrer(refer("Privacy: id\r\n"), "pbx", "trunk")).isTrue();
        assertThat(rules.hidesReferrer(refer("Privacy: header;user\r\n"), "pbx", "trunk")).isTrue();
        assertThat(rules.hidesReferrer(refer("Privacy: none\r\n"), "pbx", "trunk")).isFalse();
        assertThat(rules.hidesReferrer(refer(""), "pbx", "trunk")).isFalse();
        assertThat(rules.hidesReferrer(refer("Privacy: id\r\n"), "trunk", "pbx"))
                .as("the pbx zone honours nothing, nor does the trunk's inbound side").isFalse();
        assertThat(InterconnectRules.anonymousNameAddr())
                .isEqualTo("\"Anonymous\" <sip:anonymous@anonymous.invalid>");
    }

    private static SipMessageView refer(String extraHeaders) throws SipParseException {
        String text = "REFER sip:sbc@10.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK-2\r\n"
                + "Max-Forwards: 70\r\nFrom: <sip:200@10.0.0.5>;tag=1\r\nTo: <sip:4930123@10.0.0.1>;tag=2\r\n"
                + "Call-ID: c2\r\nCSeq: 2 REFER\r\nRefer-To: <sip:201@10.0.0.5>\r\n"
                + "Referred-By: <sip:200@10.0.0.5>\r\n" + extraHeaders + "Content-Length: 0\r\n\r\n";
        return SipMessageView.parse(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void listedHeadersAreRemovedAndAddedInOrder() throws Exception {
        SplicedRequest request = invite("X-Internal-Cost: 12\r\nX-Carrier: old\r\n");
        Map<String, String> add = new LinkedHashMap<>();
        add.put("X-Carrier", "acme");
        add.put("X-Trunk-Group", "tg1");
        outboundToTrunk(rules(NumberFormat.AS_DIALLED, NumberFormat.AS_DIALLED, DirectionRules.AssertedIdentity.KEEP,
                false, null, false, add, List.of("X-Internal-Cost"))).apply(request, "pbx", towardTrunk(request));
        assertThat(request.value("X-Internal-Cost")).isNull();
        assertThat(request.values("X-Carrier")).hasSize(1);
        assertThat(request.value("X-Carrier")).contains("acme");
        assertThat(request.value("X-Trunk-Group")).contains("tg1");
        assertThat(written(request)).as("as it leaves: the edited header where it stood, the new one after the others")
                .doesNotContain("X-Internal-Cost")
                .contains("CSeq: 1 INVITE\r\nX-Carrier: acme\r\nX-Trunk-Group: tg1\r\nContent-Length: 0\r\n");
    }

    @Test
    void zonesWithoutRulesLeaveTheRequestAlone() throws Exception {
        SplicedRequest request = invite("Diversion: <sip:4711@10.0.0.5>\r\n");
        String before = written(request);
        List<DialogLayer.Branch> branches = towardTrunk(request);
        assertThat(InterconnectRules.NONE.apply(request, "pbx", branches)).isSameAs(branches);
        assertThat(written(request)).isEqualTo(before);
    }
}
