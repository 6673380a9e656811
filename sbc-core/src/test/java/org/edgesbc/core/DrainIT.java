package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.edgesbc.core.cli.AdminClient;
import org.edgesbc.core.cli.SbcCommand;
import org.edgesbc.core.config.DrainConfig;
import org.edgesbc.core.config.ManagementConfig;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Graceful drain of a real daemon on loopback: through {@code sbc run} and SIGTERM (the signal handler the command
 * installs, called as the JVM would), and through the daemon's own drain with a short drain-timeout.
 */
class DrainIT {
    private static final long WAIT = 5_000;
    /** {@code sbc run} needs a file that loads; the launcher below starts the test's own loopback config instead. */
    private static final String ANY_VALID_FILE = "../config/sbc.yaml";

    @TempDir
    Path dataDir;

    private final BlockingQueue<Runnable> termHandlers = new LinkedBlockingQueue<>();
    private final BlockingQueue<Thread> shutdownHooks = new LinkedBlockingQueue<>();
    private final AtomicReference<SbcDaemon> running = new AtomicReference<>();
    private UdpSipPeer trunk;
    private UdpSipPeer pbx;
    private DatagramSocket callerRtp;
    private DatagramSocket calleeRtp;
    /** What {@code sbc run} returns, once {@link #runWithACallUp} started it. */
    private CompletableFuture<Integer> exit;

    @BeforeEach
    void peers() throws IOException {
        trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
        pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
        callerRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
        calleeRtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
    }

    @AfterEach
    void stop() {
        SbcDaemon sbc = running.get();
        if (sbc != null) {
            sbc.close();
        }
        trunk.close();
        pbx.close();
        callerRtp.close();
        calleeRtp.close();
    }

    @Test
    void sigtermRefusesNewCallsButEmergencyCallsLetsTheCallFinishAndRunExitsZero() throws Exception {
        MediaAnchoringIT.Call call = runWithACallUp();
        Runnable sigterm = sigtermHandler();
        SbcDaemon sbc = running.get();
        assertThat(get(sbc, "/ready").statusCode()).isEqualTo(200);
        assertThat(SbcDaemonIT.metrics(sbc)).contains("sbc_draining 0.0");

        sigterm.run();

        assertThat(get(sbc, "/ready").statusCode()).as("ready turns 503 at once").isEqualTo(503);
        assertThat(SbcDaemonIT.metrics(sbc)).contains("sbc_draining 1.0");
        InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
        trunk.send(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5550000", "late@trunk", "z9hG4bK-late",
                "lt"));
        String refused = trunk.receiveStartingWith("SIP/2.0 503 ", WAIT);
        assertThat(refused).as("a new call is refused").isNotNull();
        assertThat(header(refused, "Retry-After")).isEqualTo("60");
        assertThat(header(refused, "Call-ID")).isEqualTo("late@trunk");

