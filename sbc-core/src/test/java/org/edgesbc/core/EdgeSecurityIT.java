package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.core.config.FraudConfig;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.sip.SipDigest;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.media.srtp.SrtpPolicy;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestAuthenticator;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.policy.fraud.FraudRules;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Attacks against the access zone, through the real daemon over loopback UDP. */
class EdgeSecurityIT {
    private static final String REALM = "sbc.test";
    private static final String PASSWORD = "correct-horse-1001";

    @TempDir
    Path dataDir;

    /** A test body given the PBX peer, the daemon and a peer at {@code source} that sends to the daemon. */
    @FunctionalInterface
    private interface EdgeTest {
        void run(UdpSipPeer pbx, SbcDaemon sbc, UdpSipPeer source) throws Exception;
    }

    /** Runs {@code test} against a daemon on {@link #config} between a trunk and a PBX peer, all closed after it. */
    private void withEdge(String source, EdgeTest test) throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx, 5000));
                UdpSipPeer peer = new UdpSipPeer(new InetSocketAddress(source, 0),
                        sbc.sipAddress(SipTransport.UDP))) {
            test.run(pbx, sbc, peer);
        }
    }

    private SbcConfig config(UdpSipPeer trunk, UdpSipPeer pbx, double invitesPerSecond) {
        SbcConfig base = TestConfigs.loopbackUdp(dataDir, trunk.localAddress(), pbx.localAddress());
        DigestUser user = new DigestUser("1001", Map.of(
                DigestAlgorithm.MD5, DigestAuthenticator.ha1(DigestAlgorithm.MD5, "1001", REALM, PASSWORD),
                DigestAlgorithm.SHA_256, DigestAuthenticator.ha1(DigestAlgorithm.SHA_256, "1001", REALM, PASSWORD)),
                true, List.of(Cidr.parse("127.0.0.0/25")));
        SecurityConfig d = TestConfigs.security(dataDir, List.of(user));
        SecurityConfig security = new SecurityConfig(REALM, d.users(), d.nonceLifetime(), 10, d.authFailureWindow(),
                d.banDuration(), d.banEscalation(), d.maxBanDuration(), d.maxBans(), d.banStateFile(),
                d.scannerFingerprints(), d.packetsPerSecond(), d.packetBurst(), d.peerPacketsPerSecond(),
                d.globalPacketsPerSecond(), d.requestsPerSecond(), d.floodBanAfter(), invitesPerSecond,
                d.digestAlgorithms());
        List<ZoneConfig> zones = new ArrayList<>(base.zones());
        zones.add(new ZoneConfig("phones", ZoneConfig.ZoneRole.ACCESS, List.of(Cidr.parse("127.0.0.0/25")), null,
                SrtpPolicy.OFF));
        return new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), security, base.fraud(), zones,
                base.management(), base.registration(), base.stirShaken());
    }

    private static String register(UdpSipPeer phone, InetSocketAddress sbc, String user, int cseq, String callId,
            String authorization) {
        String host = phone.localAddress().getAddress().getHostAddress();
        return "REGISTER sip:" + REALM + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ":" + phone.localAddress().getPort() + ";branch=z9hG4bK-r" + cseq
                + callId.hashCode() + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + user + "@" + REALM + ">;tag=t" + callId.hashCode() + "\r\n"
                + "To: <sip:" + user + "@" + REALM + ">\r\n"
                + "Call-ID: " + callId + "\r\n"
                + "CSeq: " + cseq + " REGISTER\r\n"
                + "Contact: <sip:" + user + "@" + host + ":" + phone.localAddress().getPort() + ">\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "Expires: 300\r\nContent-Length: 0\r\n\r\n";
    }

    private static String digest(String challenge, String user, String password, String method, String uri) {
        return SipDigest.credentials(challenge, REALM, user, password, method, uri, 1);
    }

    private static String md5Challenge(String response) {
        String challenge = SipDigest.md5Challenge(response);
        assertThat(challenge).as("an MD5 challenge in %s", response).isNotNull();
        return challenge;
    }

    @Test
    void passwordGuessingEndsInABanWhileTheRealUserRegistersFromElsewhere() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx, 5000));
                UdpSipPeer attacker = new UdpSipPeer(new InetSocketAddress("127.0.0.10", 0),
                        sbc.sipAddress(SipTransport.UDP));
                UdpSipPeer phone = new UdpSipPeer(new InetSocketAddress("127.0.0.11", 0),
                        sbc.sipAddress(SipTransport.UDP))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            int answered = 0;
            for (int guess = 1; guess <= 20; guess++) {
                attacker.send(register(attacker, sbcUdp, "1001", guess, "guess@attacker", null));
                String challenge = attacker.receive(1_000);
                if (challenge == null) {
                    break;
                }
                assertThat(challenge).startsWith("SIP/2.0 401 ");
                attacker.send(register(attacker, sbcUdp, "1001", guess, "guess@attacker",
                        digest(md5Challenge(challenge), "1001", "guess-" + guess, "REGISTER", "sip:" + REALM)));
                String answer = attacker.receive(1_000);
                if (answer == null) {
                    break;
                }
                assertThat(answer).as("a wrong password never succeeds").startsWith("SIP/2.0 401 ");
                answered++;
            }
            assertThat(answered).as("banned after the 10th failure").isEqualTo(9);
            attacker.send(register(attacker, sbcUdp, "1001", 99, "after-ban@attacker", null));
            assertThat(attacker.receive(1_000)).as("a banned source gets no answer").isNull();

            phone.send(register(phone, sbcUdp, "1001", 1, "real@phone", null));
            String challenge = phone.receiveStartingWith("SIP/2.0 401 ", 2_000);
            phone.send(register(phone, sbcUdp, "1001", 2, "real@phone",
                    digest(md5Challenge(challenge), "1001", PASSWORD, "REGISTER", "sip:" + REALM)));
            String relayed = pbx.receiveStartingWith("REGISTER ", 2_000);
            assertThat(relayed).as("the authenticated REGISTER reaches the PBX").isNotNull()
                    .doesNotContain("Authorization", "127.0.0.11");
            pbx.towards(sbcUdp);
            pbx.send(SipMessages.answer(relayed, 200, "OK", "pbx", null));
            assertThat(phone.receiveStartingWith("SIP/2.0 200 ", 2_000)).isNotNull();

            String metrics = SbcDaemonIT.metrics(sbc);
            assertThat(metrics).contains("sbc_security_bans_active 1.0")
                    .containsPattern("sbc_security_decisions_total\\{action=\"ban\",rule=\"auth_failures\"} 1\\.0");
            List<String> events = Files.readAllLines(dataDir.resolve("security-events.jsonl"));
            assertThat(events).anySatisfy(e -> assertThat(e).contains("\"source\":\"127.0.0.10\"",
                    "\"rule\":\"AUTH_FAILURES\"", "\"failures\":10", "\"threshold\":10", "\"action\":\"ban\""));
            assertThat(events).as("the account under attack is reported, never locked").anySatisfy(e -> assertThat(e)
                    .contains("\"user\":\"1001\"", "\"rule\":\"USER_UNDER_ATTACK\"", "\"action\":\"alert\""));
        }
    }

    @Test
    void validAndInvalidExtensionsLookTheSame() throws Exception {
        withEdge("127.0.0.12", (pbx, sbc, prober) -> {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            List<String> shapes = new ArrayList<>();
            for (String user : List.of("1001", "7777")) {
                prober.send(register(prober, sbcUdp, user, 1, "enum-" + user, null));
                String first = prober.receive(1_000);
                prober.send(register(prober, sbcUdp, user, 2, "enum-" + user,
                        digest(md5Challenge(first), user, "wrong-password", "REGISTER", "sip:" + REALM)));
                String second = prober.receive(1_000);
                prober.send(SipMessages.invite("UDP", prober.localAddress(), sbcUdp, user, "inv-" + user,
                        "z9hG4bK-e" + user, "e" + user).replace("sip:caller@127.0.0.12", "sip:" + user + "@"
                        + REALM));
                String third = prober.receive(1_000);
                prober.send("OPTIONS sip:" + user + "@" + REALM + " SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.12:5060;"
                        + "branch=z9hG4bK-o" + user + "\r\nMax-Forwards: 70\r\nFrom: <sip:probe@" + REALM + ">;tag=o"
                        + "\r\nTo: <sip:" + user + "@" + REALM + ">\r\nCall-ID: opt-" + user + "\r\nCSeq: 1 OPTIONS"
                        + "\r\nContent-Length: 0\r\n\r\n");
                String fourth = prober.receive(1_000);
                for (String answer : List.of(first, second, third, fourth)) {
                    assertThat(answer).isNotNull();
                    shapes.add(answer.replace(user, "USER").replaceAll("nonce=\"[^\"]+\"", "nonce=N")
                            .replaceAll("tag=[^;\\s]+", "tag=T").replaceAll("branch=[^;\\s]+", "branch=B")
                            .replaceAll("Call-ID: \\S+", "Call-ID: C").replaceAll("rport=\\d+", "rport=P"));
                }
            }
            assertThat(shapes.subList(0, 4)).as("known and unknown users get byte-identical answers")
                    .isEqualTo(shapes.subList(4, 8));
            assertThat(shapes.get(2)).startsWith("SIP/2.0 407 ");
        });
    }

    /**
     * RFC 3261 §22.4: credentials name the Request-URI they were computed for. Credentials of the right user and
     * password computed for another URI get what a wrong password gets, on a REGISTER and on an INVITE, and count
     * as a failed authentication; the same credentials computed for the request's own URI pass.
     */
    @Test
    void credentialsComputedForAnotherRequestUriAreRefusedLikeAWrongPassword() throws Exception {
        withEdge("127.0.0.15", (pbx, sbc, phone) -> {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            String registrar = "sip:" + REALM;
            phone.send(register(phone, sbcUdp, "1001", 1, "uri@phone", null));
            String challenge = md5Challenge(phone.receive(1_000));
            phone.send(register(phone, sbcUdp, "1001", 2, "uri@phone",
                    digest(challenge, "1001", PASSWORD, "REGISTER", "sip:1001@" + REALM)));
            String otherUri = phone.receive(1_000);
            phone.send(register(phone, sbcUdp, "1001", 3, "uri@phone",
                    digest(challenge, "1001", "wrong-password", "REGISTER", registrar)));
            String wrongPassword = phone.receive(1_000);
            assertThat(otherUri).startsWith("SIP/2.0 401 ");
            assertThat(shape(otherUri, 2)).isEqualTo(shape(wrongPassword, 3));

            phone.send(register(phone, sbcUdp, "1001", 4, "uri@phone",
                    digest(challenge, "1001", PASSWORD, "REGISTER", registrar)));
            String relayed = pbx.receiveStartingWith("REGISTER ", 2_000);
            assertThat(relayed).as("credentials for the REGISTER's own URI pass").isNotNull();
            pbx.towards(sbcUdp);
            pbx.send(SipMessages.answer(relayed, 200, "OK", "pbx", null));
            assertThat(phone.receiveStartingWith("SIP/2.0 200 ", 2_000)).isNotNull();

            String target = "sip:200@" + REALM;
            phone.send(invite(phone, target, 1, null));
            challenge = md5Challenge(phone.receiveStartingWith("SIP/2.0 407 ", 1_000));
            phone.send(invite(phone, target, 2, digest(challenge, "1001", PASSWORD, "INVITE", "sip:900@" + REALM)));
            otherUri = phone.receiveStartingWith("SIP/2.0 ", 1_000);
            phone.send(invite(phone, target, 3, digest(challenge, "1001", "wrong-password", "INVITE", target)));
            wrongPassword = phone.receiveStartingWith("SIP/2.0 ", 1_000);
            assertThat(otherUri).startsWith("SIP/2.0 407 ");
            assertThat(shape(otherUri, 2)).isEqualTo(shape(wrongPassword, 3));
            assertThat(pbx.receive(300)).as("no refused INVITE reaches the PBX").isNull();

            phone.send(invite(phone, target, 4, digest(challenge, "1001", PASSWORD, "INVITE", target)));
            assertThat(pbx.receiveStartingWith("INVITE ", 2_000)).as("credentials for the INVITE's own URI pass")
                    .isNotNull().doesNotContain("Proxy-Authorization");
            assertThat(SbcDaemonIT.metrics(sbc)).as("both refusals of each method counted as failures")
                    .contains("sbc_security_auth_failures_total 4.0");
        });
    }

    /** An INVITE from phone 1001 to {@code target}, one transaction per {@code cseq}, all of one call. */
    private static String invite(UdpSipPeer phone, String target, int cseq, String proxyAuthorization) {
        String host = phone.localAddress().getAddress().getHostAddress();
        String sdp = "v=0\r\no=phone 1 1 IN IP4 " + host + "\r\ns=-\r\nc=IN IP4 " + host + "\r\nt=0 0\r\n"
                + "m=audio 4000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
        return "INVITE " + target + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + host + ":" + phone.localAddress().getPort() + ";branch=z9hG4bK-uri" + cseq
                + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:1001@" + REALM + ">;tag=uri\r\n"
                + "To: <" + target + ">\r\n"
                + "Call-ID: uri-invite@phone\r\n"
                + "CSeq: " + cseq + " INVITE\r\n"
                + "Contact: <sip:1001@" + host + ":" + phone.localAddress().getPort() + ">\r\n"
                + (proxyAuthorization == null ? "" : "Proxy-Authorization: " + proxyAuthorization + "\r\n")
                + "Content-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    /** An answer with what differs between any two answers to a request (nonce, tags, branch, CSeq) blanked. */
    private static String shape(String answer, int cseq) {
        assertThat(answer).isNotNull();
        return answer.replaceAll("nonce=\"[^\"]+\"", "nonce=N").replaceAll("tag=[^;\\s]+", "tag=T")
                .replaceAll("branch=[^;\\s]+", "branch=B").replace("CSeq: " + cseq + " ", "CSeq: N ");
    }

    @Test
    void scannersAreDroppedAndBannedAndTheBanSurvivesARestart() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            SbcConfig config = config(trunk, pbx, 5000);
            String options = "OPTIONS sip:100@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.13:5060;branch=z9hG4bK-s"
                    + "\r\nMax-Forwards: 70\r\nFrom: \"sipvicious\" <sip:100@1.1.1.1>;tag=s1\r\nTo: <sip:100@1.1.1.1>"
                    + "\r\nCall-ID: scan-1\r\nCSeq: 1 OPTIONS\r\nUser-Agent: friendly-scanner\r\nContent-Length: 0\r\n\r\n";
            try (SbcDaemon sbc = SbcDaemon.start(config);
                    UdpSipPeer scanner = new UdpSipPeer(new InetSocketAddress("127.0.0.13", 0),
                            sbc.sipAddress(SipTransport.UDP))) {
                scanner.send(options);
                assertThat(scanner.receive(1_000)).isNull();
                scanner.send(register(scanner, sbc.sipAddress(SipTransport.UDP), "1001", 1, "later@scanner", null));
                assertThat(scanner.receive(1_000)).as("banned: nothing answered any more").isNull();
                String bans = admin(sbc, "GET", "/admin/bans");
                assertThat(bans).contains("\"address\":\"127.0.0.13\"", "\"reason\":\"scanner\"");
                try (UdpSipPeer nmap = new UdpSipPeer(new InetSocketAddress("127.0.0.15", 0),
                        sbc.sipAddress(SipTransport.UDP))) {
                    nmap.send("OPTIONS sip:nm SIP/2.0\r\nVia: SIP/2.0/UDP nm;branch=foo\r\nFrom: <sip:nm@nm>;tag=root"
                            + "\r\nTo: <sip:nm2@nm2>\r\nCall-ID: 50000\r\nCSeq: 42 OPTIONS\r\nMax-Forwards: 70\r\n"
                            + "Contact: <sip:nm@nm>\r\nContent-Length: 0\r\n\r\n");
                    assertThat(nmap.receive(1_000)).as("no User-Agent, but nmap's From, Contact and Via").isNull();
                    String listed = "";
                    for (int i = 0; i < 100 && !listed.contains("\"address\":\"127.0.0.15\""); i++) {
                        Thread.sleep(50);
                        listed = admin(sbc, "GET", "/admin/bans");
                    }
                    assertThat(listed).contains("\"address\":\"127.0.0.15\"", "Nmap");
                }
            }
            assertThat(Files.readAllLines(config.dataDir().resolve("security-events.jsonl")))
                    .as("the silent drop of the banned scanner's REGISTER is summarised when the SBC stops")
                    .anySatisfy(e -> assertThat(e).contains("\"source\":\"127.0.0.13\"", "\"rule\":\"DROPS\"",
                            "\"banned\":1"));
            try (SbcDaemon restarted = SbcDaemon.start(config);
                    UdpSipPeer scanner = new UdpSipPeer(new InetSocketAddress("127.0.0.13", 0),
                            restarted.sipAddress(SipTransport.UDP))) {
                scanner.send(register(scanner, restarted.sipAddress(SipTransport.UDP), "1001", 1, "again@scanner",
                        null));
                assertThat(scanner.receive(1_000)).as("the ban survived the restart").isNull();
                assertThat(admin(restarted, "DELETE", "/admin/bans?address=127.0.0.13")).contains("\"removed\":true");
                scanner.send(register(scanner, restarted.sipAddress(SipTransport.UDP), "1001", 2, "freed@scanner",
                        null));
                assertThat(scanner.receive(1_000)).as("released by the operator").startsWith("SIP/2.0 401 ");
                assertThat(admin(restarted, "POST", "/admin/bans?address=127.0.0.14&duration=60"))
                        .contains("\"address\":\"127.0.0.14\"");
                assertThat(admin(restarted, "GET", "/admin/bans")).contains("127.0.0.14", "\"reason\":\"manual\"");
            }
        }
    }

    /**
     * An extension sweep (svwar's REGISTER walk through 100, 101, 102...) under an ordinary phone's User-Agent: no
     * fingerprint matches, but the 20th distinct numeric user named without authenticating gets the source banned
     * as a scanner.
     */
    @Test
    void anExtensionSweepUnderAnOrdinaryUserAgentIsBannedAsAScanner() throws Exception {
        withEdge("127.0.0.16", (pbx, sbc, sweeper) -> {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            int challenged = 0;
            for (int extension = 100; extension < 130; extension++) {
                sweeper.send(register(sweeper, sbcUdp, Integer.toString(extension), 1, "sweep-" + extension, null)
                        .replace("Expires: 300\r\n", "User-Agent: Yealink SIP-T46S 66.86.0.15\r\nExpires: 300\r\n"));
                String answer = sweeper.receive(2_000);
                if (answer == null) {
                    break;
                }
                assertThat(answer).as("extension %d", extension).startsWith("SIP/2.0 401 ");
                challenged++;
            }
            assertThat(challenged).as("challenged like any phone up to the 20th distinct extension").isEqualTo(19);
            String bans = "";
            for (int i = 0; i < 100 && !bans.contains("\"address\":\"127.0.0.16\""); i++) {
                Thread.sleep(50);
                bans = admin(sbc, "GET", "/admin/bans");
            }
            assertThat(bans).contains("\"address\":\"127.0.0.16\"", "\"reason\":\"scanner\"", "numeric_users=20");
            assertThat(SbcDaemonIT.metrics(sbc))
                    .contains("sbc_security_decisions_total{action=\"ban\",rule=\"extension_sweep\"} 1.0");
        });
    }

    @Test
    void newInvitesOverTheBudgetGet503WhileACallInProgressHangsUp() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx, 1))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            trunk.towards(sbcUdp);
            pbx.towards(sbcUdp);
            trunk.send(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", "first@trunk", "z9hG4bK-f",
                    "ft"));
            String invite = pbx.receiveStartingWith("INVITE ", 2_000);
            pbx.send(SipMessages.answer(invite, 200, "OK", "pt", "<sip:callee@127.0.0.3:" + pbx.localAddress().getPort()
                    + ">", SipMessages.sdp("127.0.0.3", 42_000)));
            String ok = trunk.receiveStartingWith("SIP/2.0 200 ", 2_000);
            assertThat(ok).isNotNull();
            for (int i = 0; i < 5; i++) {
                trunk.send(SipMessages.invite("UDP", trunk.localAddress(), sbcUdp, "5551234", "burst" + i + "@trunk",
                        "z9hG4bK-b" + i, "b" + i));
            }
            List<String> answers = new ArrayList<>();
            String answer;
            while ((answer = trunk.receive(500)) != null) {
                answers.add(answer);
            }
            assertThat(answers).anySatisfy(a -> assertThat(a).startsWith("SIP/2.0 503 ").contains("Retry-After: 5"));
            trunk.send(SipMessages.inDialog("BYE", "sip:sbc@127.0.0.1:" + sbcUdp.getPort(), "UDP",
                    trunk.localAddress(), "first@trunk", header(ok, "From"), header(ok, "To"), 2, "z9hG4bK-fbye"));
            String bye = pbx.receiveStartingWith("BYE ", 2_000);
            assertThat(bye).as("the call in progress still hangs up").isNotNull();
        }
    }

    @Test
    void premiumAndInternationalCallsFromThePbxAreRefusedButEmergencyCallsGoThrough() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0));
                SbcDaemon sbc = SbcDaemon.start(config(trunk, pbx, 5000))) {
            InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
            pbx.towards(sbcUdp);
            for (String refused : List.of("09001234567", "0025261234567", "+8816123456", "0044207946000")) {
                pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, refused, "fraud-" + refused,
                        "z9hG4bK-f" + refused.hashCode(), "f1"));
                assertThat(pbx.receiveStartingWith("SIP/2.0 403 ", 2_000)).as("call to %s", refused).isNotNull();
            }
            assertThat(trunk.receive(300)).as("nothing refused reaches the trunk").isNull();
            for (String allowed : List.of("112", "0891234567")) {
                pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, allowed, "ok-" + allowed,
                        "z9hG4bK-o" + allowed, "o1"));
                assertThat(trunk.receiveStartingWith("INVITE sip:" + allowed + "@", 2_000)).as("call to %s", allowed)
                        .isNotNull();
            }
            List<String> events = Files.readAllLines(dataDir.resolve("security-events.jsonl"));
            assertThat(events).anySatisfy(e -> assertThat(e).contains("\"rule\":\"TOLL_FRAUD\"",
                    "\"reason\":\"destination_class\"", "\"destination_class\":\"premium\"",
                    "\"normalised\":\"499001234567\"", "\"action\":\"reject\""));
            assertThat(SbcDaemonIT.metrics(sbc))
                    .contains("sbc_security_decisions_total{action=\"reject\",rule=\"toll_fraud\"} 4.0");
            List<String> cdrs = SbcDaemonIT.awaitCdrs(dataDir, 4);
            assertThat(cdrs).filteredOn(c -> c.contains("\"disposition\":\"blocked\"")).hasSize(4)
                    .anySatisfy(c -> assertThat(c).contains("\"called\":\"09001234567\"",
                            "\"destination_class\":\"premium\"", "\"sip_status\":403", "\"from_zone\":\"pbx\""));
            String blocked = "sbc_relay_calls_ended_total{disposition=\"blocked\",ended_by=\"sbc:";
            assertThat(SbcDaemonIT.metrics(sbc).lines().filter(line -> line.startsWith(blocked))
                    .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum())
                    .as("calls the guard blocked, by rule").isEqualTo(4.0);
        }
    }

    @Test
    void aCallThatCrossesItsSpendCapIsEndedOnBothSides() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            SbcConfig base = config(trunk, pbx, 5000);
            // 60.00 per minute to Munich numbers, 2.00 a day: the call may last about two seconds.
            FraudConfig fraud = new FraudConfig(base.fraud().dialPlan(), base.fraud().prefixes(),
                    new FraudRules(base.fraud().defaults().allowedClasses(), 10, 100, 2_000_000, 0), Map.of(),
                    Map.of("4989", 60_000_000L), 0);
            SbcConfig config = new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), base.security(),
                    fraud, base.zones(), base.management(), base.registration(), base.stirShaken());
            try (SbcDaemon sbc = SbcDaemon.start(config)) {
                InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
                pbx.towards(sbcUdp);
                trunk.towards(sbcUdp);
                pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "0891234567", "spend@pbx",
                        "z9hG4bK-spend", "sp"));
                String invite = trunk.receiveStartingWith("INVITE ", 2_000);
                trunk.send(SipMessages.answer(invite, 200, "OK", "tr", "<sip:callee@127.0.0.2:"
                        + trunk.localAddress().getPort() + ">", SipMessages.sdp("127.0.0.2", 42_002)));
                String ok = pbx.receiveStartingWith("SIP/2.0 200 ", 2_000);
                long answeredAt = System.nanoTime();
                pbx.send(SipMessages.inDialog("ACK", "sip:sbc@127.0.0.1:" + sbcUdp.getPort(), "UDP",
                        pbx.localAddress(), "spend@pbx", header(ok, "From"), header(ok, "To"), 1, "z9hG4bK-spack"));
                assertThat(trunk.receiveStartingWith("BYE ", 6_000)).as("the carrier leg is hung up").isNotNull();
                assertThat(pbx.receiveStartingWith("BYE ", 2_000)).as("the PBX leg is hung up").isNotNull();
                long lasted = (System.nanoTime() - answeredAt) / 1_000_000;
                assertThat(lasted).as("cut within a second of crossing the cap (ms)").isBetween(1_500L, 4_500L);
                assertThat(Files.readAllLines(dataDir.resolve("security-events.jsonl")))
                        .anySatisfy(e -> assertThat(e).contains("\"reason\":\"spend_cap\"", "\"action\":\"cut_and_hold\""));
                pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "0891234568", "spend2@pbx",
                        "z9hG4bK-spend2", "sp2"));
                assertThat(pbx.receiveStartingWith("SIP/2.0 403 ", 2_000)).as("the cap holds for new calls")
                        .isNotNull();
                assertThat(admin(sbc, "GET", "/admin/fraud?account=caller")).contains("\"reason\":\"spend cap reached\"")
                        .containsPattern("\"spent_today_micros\":(19|2[0-9])\\d{5}[,}]");
            }
            try (SbcDaemon restarted = SbcDaemon.start(config)) {
                assertThat(admin(restarted, "GET", "/admin/fraud?account=caller")).as("a restart keeps spend and hold")
                        .contains("\"reason\":\"spend cap reached\"").doesNotContain("\"spent_today_micros\":0");
                assertThat(admin(restarted, "POST", "/admin/fraud/release?account=caller")).contains("\"hold\":null");
            }
        }
    }

    /**
     * A compressed weekend attack: a compromised extension dials international premium numbers over and over while
     * another extension keeps making ordinary calls. The attack costs at most the daily cap (plus the second it takes
     * to notice), every refused call has a record and an event, and the ordinary calls are untouched.
     */
    @Test
    void aPremiumRateAttackIsStoppedAtTheSpendCapWhileOrdinaryCallsContinue() throws Exception {
        try (UdpSipPeer trunk = new UdpSipPeer(new InetSocketAddress("127.0.0.2", 0));
                UdpSipPeer pbx = new UdpSipPeer(new InetSocketAddress("127.0.0.3", 0))) {
            SbcConfig base = config(trunk, pbx, 5000);
            FraudRules international = new FraudRules(java.util.Set.of(
                    org.edgesbc.policy.fraud.DestinationClass.NATIONAL, org.edgesbc.policy.fraud.DestinationClass.PREMIUM,
                    org.edgesbc.policy.fraud.DestinationClass.INTERNATIONAL), 5, 100, 3_000_000, 0);
            // 120.00 per minute to the international premium range: two units a second, the cap is 3.00.
            FraudConfig fraud = new FraudConfig(base.fraud().dialPlan(), base.fraud().prefixes(),
                    base.fraud().defaults(), Map.of("300", international), Map.of("979", 120_000_000L), 0);
            SbcConfig config = new SbcConfig(base.source(), base.dataDir(), base.sip(), base.media(), base.security(),
                    fraud, base.zones(), base.management(), base.registration(), base.stirShaken());
            try (SbcDaemon sbc = SbcDaemon.start(config)) {
                InetSocketAddress sbcUdp = sbc.sipAddress(SipTransport.UDP);
                pbx.towards(sbcUdp);
                trunk.towards(sbcUdp);
                int refused = 0;
                int domestic = 0;
                for (int round = 0; round < 8; round++) {
                    String from = round % 2 == 0 ? "300" : "200";
                    pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "+97912345" + round,
                            "attack-" + round, "z9hG4bK-a" + round, "a" + round).replace("sip:caller@", "sip:" + from
                                    + "@"));
                    String answer = refusalOf(pbx, "attack-" + round);
                    if (answer != null) {
                        refused++;
                    } else {
                        String invite = trunk.receiveStartingWith("INVITE ", 1_000);
                        assertThat(invite).as("round %d reached the carrier", round).isNotNull();
                        trunk.send(SipMessages.answer(invite, 200, "OK", "t" + round, "<sip:x@127.0.0.2:"
                                + trunk.localAddress().getPort() + ">", SipMessages.sdp("127.0.0.2", 42_010)));
                    }
                    pbx.send(SipMessages.invite("UDP", pbx.localAddress(), sbcUdp, "08912345" + round,
                            "domestic-" + round, "z9hG4bK-d" + round, "d" + round).replace("sip:caller@",
                                    "sip:201@"));
                    if (trunk.receiveStartingWith("INVITE sip:08912345" + round, 1_000) != null) {
                        domestic++;
                    }
                    Thread.sleep(300);
                }
                assertThat(domestic).as("ordinary calls are untouched").isEqualTo(8);
                assertThat(refused).as("the attack is refused once the cap is reached").isGreaterThanOrEqualTo(5);
                String account = admin(sbc, "GET", "/admin/fraud?account=300");
                Matcher spent = Pattern.compile("\"spent_today_micros\":(\\d+)").matcher(account);
                assertThat(spent.find()).isTrue();
                assertThat(Long.parseLong(spent.group(1))).as("loss bounded by the cap and one second of calls")
                        .isBetween(3_000_000L, 3_000_000L + 2 * 2_000_000L);
                List<String> events = Files.readAllLines(dataDir.resolve("security-events.jsonl"));
                List<String> cdrs = SbcDaemonIT.awaitCdrs(dataDir, refused);
                assertThat(cdrs.stream().filter(c -> c.contains("\"disposition\":\"blocked\"")).count())
                        .as("every refused call has a CDR").isEqualTo(refused);
                assertThat(events.stream().filter(e -> e.contains("\"action\":\"reject\"")
                        && e.contains("TOLL_FRAUD")).count()).as("and an event").isEqualTo(refused);
            }
        }
    }

    /**
     * The 403 refusing one call within 700 ms, or null. A refusal of an INVITE is retransmitted until ACKed
     * (RFC 3261 §17.2.1), and this peer does not ACK: earlier calls' 403s are passed over.
     */
    private static String refusalOf(UdpSipPeer pbx, String callId) throws IOException {
        long deadline = System.currentTimeMillis() + 700;
        long left;
        while ((left = deadline - System.currentTimeMillis()) > 0) {
            String refusal = pbx.receiveStartingWith("SIP/2.0 403 ", left);
            if (refusal == null || callId.equals(header(refusal, "Call-ID"))) {
                return refusal;
            }
        }
        return null;
    }

    private static String admin(SbcDaemon sbc, String method, String path) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + sbc.managementPort() + path))
                .header("Authorization", "Bearer test-token")
                .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
