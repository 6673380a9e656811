package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.fixtures.sip.StreamSipPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Faults from outside, injected into a real daemon on loopback: peers whose connections are reset in the middle of a
 * message, a data folder that stops taking writes, a corrupt state file at start. Each must leave the SBC serving,
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

    private static double gauge(SbcDaemon sbc, String series) throws Exception {
        for (String line : SbcDaemonIT.metrics(sbc).split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1));
            }
        }
        throw new AssertionError("no metric " + series);
    }

    private static void awaitGauge(SbcDaemon sbc, String series, double expected) throws Exception {
        for (int i = 0; i < 100 && gauge(sbc, series) != expected; i++) {
            TimeUnit.MILLISECONDS.sleep(50);
        }
        assertThat(gauge(sbc, series)).as(series).isEqualTo(expected);
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
}
