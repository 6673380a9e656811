package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.core.SbcDaemonIT.metric;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.net.InetSocketAddress;
import org.edgesbc.fixtures.time.SteppedClock;
import java.util.concurrent.TimeUnit;
import java.time.ZoneId;
import java.time.Duration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.core.config.RegistrationConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SipConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.SipTestPeer;
import org.edgesbc.fixtures.sip.StreamSipPeer;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.policy.auth.DigestCredentials;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Remote phones behind NAT registering through the real daemon over loopback UDP, TCP and TLS, and the calls to
 * and from them. Every phone's Contact names a private address it is not reachable at; the SBC must reach it where
 * it registered from, and the PBX must see only the SBC.
 */
class RegistrationIT {
    private static final String PASSWORD = "phone-secret-42";

    @TempDir
    Path dataDir;

    private SbcConfig config(RegistrarPbx pbx, UdpSipPeer trunk, String... users) {
        List<DigestUser> accounts = new ArrayList<>();
        for (String user : users) {
            accounts.add(TestConfigs.user(user, PASSWORD));
        }
        return TestConfigs.withPhones(TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.address()),
                RegistrationConfig.DEFAULTS, List.of("127.0.0.0/25"), accounts);
    }

    private TestPhone udpPhone(SbcDaemon sbc, String host, String user, String contact) throws Exception {
        return new TestPhone(new UdpSipPeer(new InetSocketAddress(host, 0), sbc.sipAddress(SipTransport.UDP)), "UDP",
                TestConfigs.REALM, user, PASSWORD, contact);
    }

    private TestPhone streamPhone(SbcDaemon sbc, SipTransport transport, String host, String user, String contact)
            throws Exception {
        StreamSipPeer peer = SbcDaemonIT.connect(transport, host, sbc, transport == SipTransport.TLS
                ? SbcDaemonIT.trusting(dataDir.resolve("tls/sbc-cert.pem")) : null);
        return new TestPhone(peer, transport.name(), TestConfigs.REALM, user, PASSWORD, contact);
    }

    /** The expires parameter the SBC granted to {@code contact} in a 200 to a REGISTER. */
    static int grantedExpires(String answer, String contact) {
        Matcher m = Pattern.compile("<" + Pattern.quote(contact) + ">;expires=(\\d+)").matcher(answer);
        assertThat(m.find()).as("the 200 lists %s with its expiry:\n%s", contact, answer).isTrue();
        return Integer.parseInt(m.group(1));
    }

    @Test
    void phonesBehindNatRegisterOverUdpTcpAndTlsWhileThePbxSeesOnlyTheSbc() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(config(pbx, trunk, "1001", "1002", "1003"));
                TestPhone udp = udpPhone(sbc, "127.0.0.11", "1001", "sip:1001@192.168.1.10:5062");
                TestPhone tcp = streamPhone(sbc, SipTransport.TCP, "127.0.0.12", "1002",
                        "sip:1002@192.168.1.11:5062;transport=tcp");
                TestPhone tls = streamPhone(sbc, SipTransport.TLS, "127.0.0.13", "1003",
                        "sip:1003@192.168.1.12:5063;transport=tls")) {
            for (TestPhone phone : List.of(udp, tcp, tls)) {
                String answer = phone.register(3600);
                assertThat(answer).as("%s registers", phone.user).startsWith("SIP/2.0 200 ");
                int granted = grantedExpires(answer, phone.contact);
                // Short expiries keep NAT bindings open: 60 s over UDP, 600 s over TCP/TLS, cut by up to 20 %.
                if (phone == udp) {
                    assertThat(granted).isBetween(48, 60);
                } else {
                    assertThat(granted).isBetween(480, 600);
                }
            }
            assertThat(pbx.registers).hasSize(3);
            for (String register : pbx.registers) {
                assertThat(header(register, "Contact")).as("the PBX is given the SBC as contact")
                        .matches("<sip:100[123]@127\\.0\\.0\\.1:\\d+>");
                assertThat(header(register, "Expires")).isEqualTo("3600");
                assertThat(register).doesNotContain("192.168.", "127.0.0.11", "127.0.0.12", "127.0.0.13",
                        "Authorization", "FixturePhone", "phone.example");
            }
            for (TestPhone phone : List.of(udp, tcp, tls)) {
                assertThat(phone.register(3600)).as("%s refreshes", phone.user).startsWith("SIP/2.0 200 ");
            }
            assertThat(pbx.registers).as("refreshes are answered by the SBC alone").hasSize(3);
            assertThat(metric(sbc, "sbc_registrar_phone_registers_total{outcome=\"relayed\"}")).isEqualTo(3);
            assertThat(metric(sbc, "sbc_registrar_phone_registers_total{outcome=\"absorbed\"}")).isEqualTo(3);
            assertThat(metric(sbc, "sbc_registrar_bindings_active")).isEqualTo(3);
        }
    }

    @Test
    void aPbxThatChallengesTheSbcsRegistersGetsThePbxZoneAccountsCredentials() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(TestConfigs.withAccount(config(pbx, trunk, "1001"),
                        ZoneConfig.ZoneRole.PBX, new ZoneConfig.PeerAccount("sbc", new DigestCredentials("sbc-at-pbx",
                                "pbx-secret-7", Map.of(), "pbx.test"), null)));
                TestPhone phone = udpPhone(sbc, "127.0.0.11", "1001", "sip:1001@192.168.1.10:5062")) {
            pbx.challenge("pbx.test", "sbc-at-pbx", "pbx-secret-7");
            assertThat(phone.register(3600)).as("the phone hears one 200").startsWith("SIP/2.0 200 ");
            assertThat(pbx.registers).hasSize(2);
            assertThat(pbx.registers.get(0)).doesNotContain("Authorization");
            assertThat(header(pbx.registers.get(1), "Authorization")).contains("username=\"sbc-at-pbx\"");
            assertThat(header(pbx.registers.get(1), "Call-ID")).isEqualTo(header(pbx.registers.get(0), "Call-ID"));
            assertThat(metric(sbc, "sbc_outbound_auth_total{result=\"answered\",zone=\"pbx\"}")).isEqualTo(1);
        }
    }

    @Test
    void aCallFromThePbxReachesThePhoneOverTheTcpConnectionItRegisteredOn() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(config(pbx, trunk, "1002"));
                TestPhone phone = streamPhone(sbc, SipTransport.TCP, "127.0.0.12", "1002",
                        "sip:1002@192.168.1.11:5062;transport=tcp")) {
            assertThat(phone.register(600)).startsWith("SIP/2.0 200 ");
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            pbx.send(sbcUdp, SipMessages.invite("UDP", pbx.address(), sbcUdp, "1002", "pbx-call-1@pbx.example",
                    "z9hG4bK-pbx1", "pbxtag1"));
            String invite = phone.peer.receiveStartingWith("INVITE ", 5_000);
            assertThat(invite).as("the INVITE arrives over the phone's own connection").isNotNull()
                    .startsWith("INVITE sip:1002@192.168.1.11:5062;transport=tcp SIP/2.0")
                    .doesNotContain("127.0.0.3", "pbx.example", "pbx-call-1");
            assertThat(header(invite, "Via")).startsWith("SIP/2.0/TCP 127.0.0.1:");
            phone.peer.send(SipMessages.answer(invite, 180, "Ringing", "phtag", null));
            phone.peer.send(SipMessages.answer(invite, 200, "OK", "phtag",
                    "<sip:1002@192.168.1.11:5062;transport=tcp>", SipMessages.sdp("192.168.1.11", 4000)));
            assertThat(pbx.next("SIP/2.0 180 ", 5_000)).isNotNull();
            String ok = pbx.next("SIP/2.0 200 ", 5_000);
            assertThat(ok).isNotNull().doesNotContain("192.168.", "127.0.0.12");
            String sbcContact = header(ok, "Contact").replaceAll("[<>]", "");
            String pbxFrom = header(ok, "From");
            String pbxTo = header(ok, "To");
            pbx.send(sbcUdp, SipMessages.inDialog("ACK", sbcContact, "UDP", pbx.address(), "pbx-call-1@pbx.example",
                    pbxFrom, pbxTo, 1, "z9hG4bK-pbxack"));
            assertThat(phone.peer.receiveStartingWith("ACK sip:1002@192.168.1.11:5062;transport=tcp ", 5_000))
                    .isNotNull();
            pbx.send(sbcUdp, SipMessages.inDialog("BYE", sbcContact, "UDP", pbx.address(), "pbx-call-1@pbx.example",
                    pbxFrom, pbxTo, 2, "z9hG4bK-pbxbye"));
            String bye = phone.peer.receiveStartingWith("BYE ", 5_000);
            assertThat(bye).isNotNull();
            phone.peer.send(SipMessages.answer(bye, 200, "OK", null, null));
            assertThat(pbx.next("SIP/2.0 200 ", 5_000)).as("the BYE is answered").isNotNull();
        }
    }

    /**
     * Under overload the SBC sheds a retransmitted INVITE with a stateless 503 while the INVITE itself rings on, and
     * the PBX acknowledges that 503. The ACK has no 2xx to go with: the relay took it for one and, toward a phone
     * that had not answered yet (no remote target), failed with an internal error (found by the soak). It is
     * dropped and counted; the call is answered and acknowledged as usual.
     */
    @Test
    void anAckFromThePbxBeforeThePhoneAnsweredIsDroppedAndTheCallGoesOn() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(config(pbx, trunk, "1005"));
                TestPhone phone = udpPhone(sbc, "127.0.0.15", "1005", "sip:1005@192.168.1.15:5062")) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            String callId = "pbx-stray-ack@pbx.example";
            String invite = pbxCallsRegisteredPhone(pbx, sbc, phone, "1005", callId, "z9hG4bK-stray", "pbxtag5");
            double noDialog = metric(sbc, "sbc_relay_dropped_total{reason=\"no_dialog\"}");

            pbx.send(sbcUdp, SipMessages.inDialog("ACK", "sip:1005@127.0.0.1:" + sbcUdp.getPort(), "UDP",
                    pbx.address(), callId, "\"Caller\" <sip:caller@127.0.0.3>;tag=pbxtag5",
                    "<sip:1005@127.0.0.1>;tag=shed503", 1, "z9hG4bK-stray"));
            for (int i = 0; i < 100 && metric(sbc, "sbc_relay_dropped_total{reason=\"no_dialog\"}") == noDialog;
                    i++) {
                Thread.sleep(20);
            }
            assertThat(metric(sbc, "sbc_relay_dropped_total{reason=\"no_dialog\"}")).isEqualTo(noDialog + 1);
            assertThat(metric(sbc, "sbc_relay_dropped_total{reason=\"internal_error\"}")).isZero();
            assertThat(phone.peer.receiveStartingWith("ACK ", 300)).as("nothing to acknowledge at the phone").isNull();

            phone.peer.send(SipMessages.answer(invite, 200, "OK", "phtag5", "<sip:1005@192.168.1.15:5062>",
                    SipMessages.sdp("192.168.1.15", 4000)));
            String ok = pbx.next("SIP/2.0 200 ", 5_000);
            assertThat(ok).isNotNull();
            pbx.send(sbcUdp, SipMessages.inDialog("ACK", header(ok, "Contact").replaceAll("[<>]", ""), "UDP",
                    pbx.address(), callId, header(ok, "From"), header(ok, "To"), 1, "z9hG4bK-strayack"));
            assertThat(phone.peer.receiveStartingWith("ACK sip:1005@192.168.1.15:5062 ", 5_000))
                    .as("the 2xx's ACK reaches the phone").isNotNull();
        }
    }

    @Test
    void aRequestInAnEarlyDialogWhosePhoneSentNoContactIsRefused481AndTheCallGoesOn() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(config(pbx, trunk, "1006"));
                TestPhone phone = udpPhone(sbc, "127.0.0.16", "1006", "sip:1006@192.168.1.16:5062")) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            String callId = "pbx-early-bye@pbx.example";
            String invite = pbxCallsRegisteredPhone(pbx, sbc, phone, "1006", callId, "z9hG4bK-early", "pbxtag6");
            // A 180 that opens an early dialog without the Contact RFC 3261 §12.1.1 requires.
            phone.peer.send(SipMessages.answer(invite, 180, "Ringing", "phtag6", null, null));
            String ringing = pbx.next("SIP/2.0 180 ", 5_000);
            assertThat(ringing).isNotNull();

            pbx.send(sbcUdp, SipMessages.inDialog("BYE", "sip:1006@127.0.0.1:" + sbcUdp.getPort(), "UDP",
                    pbx.address(), callId, header(ringing, "From"), header(ringing, "To"), 2, "z9hG4bK-earlybye"));
            assertThat(pbx.next("SIP/2.0 481 ", 5_000)).as("nothing the BYE could reach").isNotNull();
            assertThat(metric(sbc, "sbc_relay_dropped_total{reason=\"internal_error\"}")).isZero();

            phone.peer.send(SipMessages.answer(invite, 200, "OK", "phtag6", "<sip:1006@192.168.1.16:5062>",
                    SipMessages.sdp("192.168.1.16", 4000)));
            assertThat(pbx.next("SIP/2.0 200 ", 5_000)).as("the call goes on").isNotNull();
        }
    }

    /** {@code phone} registers, then the PBX calls {@code user} through the SBC; returns the INVITE the phone got. */
    private static String pbxCallsRegisteredPhone(RegistrarPbx pbx, SbcDaemon sbc, TestPhone phone, String user,
            String callId, String branch, String pbxTag) throws Exception {
        assertThat(phone.register(600)).startsWith("SIP/2.0 200 ");
        InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
        pbx.send(sbcUdp, SipMessages.invite("UDP", pbx.address(), sbcUdp, user, callId, branch, pbxTag));
        String invite = phone.peer.receiveStartingWith("INVITE ", 5_000);
        assertThat(invite).as("the PBX's call reaches the phone").isNotNull();
        return invite;
    }

    @Test
    void aForkedCallRingsEveryDeviceOfTheAccountAndCancelsTheOthersWhenOneAnswers() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(config(pbx, trunk, "1001"));
                TestPhone desk = udpPhone(sbc, "127.0.0.11", "1001", "sip:1001@192.168.1.10:5062");
                TestPhone mobile = udpPhone(sbc, "127.0.0.21", "1001", "sip:1001@10.7.0.2:5062")) {
            assertThat(desk.register(60)).startsWith("SIP/2.0 200 ");
            String both = mobile.register(60);
            assertThat(both).startsWith("SIP/2.0 200 ");
            grantedExpires(both, desk.contact);
            grantedExpires(both, mobile.contact);
            assertThat(pbx.registers).as("one registration per address-of-record").hasSize(1);

            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            pbx.send(sbcUdp, SipMessages.invite("UDP", pbx.address(), sbcUdp, "1001", "fork@pbx.example",
                    "z9hG4bK-fork", "forktag"));
            String atDesk = desk.peer.receiveStartingWith("INVITE sip:1001@192.168.1.10:5062 ", 5_000);
            String atMobile = mobile.peer.receiveStartingWith("INVITE sip:1001@10.7.0.2:5062 ", 5_000);
            assertThat(atDesk).as("the desk phone rings").isNotNull();
            assertThat(atMobile).as("the mobile rings").isNotNull();
            assertThat(header(atDesk, "Call-ID")).as("each device has a leg of its own")
                    .isNotEqualTo(header(atMobile, "Call-ID"));
            mobile.peer.send(SipMessages.answer(atMobile, 180, "Ringing", "mobtag", null));
            desk.peer.send(SipMessages.answer(atDesk, 180, "Ringing", "desktag", null));
            desk.peer.send(SipMessages.answer(atDesk, 200, "OK", "desktag", "<sip:1001@192.168.1.10:5062>",
                    SipMessages.sdp("192.168.1.10", 4000)));
            String ok = pbx.next("SIP/2.0 200 ", 5_000);
            assertThat(ok).isNotNull();
            assertThat(SipTestPeer.tag(header(ok, "To"))).as("a To-tag of the SBC's, not the device's").isNotNull()
                    .isNotIn("desktag", "mobtag");
            assertThat(ok).doesNotContain("desktag", "mobtag", SipTestPeer.tag(header(atDesk, "From")));

            String cancel = mobile.peer.receiveStartingWith("CANCEL ", 5_000);
            assertThat(cancel).as("the device that did not answer is cancelled").isNotNull();
            assertThat(header(cancel, "Call-ID")).isEqualTo(header(atMobile, "Call-ID"));
            mobile.peer.send(SipMessages.answer(cancel, 200, "OK", null, null));
            mobile.peer.send(SipMessages.answer(atMobile, 487, "Request Terminated", "mobtag", null));
            assertThat(mobile.peer.receiveStartingWith("ACK ", 5_000)).as("its 487 is acknowledged").isNotNull();
            assertThat(sbc.activeDialogs()).isEqualTo(1);
        }
    }

    @Test
    void aPhoneMayCallOnlyAsItselfAndThePbxHearsTheIdentityTheSbcAssertsNeverItsCredentials() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(config(pbx, trunk, "1001", "1002"));
                TestPhone phone = udpPhone(sbc, "127.0.0.11", "1001", "sip:1001@192.168.1.10:5062")) {
            assertThat(phone.register(60)).startsWith("SIP/2.0 200 ");
            assertThat(phone.invite("1002", "200", "", "spoof-from@phone.example"))
                    .as("calling as another account").startsWith("SIP/2.0 403 ");
            assertThat(phone.invite("1001", "200", "P-Asserted-Identity: <sip:1002@sbc.test>\r\n",
                    "spoof-pai@phone.example")).as("asserting another account").startsWith("SIP/2.0 403 ");
            assertThat(phone.invite("1001", "200", "P-Preferred-Identity: <sip:+4930123456@sbc.test>\r\n",
                    "spoof-ppi@phone.example")).as("preferring another identity").startsWith("SIP/2.0 403 ");
            assertThat(pbx.next(300)).as("no spoofed call reaches the PBX").isNull();

            AtomicReference<String> reached = new AtomicReference<>();
            Thread answering = new Thread(() -> {
                try {
                    String invite = pbx.next("INVITE ", 5_000);
                    if (invite != null) {
                        reached.set(invite);
                        pbx.send(sbc.sipAddress(SipTransport.UDP), SipMessages.answer(invite, 200, "OK", "pbxans",
                                "<sip:200@" + pbx.address().getAddress().getHostAddress() + ":"
                                        + pbx.address().getPort() + ">", SipMessages.sdp("127.0.0.3", 7000)));
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            answering.start();
            String answered = phone.invite("1001", "200", "", "honest@phone.example");
            answering.join(5_000);
            assertThat(answered).startsWith("SIP/2.0 200 ");
            String relayed = reached.get();
            assertThat(relayed).isNotNull().doesNotContain("192.168.", "127.0.0.11", "Proxy-Authorization");
            assertThat(header(relayed, "P-Asserted-Identity")).isEqualTo("<sip:1001@127.0.0.1>");

            // Phones repeat their credentials on in-dialog requests; those never reach the PBX either.
            String sbcContact = header(answered, "Contact").replaceAll("[<>]", "");
            String credentials = "Proxy-Authorization: Digest username=\"1001\", realm=\"sbc.test\", nonce=\"x\", "
                    + "uri=\"" + sbcContact + "\", response=\"00\", qop=auth, nc=00000003, cnonce=\"c\"\r\n";
            for (String method : List.of("ACK", "BYE")) {
                phone.peer.send(SipMessages.inDialog(method, sbcContact, "UDP", phone.peer.localAddress(),
                        "honest@phone.example", header(answered, "From"), header(answered, "To"),
                        method.equals("ACK") ? 2 : 3, "z9hG4bK-indialog-" + method)
                        .replace("Max-Forwards: 70\r\n", "Max-Forwards: 70\r\n" + credentials));
                String atPbx = pbx.next(method + " ", 5_000);
                assertThat(atPbx).as("the phone's %s reaches the PBX", method).isNotNull()
                        .doesNotContain("Proxy-Authorization", "Authorization", "192.168.", "127.0.0.11");
                if (method.equals("BYE")) {
                    pbx.send(sbc.sipAddress(SipTransport.UDP), SipMessages.answer(atPbx, 200, "OK", null, null));
                }
            }
            assertThat(phone.peer.receiveStartingWith("SIP/2.0 200 ", 5_000)).as("the BYE is answered").isNotNull();
            assertThat(Files.readString(dataDir.resolve("security-events.jsonl")))
                    .contains("\"rule\":\"IDENTITY\"");
        }
    }

    @Test
    void deRegistrationWildcardsAndClosedConnectionsRemoveBindingsAndTheRegistrationAtThePbx() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(config(pbx, trunk, "1001", "1002", "1004"));
                TestPhone one = udpPhone(sbc, "127.0.0.11", "1001", "sip:1001@192.168.1.10:5062");
                TestPhone two = udpPhone(sbc, "127.0.0.21", "1001", "sip:1001@10.7.0.2:5062");
                TestPhone tcp = streamPhone(sbc, SipTransport.TCP, "127.0.0.12", "1002",
                        "sip:1002@192.168.1.11:5062;transport=tcp")) {
            assertThat(one.register(60)).startsWith("SIP/2.0 200 ");
            String afterRemoval = one.register(0);
            assertThat(afterRemoval).startsWith("SIP/2.0 200 ").doesNotContain("Contact:");
            assertThat(pbx.awaitRegisters(2, 5_000)).hasSize(2);
            assertThat(header(pbx.registers.get(1), "Expires")).as("the PBX registration is removed too")
                    .isEqualTo("0");

            assertThat(one.register(60)).startsWith("SIP/2.0 200 ");
            assertThat(two.register(60)).startsWith("SIP/2.0 200 ");
            String cleared = two.register("*", "Expires: 0\r\n");
            assertThat(cleared).startsWith("SIP/2.0 200 ").doesNotContain("Contact:");
            assertThat(pbx.awaitRegisters(4, 5_000)).hasSize(4);
            assertThat(header(pbx.registers.get(3), "Expires")).isEqualTo("0");
            assertThat(two.register("*", "Expires: 60\r\n")).as("a wildcard needs Expires: 0")
                    .startsWith("SIP/2.0 400 ");

            assertThat(tcp.register(600)).startsWith("SIP/2.0 200 ");
            assertThat(pbx.registers).hasSize(5);
            tcp.close();
            assertThat(pbx.awaitRegisters(6, 5_000)).as("a closed connection takes its binding along").hasSize(6);
            assertThat(header(pbx.registers.get(5), "Expires")).isEqualTo("0");
            assertThat(metric(sbc, "sbc_registrar_bindings_active")).isZero();
            assertThat(metric(sbc, "sbc_registrar_bindings_dropped_total{reason=\"flow_closed\"}")).isEqualTo(1);

            pbx.answerRegistersWith(404);
            try (TestPhone unknown = udpPhone(sbc, "127.0.0.14", "1004", "sip:1004@192.168.1.14:5062")) {
                assertThat(unknown.register(60)).as("the PBX's refusal reaches the phone").startsWith("SIP/2.0 404 ");
            }
            assertThat(metric(sbc, "sbc_registrar_bindings_active")).isZero();
        }
    }

    @Test
    void anSbcWithPhonesAndNoTlsAtAllStartsAndRegistersThem() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0))) {
            SbcConfig base = config(pbx, trunk, "1001");
            SipConfig s = base.sip();
            SipConfig udpOnly = new SipConfig(s.advertisedHost(), List.of(s.listeners().get(0)), null,
                    s.udpReceiveBufferBytes(), s.ioThreads(), s.workerThreads(), s.gate(), s.connections(), s.timers(),
                    s.maxTransactions(), s.maxDialogs(), s.maxCallDuration(), s.warmUpCalls());
            SbcConfig config = new SbcConfig(base.source(), base.dataDir(), udpOnly, base.media(), base.security(),
                    base.fraud(), base.zones(), base.management(), base.registration(), base.stirShaken());
            try (SbcDaemon sbc = SbcDaemon.start(config);
                    TestPhone phone = udpPhone(sbc, "127.0.0.11", "1001", "sip:1001@192.168.1.10:5062")) {
                assertThat(phone.register(60)).startsWith("SIP/2.0 200 ");
                assertThat(Files.exists(dataDir.resolve("tls"))).as("no certificate is made without TLS").isFalse();
            }
        }
    }

    /**
     * Bindings expire on the daemon's monotonic clock: the wall clock stepped two hours forward (past the binding's
     * ten minutes) drops no registration, and the PBX's call still reaches the phone.
     */
    @Test
    void aWallClockSteppedForwardPastABindingsLifetimeDropsNoRegistration() throws Exception {
        SteppedClock wall = new SteppedClock(ZoneId.systemDefault());
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(config(pbx, trunk, "1003"), wall);
                TestPhone phone = udpPhone(sbc, "127.0.0.13", "1003", "sip:1003@192.168.1.13:5060")) {
            assertThat(phone.register(600)).startsWith("SIP/2.0 200 ");
            wall.step(Duration.ofHours(2));
            // The registrar sweeps its bindings every second: let two sweeps run on the stepped clock.
            TimeUnit.MILLISECONDS.sleep(2_500);
            assertThat(metric(sbc, "sbc_registrar_bindings_active")).as("still registered").isEqualTo(1.0);
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            pbx.send(sbcUdp, SipMessages.invite("UDP", pbx.address(), sbcUdp, "1003", "stepped@pbx.example",
                    "z9hG4bK-stepped", "steppedtag"));
            assertThat(phone.peer.receiveStartingWith("INVITE sip:1003@192.168.1.13:5060", 5_000))
                    .as("the PBX's call reaches the phone").isNotNull();
        }
    }

    @Test
    void aPbxCallToAnAccountWithNoDeviceRegisteredIsTemporarilyUnavailable() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(config(pbx, trunk, "1001"))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            pbx.send(sbcUdp, SipMessages.invite("UDP", pbx.address(), sbcUdp, "1001", "nobody@pbx.example",
                    "z9hG4bK-nobody", "nobodytag"));
            assertThat(pbx.next("SIP/2.0 480 ", 5_000)).isNotNull();
            assertThat(trunk.receive(300)).as("an account's call never leaves through the trunk").isNull();
        }
    }

    @Test
    void aRegisterWhoseContactOrExpiryCannotBeReadIsRefused400AndThePhoneStillRegistersAfter() throws Exception {
        try (RegistrarPbx pbx = new RegistrarPbx("127.0.0.3");
                UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                SbcDaemon sbc = SbcDaemon.start(config(pbx, trunk, "1001"));
                TestPhone phone = udpPhone(sbc, "127.0.0.11", "1001", "sip:1001@192.168.1.10:5062")) {
            assertThat(phone.register("<sip:1001@192.168.1.10:5062>;expires=soon", ""))
                    .startsWith("SIP/2.0 400 Contact expires is not a number of seconds\r\n");
            assertThat(phone.register("<sip:1001@192.168.1.10:5062>", "Expires: later\r\n"))
                    .startsWith("SIP/2.0 400 Expires is not a number of seconds\r\n");
            assertThat(phone.register("<sip:1001@192.168.1.10:5062", "Expires: 60\r\n"))
                    .as("refused by the gate already").startsWith("SIP/2.0 400 ");
            assertThat(pbx.registers).as("nothing refused reaches the PBX").isEmpty();
            assertThat(metric(sbc, "sbc_registrar_bindings_active")).isEqualTo(0.0);

            String answer = phone.register(3600);
            assertThat(answer).startsWith("SIP/2.0 200 ");
            assertThat(grantedExpires(answer, phone.contact)).isBetween(48, 60);
        }
    }
}
