package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.interconnect.DirectionRules;
import org.edgesbc.policy.interconnect.NumberFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Numbers arrive at each side in the format its zone asks for: the carrier wants E.164 with +, the PBX national
 * numbers (UK plan: country code 44, national prefix 0). The carrier also gets its own From host and a header of
 * its own, and never the PBX's internal one.
 */
class NumberRulesIT {
    private static final long WAIT = 5_000;
    private static final DialPlan UK = new DialPlan("44", "0", "00", Set.of("999"));

    @TempDir
    Path dataDir;

    @Test
    void eachSideGetsNumbersInItsOwnFormat() throws Exception {
        try (TrunkAndPbx net = new TrunkAndPbx(dataDir, config -> TestConfigs.withRules(TestConfigs.withRules(config, "trunk",
                new ZoneConfig.Rules(UK, DirectionRules.NONE, new DirectionRules(NumberFormat.E164, NumberFormat.E164,
                        DirectionRules.AssertedIdentity.FROM, true, "sbc.carrier.test", false,
                        Map.of("X-Carrier-Account", "acme-42"), List.of("X-Pbx-Internal")))),
                "pbx", new ZoneConfig.Rules(UK, DirectionRules.NONE, new DirectionRules(NumberFormat.NATIONAL,
                        NumberFormat.NATIONAL, DirectionRules.AssertedIdentity.KEEP, false, null, false, Map.of(),
                        List.of()))))) {
            SbcDaemon sbc = net.sbc;
            UdpSipPeer trunk = net.trunk;
            UdpSipPeer pbx = net.pbx;
            InetSocketAddress sbcUdp = net.sbcUdp;
            String toCarrier = RelayedCall.deliverInvite(pbx, trunk, SipMessages.invite("UDP", pbx.localAddress(),
                    sbcUdp, "02079460000", "out@pbx", "z9hG4bK-out", "pbx-tag")
                    .replace("sip:caller@", "sip:01632960001@")
                    .replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\nX-Pbx-Internal: cost-centre-7\r\n"
                            + "Diversion: <sip:4711@127.0.0.3>;reason=unconditional\r\n"));
            if (toCarrier == null) {
                List<String> heard = new ArrayList<>();
                pbx.receiveStartingWith("SIP/2.0 2", 300, heard);
                assertThat(toCarrier).as("the call reaches the carrier; the PBX heard %s", heard).isNotNull();
            }
            assertThat(toCarrier).startsWith("INVITE sip:+442079460000@127.0.0.2:");
            assertThat(header(toCarrier, "To")).startsWith("<sip:+442079460000@");
            assertThat(header(toCarrier, "From")).contains("<sip:+441632960001@sbc.carrier.test>");
            assertThat(header(toCarrier, "P-Asserted-Identity"))
                    .isEqualTo("<sip:+441632960001@sbc.carrier.test>");
            assertThat(header(toCarrier, "X-Carrier-Account")).isEqualTo("acme-42");
            assertThat(toCarrier).doesNotContain("X-Pbx-Internal", "cost-centre-7", "Diversion");
            trunk.send(SipMessages.answer(toCarrier, 486, "Busy Here", "busy", null));
            assertThat(pbx.receiveStartingWith("SIP/2.0 486 ", WAIT)).isNotNull();

            String toPbx = RelayedCall.deliverInvite(trunk, pbx, SipMessages.invite("UDP", trunk.localAddress(),
                    sbcUdp, "+442079460000", "in@carrier", "z9hG4bK-in", "carrier-tag")
                    .replace("sip:caller@", "sip:+441632960001@"));
            assertThat(toPbx).as("the call reaches the PBX").isNotNull();
            assertThat(toPbx).startsWith("INVITE sip:02079460000@127.0.0.3:");
            assertThat(header(toPbx, "To")).startsWith("<sip:02079460000@");
            assertThat(header(toPbx, "From")).contains("<sip:01632960001@127.0.0.1>");
            assertThat(toPbx).doesNotContain("X-Carrier-Account");
            pbx.send(SipMessages.answer(toPbx, 486, "Busy Here", "busy", null));
            assertThat(trunk.receiveStartingWith("SIP/2.0 486 ", WAIT)).isNotNull();
            SbcDaemonIT.awaitDialogs(sbc, 0);
        }
    }
}
