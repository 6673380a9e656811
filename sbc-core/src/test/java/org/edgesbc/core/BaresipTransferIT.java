package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.fixtures.net.FreePorts;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A blind transfer (RFC 5589 §6.1) with a real softphone as transferee: baresip (Debian package baresip) calls the
 * PBX through the SBC from the trunk side, the PBX refers it to extension 201, and baresip's own INVITE for 201
 * comes back through the SBC to the PBX. baresip runs headless with a configuration generated here, on loopback.
 */
class BaresipTransferIT {
    private static final long WAIT = 10_000;

    @TempDir
    Path dataDir;
    private Process baresip;

    @AfterEach
    void stopBaresip() throws Exception {
        if (baresip != null) {
            baresip.destroy();
            if (!baresip.waitFor(5, TimeUnit.SECONDS)) {
                baresip.destroyForcibly();
            }
            // What baresip saw, in the test's output: the first place to look when the flow fails.
            Path log = dataDir.resolve("baresip").resolve("baresip.log");
            if (Files.exists(log)) {
                System.out.println(Files.readString(log));
            }
        }
    }

    @Test
    void baresipFollowsAPbxsReferToAnotherExtensionThroughTheSbc() throws Exception {
        int baresipPort = FreePorts.udp("127.0.0.2");
        try (UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            SbcConfig config = TestConfigs.loopbackUdp(dataDir, new InetSocketAddress("127.0.0.2", baresipPort),
                    pbx.localAddress());
            try (SbcDaemon sbc = SbcDaemon.start(config)) {
                InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
                pbx.towards(sbcUdp);
                warmUp(pbx, sbcUdp);
                baresip = startBaresip(baresipPort, "sip:200@127.0.0.1:" + sbcUdp.getPort());

                String invite = pbx.receiveStartingWith("INVITE ", WAIT);
                assertThat(invite).as("baresip's INVITE relayed to the PBX").isNotNull();
                String calleeContact = "<sip:200@127.0.0.3:" + pbx.localAddress().getPort() + ">";
                pbx.send(SipMessages.answer(invite, 200, "OK", "pbx-200", calleeContact,
                        SipMessages.sdp("127.0.0.3", 42_000)));
                assertThat(pbx.receiveStartingWith("ACK ", WAIT)).as("baresip's ACK").isNotNull();

                String sbcTarget = RelayedCall.uriOf(header(invite, "Contact"));
                String refer = "REFER " + sbcTarget + " SIP/2.0\r\n"
                        + "Via: SIP/2.0/UDP 127.0.0.3:" + pbx.localAddress().getPort() + ";branch=z9hG4bK-refer1\r\n"
                        + "Max-Forwards: 70\r\n"
                        + "From: " + header(invite, "To") + ";tag=pbx-200\r\n"
                        + "To: " + header(invite, "From") + "\r\n"
                        + "Call-ID: " + header(invite, "Call-ID") + "\r\n"
                        + "CSeq: 1 REFER\r\n"
                        + "Contact: " + calleeContact + "\r\n"
                        + "Refer-To: <sip:201@127.0.0.3>\r\n"
                        + "Referred-By: <sip:200@127.0.0.3>\r\n"
                        + "Content-Length: 0\r\n\r\n";
                pbx.send(refer);

                List<String> seen = new ArrayList<>();
                String transferred = pbx.receiveStartingWith("INVITE sip:201@", WAIT, seen);
                if (seen.stream().noneMatch(m -> m.startsWith("SIP/2.0 202 "))) {
                    // The 202 and the new INVITE belong to different dialogs, relayed independently: either may come
                    // first.
                    String accepted = pbx.receiveStartingWith("SIP/2.0 202 ", WAIT, seen);
                    if (accepted != null) {
                        seen.add(accepted);
                    }
                }
                assertThat(seen).as("baresip accepted the REFER").anyMatch(m -> m.startsWith("SIP/2.0 202 "));
                assertThat(transferred).as("baresip's INVITE to the transfer target, through the SBC").isNotNull()
                        .startsWith("INVITE sip:201@127.0.0.3").contains("c=IN IP4 127.0.0.1");
                assertThat(SipTestPeer.headers(transferred)).doesNotContain("127.0.0.2");
                for (String notify : seen.stream().filter(m -> m.startsWith("NOTIFY ")).toList()) {
                    assertThat(notify).contains("message/sipfrag").doesNotContain("127.0.0.2");
                    pbx.send(SipMessages.answer(notify, 200, "OK", null, null));
                }
                pbx.send(SipMessages.answer(transferred, 200, "OK", "pbx-201", "<sip:201@127.0.0.3:"
                        + pbx.localAddress().getPort() + ">", SipMessages.sdp("127.0.0.3", 42_002)));
                String done = pbx.receiveStartingWith("NOTIFY ", WAIT, seen);
                if (done != null && !done.contains("SIP/2.0 200")) {
                    pbx.send(SipMessages.answer(done, 200, "OK", null, null));
                    done = pbx.receiveStartingWith("NOTIFY ", WAIT, seen);
                }
                assertThat(done).as("the transfer's final progress reaches the PBX").isNotNull()
                        .contains("SIP/2.0 200 OK").doesNotContain("127.0.0.2");
            }
        }
    }

    /**
     * A cold daemon on a loaded machine may shed the first INVITE with 503 (the relay thread fell behind while the
     * JIT compiled), which a UDP test peer could retry but baresip does not: a few short calls warm the path up.
     */
    private static void warmUp(UdpSipPeer pbx, InetSocketAddress sbcUdp) throws IOException {
        try (UdpSipPeer caller = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0), sbcUdp)) {
            String invite = null;
            for (int attempt = 0; attempt < 5 && invite == null; attempt++) {
                caller.send(SipMessages.invite("UDP", caller.localAddress(), sbcUdp, "200", "warm-" + attempt
                        + "@trunk.example", "z9hG4bK-warm" + attempt, "warm"));
                invite = pbx.receiveStartingWith("INVITE ", 2_000);
            }
            assertThat(invite).as("a warm-up call reaches the PBX").isNotNull();
            pbx.send(SipMessages.answer(invite, 486, "Busy Here", "busy", null));
            assertThat(pbx.receiveStartingWith("ACK ", WAIT)).isNotNull();
        }
    }

    private Process startBaresip(int port, String dial) throws IOException {
        Path home = dataDir.resolve("baresip");
        Files.createDirectories(home);
        Files.writeString(home.resolve("config"), String.join("\n",
                "poll_method epoll", "sip_listen 127.0.0.2:" + port, "audio_source ausine,440",
                "ausrc_srate 48000", "ausrc_channels 2", "auplay_srate 48000",
                "rtcp_mux no", "module_path /usr/lib/baresip/modules",
                "module g711.so", "module ausine.so", "module_app account.so",
                "module_app menu.so", ""));
        Files.writeString(home.resolve("accounts"),
                "<sip:caller@127.0.0.2:" + port + ";transport=udp>;regint=0;audio_codecs=PCMU\n");
        try {
            return new ProcessBuilder("baresip", "-f", home.toString(), "-e", "/dial " + dial, "-t", "60")
                    .directory(home.toFile()).redirectErrorStream(true)
                    .redirectOutput(home.resolve("baresip.log").toFile()).start();
        } catch (IOException e) {
            throw new IOException("baresip is needed for this test (Debian package baresip)", e);
        }
    }
}
