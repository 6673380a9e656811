package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;
import static org.edgesbc.fixtures.sip.SipTestPeer.headers;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 3xx answers through the real daemon (RFC 3261 §8.1.3.4): recursed by the SBC within the zone's peer, a bounded
 * number of times and within the caller's toll-fraud rules, or relayed with the SBC's Contacts, per zone.
 */
class RedirectIT {
    private static final long WAIT = RelayedCall.WAIT;

    @TempDir
    Path dataDir;

    @Test
    void aPbxRedirectToAnotherExtensionIsFollowedByTheSbcAndTheCallerNeverSeesIt() throws Exception {
        try (TrunkAndPbx sides = new TrunkAndPbx(dataDir, config -> config)) {
            String first = RelayedCall.deliverInvite(sides.trunk, sides.pbx,
                    SipMessages.invite("UDP", sides.trunk.localAddress(), sides.sbcUdp, "200",
                    "recurse@trunk.example", "z9hG4bK-recurse", "tr"));
            String pbxHostPort = "127.0.0.3:" + sides.pbx.localAddress().getPort();
            sides.pbx.send(SipMessages.answer(first, 302, "Moved Temporarily", "moved", "<sip:201@" + pbxHostPort
                    + ">"));
            assertThat(sides.pbx.receiveStartingWith("ACK ", WAIT)).as("the SBC acknowledges the 302").isNotNull();
            String second = sides.pbx.receiveStartingWith("INVITE ", WAIT);
            assertThat(second).startsWith("INVITE sip:201@" + pbxHostPort + " SIP/2.0");
            assertThat(header(second, "Call-ID")).isEqualTo(header(first, "Call-ID"));
            assertThat(header(second, "CSeq")).isEqualTo("2 INVITE");
            assertThat(SipTestPeer.tag(header(second, "To"))).isNull();
            assertThat(second).contains("c=IN IP4 127.0.0.1").doesNotContain("127.0.0.2", "recurse@trunk.example");

            sides.pbx.send(SipMessages.answer(second, 200, "OK", "p201", "<sip:201@" + pbxHostPort + ">",
                    SipMessages.sdp("127.0.0.3", 42_000)));
            List<String> seen = new ArrayList<>();
            String ok = sides.trunk.receiveStartingWith("SIP/2.0 200 ", WAIT, seen);
            assertThat(ok).contains("recurse@trunk.example").doesNotContain(header(first, "Call-ID"), "127.0.0.3");
            assertThat(seen).noneMatch(m -> m.startsWith("SIP/2.0 3"));
            assertThat(SbcDaemonIT.metrics(sides.sbc))
                    .contains("sbc_redirect_total{action=\"recursed\",zone=\"pbx\"} 1.0");
        }
    }

    @Test
    void redirectsOutsideThePeerOrBeyondTheHopLimitAreRelayedWithTheSbcsContacts() throws Exception {
        try (TrunkAndPbx sides = new TrunkAndPbx(dataDir, config -> config)) {
            String invite = RelayedCall.deliverInvite(sides.trunk, sides.pbx,
                    SipMessages.invite("UDP", sides.trunk.localAddress(), sides.sbcUdp, "200",
                    "elsewhere@trunk.example", "z9hG4bK-elsewhere", "te"));
            sides.pbx.send(SipMessages.answer(invite, 302, "Moved Temporarily", "moved",
                    "<sip:7001@192.0.2.10:5070>;q=0.5, <sip:7002@192.0.2.11>"));
            String relayed = sides.trunk.receiveStartingWith("SIP/2.0 302 ", WAIT);
            assertThat(header(relayed, "Contact")).isEqualTo("<sip:7001@" + sides.sbcHostPort() + ">, <sip:7002@"
                    + sides.sbcHostPort() + ">");
            assertThat(relayed).doesNotContain("192.0.2.", "127.0.0.3", header(invite, "Call-ID"));

            String next = RelayedCall.deliverInvite(sides.trunk, sides.pbx,
                    SipMessages.invite("UDP", sides.trunk.localAddress(), sides.sbcUdp, "200",
                    "loop@trunk.example", "z9hG4bK-loop", "tl"));
            String pbxContact = "<sip:200@127.0.0.3:" + sides.pbx.localAddress().getPort() + ">";
            for (int hop = 0; hop <= 3; hop++) {
                next = hop == 0 ? next : sides.pbx.receiveStartingWith("INVITE ", WAIT);
                assertThat(next).as("INVITE %d", hop).isNotNull();
                sides.pbx.send(SipMessages.answer(next, 302, "Moved Temporarily", "m" + hop, pbxContact));
            }
            String last = sides.trunk.receiveStartingWith("SIP/2.0 302 ", WAIT);
            assertThat(header(last, "Contact")).isEqualTo("<sip:200@" + sides.sbcHostPort() + ">");
            assertThat(SbcDaemonIT.metrics(sides.sbc))
                    .contains("sbc_redirect_total{action=\"recursed\",zone=\"pbx\"} 3.0")
                    .contains("sbc_redirect_total{action=\"relayed\",zone=\"pbx\"} 2.0");
        }
    }

