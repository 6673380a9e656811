package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.net.FreePorts;
import org.edgesbc.fixtures.sipp.Sipp;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with SIPp playing both ends: its built-in uac as the carrier at 127.0.0.2 and uas as the PBX at 127.0.0.3,
 * the daemon in between. SIPp exits 0 only when every call completed.
 */
class SippInteropIT {
    private static final int CALLS = 1_000;
    private static final int RATE = 50;

    @TempDir
    Path work;

    @BeforeAll
    static void sippInstalled() {
        assertThat(Sipp.available()).as("sipp on the PATH (Debian package sip-tester; .ci/run installs it)").isTrue();
    }

    @Test
    void thousandUdpCallsFromTrunkToPbx() throws Exception {
        runCalls(SipTransport.UDP, "127.0.0.2", "127.0.0.3");
    }

    @Test
    void thousandUdpCallsFromPbxToTrunk() throws Exception {
        runCalls(SipTransport.UDP, "127.0.0.3", "127.0.0.2");
    }

    @Test
    void thousandTcpCallsFromTrunkToPbx() throws Exception {
        runCalls(SipTransport.TCP, "127.0.0.2", "127.0.0.3");
    }

    private void runCalls(SipTransport transport, String callerHost, String calleeHost) throws Exception {
        int callerPort = freePort(transport, callerHost);
        int calleePort = freePort(transport, calleeHost);
        ZoneConfig.PeerConfig callerPeer = new ZoneConfig.PeerConfig(callerHost, callerPort, transport);
        ZoneConfig.PeerConfig calleePeer = new ZoneConfig.PeerConfig(calleeHost, calleePort, transport);
        boolean trunkCalls = callerHost.equals("127.0.0.2");
        SbcConfig config = TestConfigs.loopback(work, 0, 0, 0, trunkCalls ? callerPeer : calleePeer,
                trunkCalls ? calleePeer : callerPeer);
        String mode = transport == SipTransport.UDP ? "u1" : "t1";
        try (SbcDaemon sbc = SbcDaemon.start(config)) {
            InetSocketAddress sbcAddress = sbc.sipAddress(transport);
            try (Sipp uas = Sipp.start(work.resolve("uas"), List.of("-sn", "uas", "-t", mode,
                    "-i", calleeHost, "-p", Integer.toString(calleePort), "-m", Integer.toString(CALLS)))) {
                Thread.sleep(300);
                try (Sipp uac = Sipp.start(work.resolve("uac"), List.of("-sn", "uac", "-t", mode,
                        sbcAddress.getAddress().getHostAddress() + ":" + sbcAddress.getPort(),
                        "-i", callerHost, "-p", Integer.toString(callerPort), "-s", "5551234",
                        "-r", Integer.toString(RATE), "-m", Integer.toString(CALLS), "-timeout", "120s"))) {
                    int uacExit = uac.await(Duration.ofSeconds(150));
                    assertThat(uacExit).as("SIPp uac: every call succeeded\n%s", uac.diagnostics()).isZero();
                    int uasExit = uas.await(Duration.ofSeconds(30));
                    assertThat(uasExit).as("SIPp uas: every call succeeded\n%s", uas.diagnostics()).isZero();

                    List<String> seenByCaller = uac.receivedMessages();
                    List<String> seenByCallee = uas.receivedMessages();
                    assertThat(seenByCaller).hasSizeGreaterThanOrEqualTo(CALLS * 3);
                    assertThat(seenByCallee).hasSizeGreaterThanOrEqualTo(CALLS * 3);
                    assertNoLeak(seenByCaller, calleeHost, "Call-ID: ", uas.messageTrace());
                    assertNoLeak(seenByCallee, callerHost, "Call-ID: ", uac.messageTrace());
                }
            }
            SbcDaemonIT.awaitDialogs(sbc, 0);
        }
    }

    /**
     * Nothing that one side put in its headers reaches the other: its address, its Call-IDs and its Via branches.
     */
    private static void assertNoLeak(List<String> received, String otherHost, String callIdPrefix, String otherTrace) {
        List<String> otherCallIds = new ArrayList<>();
        List<String> otherBranches = new ArrayList<>();
        for (String line : otherTrace.split("\n")) {
            if (line.startsWith(callIdPrefix)) {
                otherCallIds.add(line.substring(callIdPrefix.length()).trim());
            }
            int branch = line.indexOf("branch=z9hG4bK-");
            if (line.startsWith("Via: ") && branch > 0) {
                otherBranches.add(line.substring(branch + 7).split("[;,\\s]")[0]);
            }
        }
        assertThat(otherCallIds).isNotEmpty();
        for (String message : received) {
            String head = message.split("\r?\n\r?\n", 2)[0];
            assertThat(message).as("headers and SDP").doesNotContain(otherHost);
            String callId = head.lines().filter(l -> l.startsWith(callIdPrefix)).findFirst().orElse("");
            assertThat(otherCallIds).doesNotContain(callId.substring(Math.min(callId.length(), callIdPrefix.length()))
                    .trim());
        }
        String all = String.join("\n", received);
        for (String branch : otherBranches.subList(0, Math.min(50, otherBranches.size()))) {
            assertThat(all).doesNotContain(branch + ";").doesNotContain(branch + "\n");
        }
    }

    private static int freePort(SipTransport transport, String host) {
        return transport == SipTransport.UDP ? FreePorts.udp(host) : FreePorts.tcp(host);
    }
}
