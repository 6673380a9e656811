package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.net.FreePorts;
import org.edgesbc.fixtures.sipp.Sipp;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A flood from the access zone (SIPp sending INVITEs as fast as it can, and a REGISTER blaster) while the carrier
 * places ordinary calls at 20 calls/s: the calls complete and the flooders end up banned. Bounded: 10 s of flood.
 */
class FloodIT {
    private static final int LEGIT_CALLS = 200;

    @TempDir
    Path work;

    @BeforeAll
    static void sippInstalled() {
        assertThat(Sipp.available()).as("sipp on the PATH").isTrue();
    }

    @Test
    void legitimateCallsCompleteWhileAFlooderIsBanned() throws Exception {
        int trunkPort = FreePorts.udp("127.0.0.2");
        int pbxPort = FreePorts.udp("127.0.0.3");
        SbcConfig base = TestConfigs.loopback(work, 0, 0, 0,
                new ZoneConfig.PeerConfig("127.0.0.2", trunkPort, SipTransport.UDP),
                new ZoneConfig.PeerConfig("127.0.0.3", pbxPort, SipTransport.UDP));
        List<ZoneConfig> zones = new ArrayList<>(base.zones());
        zones.add(new ZoneConfig("phones", ZoneConfig.ZoneRole.ACCESS, List.of(Cidr.parse("127.0.0.0/25")), null,
                SrtpPolicy.OFF));
        SbcConfig config = new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), base.security(),
                base.fraud(), zones, base.management(), base.registration(), base.stirShaken());
        try (SbcDaemon sbc = SbcDaemon.start(config)) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            String target = "127.0.0.1:" + sbcUdp.getPort();
            try (Sipp uas = Sipp.start(work.resolve("uas"), List.of("-sn", "uas", "-i", "127.0.0.3", "-p",
                    Integer.toString(pbxPort)));
                    Sipp flooder = Sipp.start(work.resolve("flood"), List.of("-sn", "uac", target, "-i", "127.0.0.20",
                            "-p", Integer.toString(FreePorts.udp("127.0.0.20")), "-r", "5000", "-m", "50000",
                            "-timeout", "10s", "-recv_timeout", "500"))) {
                AtomicLong registers = new AtomicLong();
                Thread blaster = new Thread(() -> blastRegisters(sbcUdp, registers, Duration.ofSeconds(8)));
                blaster.start();
                Thread.sleep(500);
                try (Sipp caller = Sipp.start(work.resolve("uac"), List.of("-sn", "uac", target, "-i", "127.0.0.2",
                        "-p", Integer.toString(trunkPort), "-s", "5551234", "-r", "20", "-m",
                        Integer.toString(LEGIT_CALLS), "-timeout", "60s", "-trace_stat", "-stf", "stats.csv",
                        "-fd", "1"))) {
                    caller.await(Duration.ofSeconds(90));
                    blaster.join();
                    long[] calls = callCounts(work.resolve("uac").resolve("stats.csv"));
                    System.out.printf("flood: %d legitimate calls ok, %d failed; %d flood REGISTERs sent%n", calls[0],
                            calls[1], registers.get());
                    assertThat(calls[0]).as("successful legitimate calls (failed: %d)\n%s", calls[1],
                            caller.diagnostics()).isGreaterThanOrEqualTo(LEGIT_CALLS * 99 / 100);
                }
                assertThat(registers.get()).isGreaterThan(1_000);
            }
            String metrics = SbcDaemonIT.metrics(sbc);
            // SIPp's INVITE flood is banned by the flood rule; the REGISTER blaster, naming a new numeric user in
            // each request, is an extension sweep and meets that detector first.
            assertThat(metrics).containsPattern("sbc_security_decisions_total\\{action=\"ban\",rule=\"flood\"} [1-9]")
                    .containsPattern("sbc_security_decisions_total\\{action=\"ban\",rule=\"extension_sweep\"} [1-9]");
            assertThat(metrics).containsPattern("sbc_security_decisions_total\\{action=\"drop\",rule=\"banned\"} \\d{3,}");
        }
    }

    /**
     * A second flooder: REGISTERs from 127.0.0.21 at about 5,000 per second (SIPp's own pace on this machine), for
     * a bounded time. An unpaced loop in this JVM would take a whole core from the two the test has.
     */
    private static void blastRegisters(InetSocketAddress sbc, AtomicLong sent, Duration duration) {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress("127.0.0.21", 0))) {
            long start = System.nanoTime();
            long end = start + duration.toNanos();
            for (int i = 0; System.nanoTime() < end && i < 100_000; i++) {
                long due = start + i * 200_000L;
                long wait = due - System.nanoTime();
                if (wait > 0) {
                    java.util.concurrent.locks.LockSupport.parkNanos(wait);
                }
                byte[] bytes = ("REGISTER sip:sbc.test SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.21:5060;branch=z9hG4bK-" + i
                        + "\r\nMax-Forwards: 70\r\nFrom: <sip:" + (1000 + i % 9000) + "@sbc.test>;tag=" + i
                        + "\r\nTo: <sip:" + (1000 + i % 9000) + "@sbc.test>\r\nCall-ID: flood-" + i
                        + "\r\nCSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
                socket.send(new DatagramPacket(bytes, bytes.length, sbc));
                sent.incrementAndGet();
            }
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Successful and failed calls from SIPp's statistics file (columns named in its header line). */
    private static long[] callCounts(Path csv) throws java.io.IOException {
        List<String> lines = Files.readAllLines(csv);
        String[] header = lines.get(0).split(";");
        String[] last = lines.get(lines.size() - 1).split(";");
        long ok = -1;
        long failed = -1;
        for (int i = 0; i < header.length && i < last.length; i++) {
            if (header[i].equals("SuccessfulCall(C)")) {
                ok = Long.parseLong(last[i].trim());
            } else if (header[i].equals("FailedCall(C)")) {
                failed = Long.parseLong(last[i].trim());
            }
        }
        return new long[] {ok, failed};
    }
}