    @Test
    void aZoneSetToRelayHasItsRedirectsRelayed() throws Exception {
        try (TrunkAndPbx sides = new TrunkAndPbx(dataDir, config -> withRedirects(config, "pbx",
                ZoneConfig.RedirectMode.RELAY))) {
            String invite = RelayedCall.deliverInvite(sides.trunk, sides.pbx,
                    SipMessages.invite("UDP", sides.trunk.localAddress(), sides.sbcUdp, "200",
                    "relay@trunk.example", "z9hG4bK-relay", "tx"));
            sides.pbx.send(SipMessages.answer(invite, 301, "Moved Permanently", "moved", "<sip:201@127.0.0.3:"
                    + sides.pbx.localAddress().getPort() + ">"));
            String relayed = sides.trunk.receiveStartingWith("SIP/2.0 301 ", WAIT);
            assertThat(header(relayed, "Contact")).isEqualTo("<sip:201@" + sides.sbcHostPort() + ">");
            assertThat(headers(relayed)).doesNotContain("127.0.0.3", "FixtureCallee");
            assertThat(SbcDaemonIT.metrics(sides.sbc))
                    .contains("sbc_redirect_total{action=\"relayed\",zone=\"pbx\"} 1.0");
        }
    }

    /** A carrier redirecting a PBX call to a premium number must not get around the toll-fraud rules. */
    @Test
    void aTrunkRedirectOfAPbxCallIsFollowedOnlyToNumbersTheCallersFraudRulesAllow() throws Exception {
        try (TrunkAndPbx sides = new TrunkAndPbx(dataDir, config -> config)) {
            String trunkHostPort = "127.0.0.2:" + sides.trunk.localAddress().getPort();
            String invite = RelayedCall.deliverInvite(sides.pbx, sides.trunk,
                    SipMessages.invite("UDP", sides.pbx.localAddress(), sides.sbcUdp, "030123456",
                    "premium@pbx.example", "z9hG4bK-premium", "pp"));
            sides.trunk.send(SipMessages.answer(invite, 302, "Moved Temporarily", "moved",
                    "<sip:09001234567@" + trunkHostPort + ">"));
            String refused = sides.pbx.receiveStartingWith("SIP/2.0 4", WAIT);
            assertThat(refused).startsWith("SIP/2.0 403 ").contains("premium@pbx.example");
            assertThat(sides.trunk.receiveStartingWith("INVITE ", 300)).isNull();

            String nationalInvite = RelayedCall.deliverInvite(sides.pbx, sides.trunk,
                    SipMessages.invite("UDP", sides.pbx.localAddress(), sides.sbcUdp, "030123456",
                    "national@pbx.example", "z9hG4bK-national", "pn"));
            sides.trunk.send(SipMessages.answer(nationalInvite, 302, "Moved Temporarily", "moved",
                    "<sip:030765432@" + trunkHostPort + ">"));
            String followed = sides.trunk.receiveStartingWith("INVITE ", WAIT);
            assertThat(followed).startsWith("INVITE sip:030765432@" + trunkHostPort);
            assertThat(SbcDaemonIT.metrics(sides.sbc))
                    .contains("sbc_redirect_total{action=\"refused\",zone=\"trunk\"} 1.0")
                    .contains("sbc_redirect_total{action=\"recursed\",zone=\"trunk\"} 1.0");
        }
    }

    private static SbcConfig withRedirects(SbcConfig base, String zoneName, ZoneConfig.RedirectMode mode) {
        List<ZoneConfig> zones = base.zones().stream().map(z -> z.name().equals(zoneName)
                ? new ZoneConfig(z.name(), z.role(), z.networks(), z.peers(), z.srtp(), z.office(), z.probe(), mode,
                        z.sessionTimers(), z.digestAlgorithms()) : z).toList();
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), base.security(), base.fraud(),
                zones, base.management(), base.registration(), base.stirShaken());
    }
}
