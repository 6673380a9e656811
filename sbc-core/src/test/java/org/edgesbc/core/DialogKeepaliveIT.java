package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The keepalive of answered calls ({@code zones[].keepalive}) through the daemon: the trunk (caller) and the PBX
 * (callee) are plain UDP peers, and only the PBX's zone is probed, every 2 s, which only code can configure (the
 * loader takes 10 s or more).
 */
class DialogKeepaliveIT {
    private static final long WAIT = 5_000;

    @TempDir
    Path dataDir;

    @Test
    void aCallWhoseCalleeNoLongerHasTheDialogIsEndedOnBothSidesAndOneThatHasItGoesOn() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.withPbxKeepalive(TestConfigs.loopbackUdp(dataDir,
                        trunk.localAddress(), pbx.localAddress()), Duration.ofSeconds(2)))) {
            SessionTimerIT.Answered call = SessionTimerIT.call(sbc, trunk, pbx, List.of(), List.of());

            String first = pbx.receiveStartingWith("OPTIONS ", WAIT);
            assertThat(first).as("the PBX's leg is asked within its dialog").isNotNull();
            assertThat(header(first, "Call-ID")).isEqualTo(call.calleeCallId());
            assertThat(header(first, "From")).as("the SBC's tag of the PBX's leg")
                    .isEqualTo(header(call.invite(), "From"));
            assertThat(header(first, "To")).endsWith(";tag=pt");
            assertThat(header(first, "CSeq")).isEqualTo("2 OPTIONS");
            assertThat(first).doesNotContain(call.callerCallId(), "127.0.0.2");
            pbx.send(SipMessages.answer(first, 200, "OK", null, null));

            // The caller's next request follows the SBC's own on the PBX's leg (RFC 3261 §12.2.2).
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.send(SipMessages.inDialog("INFO", "sip:sbc@127.0.0.1:" + sbcUdp.getPort(), "UDP",
                    trunk.localAddress(), call.callerCallId(), call.from(), call.to(), 2, "z9hG4bK-ka-info"));
            String info = pbx.receiveStartingWith("INFO ", WAIT);
            assertThat(info).as("the caller's INFO reaches the PBX").isNotNull();
            assertThat(header(info, "CSeq")).isEqualTo("3 INFO");
            pbx.send(SipMessages.answer(info, 200, "OK", null, null));
            assertThat(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT)).as("the INFO's answer").isNotNull();

            String second = pbx.receiveStartingWith("OPTIONS ", WAIT);
            assertThat(second).as("a leg that answered is asked again").isNotNull();
            assertThat(header(second, "CSeq")).isEqualTo("4 OPTIONS");
            pbx.send(SipMessages.answer(second, 481, "Call/Transaction Does Not Exist", null, null));

            SessionTimerIT.expectByesOnBothSides(trunk, pbx, call);
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"disposition\":\"answered\"", "\"ended_by\":\"sbc:keepalive-failed\"");
            assertThat(SbcDaemonIT.metrics(sbc)).contains("sbc_dialog_keepalive_failed_total{zone=\"pbx\"} 1.0");
        }
    }
}
