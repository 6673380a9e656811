package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.core.SbcDaemonIT.metric;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.fixtures.sip.SipDigest;
import org.edgesbc.fixtures.sip.StreamSipPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.fixtures.time.SteppedClock;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Faults from outside, injected into a real daemon on loopback: peers whose connections are reset in the middle of a
 * message, a data folder that stops taking writes (state files, CDRs), a corrupt state file at start, a wall clock
 * stepped under a running daemon. Each must leave the SBC serving,
 * its tables back at their idle values, and no error in its log.
 */
class FaultInjectionIT {
    private static final String PASSWORD = "fault-secret-17";

    @TempDir
    Path dataDir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);

    @BeforeEach
    void watchTheLog() {
        log.start();
        root.addAppender(log);
    }

    @AfterEach
    void stopWatching() {
        root.detachAppender(log);
    }

    private List<String> errorsLogged() {
        return log.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }

    private SbcConfig config(UdpSipPeer trunk, UdpSipPeer pbx) {
        return TestConfigs.withPhones(TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress()),
                RegistrationConfig.DEFAULTS, List.of("127.0.0.0/25"), List.of(TestConfigs.user("1001", PASSWORD)));
    }

    private static String register(String callId, int bodyBytesClaimed) {
        return "REGISTER sip:" + TestConfigs.REALM + " SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.12:5062;branch=z9hG4bK-"
                + callId + "\r\nMax-Forwards: 70\r\nFrom: <sip:1001@" + TestConfigs.REALM + ">;tag=f" + callId
                + "\r\nTo: <sip:1001@" + TestConfigs.REALM + ">\r\nCall-ID: " + callId + "\r\nCSeq: 1 REGISTER\r\n"
                + "Contact: <sip:1001@192.168.1.12:5062;transport=tcp>\r\nExpires: 60\r\nContent-Length: "
                + bodyBytesClaimed + "\r\n\r\n";
    }

    private static void awaitGauge(SbcDaemon sbc, String series, double expected) throws Exception {
        for (int i = 0; i < 100 && metric(sbc, series) != expected; i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertThat(metric(sbc, series)).as(series).isEqualTo(expected);
    }

    @Test
    void tcpAndTlsConnectionsResetInTheMiddleOfAMessageLeaveNothingBehind() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx))) {
            var tls = SbcDaemonIT.trusting(dataDir.resolve("tls/sbc-cert.pem"));
            for (SipTransport transport : List.of(SipTransport.TCP, SipTransport.TLS)) {
                // 20 rounds of: half a header, a whole header with half its body, a whole message then half another.
                for (int round = 0; round < 20; round++) {
                    String whole = register(transport + "-" + round, 0);
                    String cut = switch (round % 3) {
                        case 0 -> whole.substring(0, whole.length() / 2);
                        case 1 -> register(transport + "-" + round, 200) + "v=0\r\no=- 1 1 IN IP4 ";
                        default -> whole + whole.substring(0, 40);
                    };
                    StreamSipPeer peer = SbcDaemonIT.connect(transport, "127.0.0.12", sbc, tls);
                    peer.sendBytes(cut.getBytes(StandardCharsets.US_ASCII));
                    if (round % 3 == 2) {
                        assertThat(peer.receive(5_000)).as("the whole message is answered").startsWith(
                                "SIP/2.0 401 ");
                    }
                    peer.reset();
                }
                awaitGauge(sbc, "sbc_transport_connections", 0);
                try (StreamSipPeer fresh = SbcDaemonIT.connect(transport, "127.0.0.12", sbc, tls)) {
                    fresh.send(register(transport + "-after", 0));
                    assertThat(fresh.receive(5_000)).as("%s still serves", transport).startsWith("SIP/2.0 401 ");
                }
            }
            awaitGauge(sbc, "sbc_transport_connections", 0);
            // Only the answered REGISTERs (6 rounds and one fresh connection per transport) keep a transaction, until
            // Timer J; the half-sent messages never became one.
            assertThat(sbc.activeTransactions()).isLessThanOrEqualTo(14);
            assertThat(errorsLogged()).isEmpty();
        }
    }

    /** A request from a scanner, which the SBC drops and bans: the ban file is written at once. */
    private static String scan(String callId) {
        return "OPTIONS sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.20:5060;branch=z9hG4bK-" + callId
                + "\r\nMax-Forwards: 70\r\nFrom: <sip:100@127.0.0.1>;tag=" + callId + "\r\nTo: <sip:100@127.0.0.1>"
                + "\r\nCall-ID: " + callId + "\r\nCSeq: 1 OPTIONS\r\nUser-Agent: friendly-scanner\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    @Test
    void aBanFileThatCannotBeWrittenIsCountedLoggedOnceAndWrittenWhenTheDiskIsBack() throws Exception {
        // The ban file's path taken by a directory: the atomic move onto it fails, even for root (whom a read-only
        // folder would not stop).
        Path banFile = dataDir.resolve("bans.tsv");
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx))) {
            Files.deleteIfExists(banFile);
            Files.createDirectories(banFile.resolve("in-the-way"));
            for (int i = 20; i < 25; i++) {
                try (UdpSipPeer scanner = new UdpSipPeer(new InetSocketAddress("127.0.0." + i, 0),
                        sbc.sipAddress(SipTransport.UDP))) {
                    scanner.send(scan("scan-" + i));
                    assertThat(scanner.receive(300)).isNull();
                }
            }
            String failures = "sbc_state_write_failures_total{file=\"bans\"}";
            for (int i = 0; i < 100 && metric(sbc, failures) < 1; i++) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(metric(sbc, failures)).isGreaterThanOrEqualTo(1);
            assertThat(log.list.stream().filter(e -> e.getFormattedMessage().contains("cannot write the ban file")))
                    .as("logged once per interval, however many bans failed to be written").hasSize(1);

            // Calls are unaffected: a phone is still answered.
            try (UdpSipPeer phone = new UdpSipPeer(new InetSocketAddress("127.0.0.12", 0),
                    sbc.sipAddress(SipTransport.UDP))) {
                phone.send(register("after-disk-error", 0).replace("SIP/2.0/TCP", "SIP/2.0/UDP"));
                assertThat(phone.receive(5_000)).startsWith("SIP/2.0 401 ");
            }

            // The disk is back: the next retry writes every ban.
            Files.delete(banFile.resolve("in-the-way"));
            Files.delete(banFile);
            for (int i = 0; i < 300 && !Files.isRegularFile(banFile); i++) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(Files.readString(banFile)).contains("127.0.0.20", "127.0.0.24");
        }
    }

    @Test
    void aCdrFileThatCannotBeWrittenIsCountedLoggedOncePerIntervalAndItsRecordsWrittenWhenTheDiskIsBack()
            throws Exception {
        // The CDR file is /dev/full: opened like a file, every write fails with ENOSPC, as on a full disk.
        Path cdrFile = FullDisk.under(dataDir.resolve("cdr").resolve("cdr.jsonl"));
        long started = System.nanoTime();
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.towards(sbcUdp);
            pbx.towards(sbcUdp);
            String failures = "sbc_records_write_failures_total{file=\"cdr\"}";
            SbcDaemonIT.placeCall(trunk, "UDP", pbx, "UDP", sbcUdp, "full-disk-1@trunk.example");
            for (int i = 0; i < 100 && metric(sbc, failures) < 1; i++) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(metric(sbc, failures)).as("the first CDR's write was refused").isGreaterThanOrEqualTo(1);

            // Calls are unaffected while the CDR file refuses writes.
            SbcDaemonIT.placeCall(pbx, "UDP", trunk, "UDP", sbcUdp, "full-disk-2@pbx.example");
            SbcDaemonIT.placeCall(trunk, "UDP", pbx, "UDP", sbcUdp, "full-disk-3@trunk.example");
            for (int i = 0; i < 100 && metric(sbc, failures) < 3; i++) {
                TimeUnit.MILLISECONDS.sleep(50);
            }
            assertThat(metric(sbc, failures)).as("tried again every second").isGreaterThanOrEqualTo(3);
            long intervals = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started) / 10 + 1;
            assertThat(errorsLogged().stream().filter(m -> m.contains("sbc-cdr: cannot write")))
                    .as("logged once per 10 s, however many writes failed").isNotEmpty()
                    .hasSizeLessThanOrEqualTo((int) intervals);

            // The disk is back: the next try writes every CDR kept meanwhile, none was dropped.
            Files.delete(cdrFile);
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 3)).hasSize(3)
                    .anySatisfy(c -> assertThat(c).contains("full-disk-1@trunk.example"))
                    .anySatisfy(c -> assertThat(c).contains("full-disk-2@pbx.example"))
                    .anySatisfy(c -> assertThat(c).contains("full-disk-3@trunk.example"))
                    .allSatisfy(c -> assertThat(c).contains("\"disposition\":\"answered\""));
            assertThat(metric(sbc, "sbc_records_dropped_total{file=\"cdr\",reason=\"write_failed\"}")).isZero();
            assertThat(metric(sbc, "sbc_records_dropped_total{file=\"cdr\",reason=\"queue_full\"}")).isZero();
        }
    }

    /** {@link #register} over UDP, with {@code authorization} when not null. */
    private static String udpRegister(String callId, String authorization) {
        String request = register(callId, 0).replace("SIP/2.0/TCP", "SIP/2.0/UDP");
        return authorization == null ? request
                : request.replace("Expires: ", "Authorization: " + authorization + "\r\nExpires: ");
    }

    @Test
    void aWallClockSteppedForwardLiftsNoBanAndClosesNoAuthenticationFailureWindow() throws Exception {
        SteppedClock wall = new SteppedClock(ZoneId.systemDefault());
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx), wall)) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            try (UdpSipPeer scanner = new UdpSipPeer(new InetSocketAddress("127.0.0.20", 0), sbcUdp)) {
                scanner.send(scan("stepped-scan"));
                assertThat(scanner.receive(300)).isNull();
                awaitGauge(sbc, "sbc_security_bans_active", 1);
                // Two hours on the wall clock: past the hour the ban lasts, had it been kept in wall time.
                wall.step(Duration.ofHours(2));
                scanner.send(udpRegister("after-the-step", null));
                assertThat(scanner.receive(1_000)).as("still banned").isNull();
                assertThat(metric(sbc, "sbc_security_bans_active")).isEqualTo(1);
            }
            try (UdpSipPeer guesser = new UdpSipPeer(new InetSocketAddress("127.0.0.21", 0), sbcUdp)) {
                int answered = 0;
                for (int guess = 1; guess <= 12; guess++) {
                    if (guess == 6) {
                        // An hour on the wall clock between the 5th and 6th failure: past the 10-minute window.
                        wall.step(Duration.ofHours(1));
                    }
                    guesser.send(udpRegister("guess-" + guess, null));
                    String challenge = guesser.receive(2_000);
                    if (challenge == null) {
                        break;
                    }
                    guesser.send(udpRegister("guess-" + guess + "-answer", SipDigest.credentials(
                            SipDigest.md5Challenge(challenge), TestConfigs.REALM, "1001", "wrong-" + guess, "REGISTER",
                            "sip:" + TestConfigs.REALM, 1)));
                    if (guesser.receive(2_000) == null) {
                        break;
                    }
                    answered++;
                }
                assertThat(answered).as("banned at the 10th failure, five of them after the step").isEqualTo(9);
            }
            awaitGauge(sbc, "sbc_security_bans_active", 2);
            assertThat(errorsLogged()).isEmpty();
        }
    }

    @Test
    void aCorruptLineOfAStateFileIsSkippedAndNamedAndAnUnreadableFileStopsTheStartNamingIt() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            Path banFile = dataDir.resolve("bans.tsv");
            String future = java.time.Instant.now().plusSeconds(3_600).toString();
            Files.writeString(banFile, "# edge SBC bans\n127.0.0.30\tSCANNER\t2026-01-01T00:00:00Z\t" + future
                    + "\t1\t\tkept\nthis line was cut off by a power failu\n");
            try (SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx))) {
                assertThat(log.list.stream().map(ILoggingEvent::getFormattedMessage))
                        .anySatisfy(m -> assertThat(m).contains(banFile + ":3:"))
                        .anySatisfy(m -> assertThat(m).contains("restored 1 active bans"));
            }

            // Not text at all (a disk error, another program's file): refused, the file named, nothing started.
            Files.write(banFile, new byte[] {'1', '2', '7', (byte) 0xC3, (byte) 0x28, 0, (byte) 0xFF, '\n'});
            SbcConfig config = config(trunk, pbx);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SbcDaemon.start(config).close())
                    .isInstanceOf(java.io.IOException.class).hasMessageContaining(banFile.toString())
                    .hasMessageContaining("move it aside to start without it");
            Files.write(dataDir.resolve("fraud-state.tsv"), new byte[] {(byte) 0xFE, (byte) 0xFE});
            Files.delete(banFile);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> SbcDaemon.start(config).close())
                    .hasMessageContaining(dataDir.resolve("fraud-state.tsv").toString());
        }
    }
}
