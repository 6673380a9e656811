package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.edgesbc.core.cli.AdminClient;
import org.edgesbc.core.cli.SbcCommand;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Call control on a real daemon: list, show and end a call through the admin API, and the same (with bans,
 * registrations and drain) through the {@code sbc} subcommands run in-process against the daemon.
 */
class CallControlIT {
    private static final String TOKEN = "test-token";

    @TempDir
    Path dataDir;

    @Test
    void aCallIsListedShownWithBothLegsAndItsMediaAndEndedThroughTheApi() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket callerRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket calleeRtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.loopbackUdp(dataDir, trunk.localAddress(),
                        pbx.localAddress()))) {
            MediaAnchoringIT.Call call = MediaAnchoringIT.establish(sbc, trunk, pbx, callerRtp, calleeRtp);
            relayRtp(call, callerRtp, calleeRtp, 5);
            AdminClient admin = new AdminClient(URI.create("http://127.0.0.1:" + sbc.managementPort()), TOKEN);
            String id = call.calleeCallId();

            AdminClient.Answer all = admin.send("GET", "calls", Map.of());
            assertThat(all.status()).isEqualTo(200);
            assertThat(all.body()).contains("\"id\":\"" + id + "\"",
                    "\"original_call_id\":\"" + call.callerCallId() + "\"", "\"state\":\"confirmed\"",
                    "\"calling\":\"caller\"", "\"called\":\"5551234\"", "\"caller_zone\":\"trunk\"",
                    "\"callee_zone\":\"pbx\"", "\"matching\":1", "\"complete\":true");
            assertThat(list(admin, "zone", "pbx")).contains("\"matching\":1");
            assertThat(list(admin, "zone", "phones")).contains("\"calls\":[]", "\"matching\":0");
            assertThat(list(admin, "number", "5551")).contains("\"matching\":1");
            assertThat(list(admin, "number", "999")).contains("\"matching\":0");
            assertThat(list(admin, "min-age", "3600")).contains("\"matching\":0");
            assertThat(list(admin, "min-age", "0")).contains("\"matching\":1");
            assertThat(admin.send("GET", "calls", Map.of("limit", "0")).status()).isEqualTo(400);

            AdminClient.Answer shown = admin.send("GET", "calls/" + AdminClient.segment(call.callerCallId()),
                    Map.of());
            assertThat(shown.status()).as("found by the original Call-ID too").isEqualTo(200);
            assertThat(shown.body()).contains("\"id\":\"" + id + "\"",
                    "{\"side\":\"caller\",\"zone\":\"trunk\",\"call_id\":\"" + call.callerCallId()
                            + "\",\"from_tag\":\"ct\",\"to_tag\":\"" + call.callerTags().get(1) + "\"}",
                    "{\"side\":\"callee\",\"zone\":\"pbx\",\"call_id\":\"" + id
                            + "\",\"from_tag\":\"" + call.calleeTags().get(0) + "\",\"to_tag\":\"pt\"}",
                    "\"sbc_address\":\"127.0.0.1:" + call.sbcForCaller().getPort() + "\"",
                    "\"peer_address\":\"127.0.0.2:" + callerRtp.getLocalPort() + "\"",
                    "\"sbc_address\":\"127.0.0.1:" + call.sbcForCallee().getPort() + "\"",
                    "\"peer_address\":\"127.0.0.3:" + calleeRtp.getLocalPort() + "\"",
                    "\"state\":\"latched\",\"packets\":5", "\"lost\":0", "\"jitter_ms\":", "\"fraud\":null");
            assertThat(admin.send("GET", "calls/" + id, Map.of()).body()).contains("\"original_call_id\":\""
                    + call.callerCallId() + "\"");
            assertThat(admin.send("GET", "calls/nosuch@call", Map.of()).status()).isEqualTo(404);

            assertThat(admin.send("DELETE", "calls/" + id, Map.of()).status()).isEqualTo(200);
            MediaAnchoringIT.answerByesOnBothSides(trunk, pbx, call);
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(admin.send("DELETE", "calls/" + id, Map.of()).status()).as("gone").isEqualTo(404);
            assertThat(SbcDaemonIT.awaitCdrs(dataDir, 1)).singleElement().asString()
                    .contains("\"ended_by\":\"sbc:operator\"", "\"caller_call_id\":\"" + call.callerCallId() + "\"",
                            "\"callee_call_id\":\"" + id + "\"", "\"lost\":0", "\"jitter_ms\":");
        }
    }

    @Test
    void theCliListsShowsAndEndsCallsAndReachesBansRegistrationsAndDrain() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                DatagramSocket callerRtp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0));
                DatagramSocket calleeRtp = new DatagramSocket(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(withPhones(TestConfigs.loopbackUdp(dataDir, trunk.localAddress(),
                        pbx.localAddress())))) {
            MediaAnchoringIT.Call call = MediaAnchoringIT.establish(sbc, trunk, pbx, callerRtp, calleeRtp);
            Path tokenFile = Files.writeString(dataDir.resolve("token"), TOKEN + "\n");
            Cli cli = new Cli("--url", "http://127.0.0.1:" + sbc.managementPort(), "--token-file",
                    tokenFile.toString());

            assertThat(cli.run("calls", "list", "--zone", "trunk")).isZero();
            assertThat(cli.out()).contains("\"id\":\"" + call.calleeCallId() + "\"", "\"matching\":1");
            assertThat(cli.run("calls", "show", call.callerCallId())).isZero();
            assertThat(cli.out()).contains("\"original_call_id\":\"" + call.callerCallId() + "\"", "\"legs\":[");

            assertThat(cli.run("calls", "end", call.calleeCallId())).isZero();
            MediaAnchoringIT.answerByesOnBothSides(trunk, pbx, call);
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(cli.run("calls", "end", call.calleeCallId())).as("no such call").isEqualTo(4);
            assertThat(cli.err()).contains("HTTP 404");

            assertThat(cli.run("bans", "add", "192.0.2.77", "--duration", "60", "--note", "test")).isZero();
            assertThat(cli.run("bans", "list")).isZero();
            assertThat(cli.out()).contains("\"address\":\"192.0.2.77\"");
            assertThat(cli.run("bans", "remove", "192.0.2.77")).isZero();
            assertThat(cli.run("registrations", "list")).isZero();
            assertThat(cli.out()).contains("\"registrations\":[]");

            assertThat(cli.run("drain", "--status")).isZero();
            assertThat(cli.out()).contains("\"phase\":\"serving\"");
            assertThat(DrainIT.get(sbc, "/ready").statusCode()).isEqualTo(200);
            assertThat(cli.run("drain")).isZero();
            assertThat(cli.out()).contains("\"trigger\":\"admin API\"");
            assertThat(DrainIT.get(sbc, "/ready").statusCode()).isEqualTo(503);
            sbc.drained().get(5, java.util.concurrent.TimeUnit.SECONDS);

            Cli wrongToken = new Cli("--url", "http://127.0.0.1:" + sbc.managementPort(), "--token-file",
                    Files.writeString(dataDir.resolve("wrong"), "not-the-token-at-all").toString());
            assertThat(wrongToken.run("calls", "list")).isEqualTo(4);
            assertThat(wrongToken.err()).contains("HTTP 401");
        }
    }

    /** The {@code sbc} command line run in-process, with the admin options appended to every subcommand. */
    private static final class Cli {
        private final String[] adminOptions;
        private StringWriter out;
        private StringWriter err;

        Cli(String... adminOptions) {
            this.adminOptions = adminOptions;
        }

        int run(String... args) {
            out = new StringWriter();
            err = new StringWriter();
            CommandLine cli = new SbcCommand(config -> {
                throw new AssertionError("admin subcommands must not start an SBC");
            }).commandLine();
            cli.setOut(new PrintWriter(out, true));
            cli.setErr(new PrintWriter(err, true));
            String[] all = java.util.stream.Stream.concat(java.util.Arrays.stream(args),
                    java.util.Arrays.stream(adminOptions)).toArray(String[]::new);
            return cli.execute(all);
        }

        String out() {
            return out.toString();
        }

        String err() {
            return err.toString();
        }
    }

    private static String list(AdminClient admin, String name, String value) throws Exception {
        AdminClient.Answer answer = admin.send("GET", "calls", Map.of(name, value));
        assertThat(answer.status()).isEqualTo(200);
        return answer.body();
    }

    /** {@code packets} RTP packets each way, each one checked on arrival. */
    private static void relayRtp(MediaAnchoringIT.Call call, DatagramSocket callerRtp, DatagramSocket calleeRtp,
            int packets) throws Exception {
        for (int seq = 0; seq < packets; seq++) {
            MediaAnchoringIT.send(callerRtp, call.sbcForCaller(), MediaAnchoringIT.rtp(seq, 0x1111, "caller"));
            assertThat(MediaAnchoringIT.receive(calleeRtp)).isNotNull();
            MediaAnchoringIT.send(calleeRtp, call.sbcForCallee(), MediaAnchoringIT.rtp(seq, 0x2222, "callee"));
            assertThat(MediaAnchoringIT.receive(callerRtp)).isNotNull();
        }
    }

    private SbcConfig withPhones(SbcConfig base) {
        return TestConfigs.withPhones(base, RegistrationConfig.DEFAULTS, List.of("127.0.0.64/26"),
                List.of(TestConfigs.user("1001", "secret-1001-pw")));
    }
}