        trunk.send(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "112", "emergency@trunk",
                "z9hG4bK-sos", "et"));
        String emergency = pbx.receiveStartingWith("INVITE ", WAIT);
        assertThat(emergency).as("an emergency call still goes through").isNotNull().startsWith("INVITE sip:112@");
        pbx.send(SipMessages.answer(emergency, 486, "Busy Here", "eb", null));
        assertThat(trunk.receiveStartingWith("SIP/2.0 486 ", WAIT)).isNotNull();
        SbcDaemonIT.awaitDialogs(sbc, 1);
        assertThat(exit).as("the call in progress goes on").isNotDone();

        trunk.send(SipMessages.inDialog("BYE", "sip:sbc@127.0.0.1:" + sbcUdp.getPort(), "UDP",
                trunk.localAddress(), call.callerCallId(), call.callerFrom(), call.callerTo(), 2,
                "z9hG4bK-bye"));
        String bye = pbx.receiveStartingWith("BYE ", WAIT);
        assertThat(bye).as("the caller's BYE goes through").isNotNull();
        assertThat(header(bye, "Call-ID")).isEqualTo(call.calleeCallId());
        pbx.send(SipMessages.answer(bye, 200, "OK", null, null));
        assertThat(trunk.receiveStartingWith("SIP/2.0 200 ", WAIT)).isNotNull();

        assertThat(exit.get(10, TimeUnit.SECONDS)).as("the drained SBC stops with exit code 0").isZero();
        assertThat(dataDir.resolve("fraud-state.tsv")).as("state written on the way out").exists();
        assertThat(SbcDaemonIT.awaitCdrs(dataDir, 2)).anySatisfy(cdr -> assertThat(cdr)
                .contains("\"caller_call_id\":\"" + call.callerCallId() + "\"",
                        "\"callee_call_id\":\"" + call.calleeCallId() + "\"", "\"ended_by\":\"caller\""));
    }

    @Test
    void aSecondSigtermStopsAtOnceWithTheCallStillUp() throws Exception {
        runWithACallUp();
        Runnable sigterm = sigtermHandler();
        SbcDaemon sbc = running.get();

        sigterm.run();
        assertThat(get(sbc, "/ready").statusCode()).isEqualTo(503);
        assertThat(exit).as("draining while the call is up").isNotDone();
        sigterm.run();

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(dataDir.resolve("fraud-state.tsv")).exists();
    }

    @Test
    void aDrainStartedThroughTheAdminApiAlsoEndsSbcRunWithExitCodeZero() throws Exception {
        MediaAnchoringIT.Call call = runWithACallUp();
        SbcDaemon sbc = running.get();
        AdminClient admin = new AdminClient(URI.create("http://127.0.0.1:" + sbc.managementPort()), "test-token");

        AdminClient.Answer started = admin.send("POST", "drain", Map.of());

        assertThat(started.status()).isEqualTo(202);
        assertThat(started.body()).contains("\"phase\":\"draining\"", "\"trigger\":\"admin API\"",
                "\"active_calls\":1");
        assertThat(get(sbc, "/ready").statusCode()).isEqualTo(503);
        assertThat(exit).as("the call in progress goes on").isNotDone();
        assertThat(admin.send("DELETE", "calls/" + call.calleeCallId(), Map.of()).body()).contains("\"ended\":\"bye\"");
        MediaAnchoringIT.answerByesOnBothSides(trunk, pbx, call);

        assertThat(exit.get(10, TimeUnit.SECONDS)).isZero();
        assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                .contains("\"ended_by\":\"sbc:operator\"");
    }

    @Test
    void drainTimeoutEndsALingeringCallWithByeOnBothSides() throws Exception {
        try (SbcDaemon sbc = SbcDaemon.start(config(Duration.ofSeconds(1)))) {
            MediaAnchoringIT.Call call = MediaAnchoringIT.establish(sbc, trunk, pbx, callerRtp, calleeRtp);

            CompletableFuture<Void> drained = sbc.drain("test");

            assertThat(drained).as("not drained while the call is up").isNotDone();
            MediaAnchoringIT.answerByesOnBothSides(trunk, pbx, call);

            drained.get(10, TimeUnit.SECONDS);
            assertThat(sbc.activeDialogs()).isZero();
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"ended_by\":\"sbc:drain-timeout\"", "\"disposition\":\"answered\"");
        }
    }

    @Test
    void whileDrainingAPhoneIsGrantedTheShortDrainExpiryWhateverItsTransport() throws Exception {
        String password = "phone-secret-42";
        try (RegistrarPbx registrar = new RegistrarPbx("127.0.0.3");
                SbcDaemon sbc = SbcDaemon.start(withDrain(TestConfigs.withPhones(
                        TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), registrar.address()),
                        RegistrationConfig.DEFAULTS, List.of("127.0.0.0/25"),
                        List.of(TestConfigs.user("1002", password))),
                        new DrainConfig(Duration.ofMinutes(5), Duration.ofSeconds(60), Duration.ofSeconds(40))));
                TestPhone phone = new TestPhone(SbcDaemonIT.connect(SipTransport.TCP, "127.0.0.12", sbc, null), "TCP",
                        TestConfigs.REALM, "1002", password, "sip:1002@192.168.1.11:5062;transport=tcp")) {
            String before = phone.register(3600);
            assertThat(before).startsWith("SIP/2.0 200 ");
            assertThat(RegistrationIT.grantedExpires(before, phone.contact)).as("stream-expires, less jitter")
                    .isBetween(480, 600);

            sbc.drain("test").get(5, TimeUnit.SECONDS);

            String during = phone.register(3600);
            assertThat(during).as("registrations are still answered").startsWith("SIP/2.0 200 ");
            assertThat(RegistrationIT.grantedExpires(during, phone.contact)).as("drain-register-expires, less jitter")
                    .isBetween(32, 40);
        }
    }

    /**
     * Runs {@code sbc run} in the background with a launcher that starts the loopback config (drain-timeout 5m),
     * and establishes a call from the trunk to the PBX through it.
     */
    private MediaAnchoringIT.Call runWithACallUp() throws Exception {
        SbcConfig config = config(Duration.ofMinutes(5));
        SbcCommand command = new SbcCommand(ignored -> {
            SbcDaemon daemon = SbcDaemon.start(config);
            running.set(daemon);
            return daemon;
        }, shutdownHooks::add, termHandlers::add);
        exit = CompletableFuture.supplyAsync(() -> command.commandLine().execute("run", "--config", ANY_VALID_FILE));
        for (int i = 0; i < 1_000 && running.get() == null && !exit.isDone(); i++) {
            TimeUnit.MILLISECONDS.sleep(10);
        }
        assertThat(running.get()).as("sbc run started the SBC").isNotNull();
        return MediaAnchoringIT.establish(running.get(), trunk, pbx, callerRtp, calleeRtp);
    }

    /** The SIGTERM handler {@code sbc run} installs once the SBC serves. */
    private Runnable sigtermHandler() throws InterruptedException {
        Runnable handler = termHandlers.poll(10, TimeUnit.SECONDS);
        assertThat(handler).as("run installs a SIGTERM handler").isNotNull();
        return handler;
    }

    /** The loopback topology toward the test's trunk and PBX peers, with {@code drainTimeout}. */
    private SbcConfig config(Duration drainTimeout) {
        return withDrain(TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress()),
                new DrainConfig(drainTimeout, Duration.ofSeconds(60), Duration.ofSeconds(60)));
    }

    private static SbcConfig withDrain(SbcConfig base, DrainConfig drain) {
        ManagementConfig m = base.management();
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), base.security(), base.fraud(),
                base.zones(), new ManagementConfig(m.address(), m.port(), m.token(), drain), base.registration(),
                base.stirShaken());
    }

    static HttpResponse<String> get(SbcDaemon sbc, String path) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sbc.managementPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
