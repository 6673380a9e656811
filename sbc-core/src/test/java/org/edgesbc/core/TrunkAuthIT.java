package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.edgesbc.fixtures.sip.SipTestPeer.header;
import static org.edgesbc.fixtures.sip.SipTestPeer.topBranch;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.core.config.SbcConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.sip.SipMessages;
import org.edgesbc.fixtures.sip.UdpSipPeer;
import org.edgesbc.policy.auth.DigestCredentials;
import org.edgesbc.transport.SipTransport;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A trunk that challenges the SBC's INVITEs with 407 (RFC 3261 §22.3): the call goes through with credentials the
 * test recomputes from RFC 7616's formulas, the PBX sees one call with its own CSeq numbers, and the trunk sees
 * CSeq numbers that keep growing on its leg. A trunk that refuses the credentials gets no second try.
 */
class TrunkAuthIT {
    private static final long WAIT = 5_000;
    private static final String AUTH_USER = "acme-sbc";
    private static final String PASSWORD = "trunk-secret-42";
    private static final String REALM = "carrier.test";

    @TempDir
    Path dataDir;

    private static UnaryOperator<SbcConfig> trunkAccount(ZoneConfig.PeerAccount account) {
        return config -> TestConfigs.withAccount(config, ZoneConfig.ZoneRole.TRUNK, account);
    }

    private static ZoneConfig.PeerAccount account() {
        return new ZoneConfig.PeerAccount("441632960000", new DigestCredentials(AUTH_USER, PASSWORD, Map.of(), null),
                null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"MD5", "SHA-256"})
    void aTrunkThatAnswers407GetsTheCallWithCredentials(String algorithm) throws Exception {
        try (TrunkAndPbx net = new TrunkAndPbx(dataDir, trunkAccount(account()))) {
            SbcDaemon sbc = net.sbc;
            UdpSipPeer trunk = net.trunk;
            UdpSipPeer pbx = net.pbx;
            InetSocketAddress sbcUdp = net.sbcUdp;
            String first = RelayedCall.deliverInvite(pbx, trunk, SipMessages.invite("UDP", pbx.localAddress(), sbcUdp,
                    "5551234", "auth-call@pbx", "z9hG4bK-pbx-1", "pbx-tag"));
            assertThat(first).isNotNull().doesNotContain("Proxy-Authorization");
            assertThat(header(first, "CSeq")).isEqualTo("1 INVITE");
            String nonce = "n0nce-" + algorithm;
            assertThat(resendUntilAcked(trunk, challenge(first, 407, "Proxy-Authenticate",
                    "Digest realm=\"" + REALM + "\", nonce=\"" + nonce + "\", algorithm=" + algorithm
                            + ", qop=\"auth\", opaque=\"op4que\""))).as("hop-by-hop ACK of the 407")
                    .isNotNull();

            String second = trunk.receiveStartingWith("INVITE ", WAIT);
            assertThat(second).as("the INVITE again, with credentials").isNotNull();
            assertThat(header(second, "CSeq")).isEqualTo("2 INVITE");
            assertThat(header(second, "Call-ID")).isEqualTo(header(first, "Call-ID"));
            assertThat(header(second, "From")).isEqualTo(header(first, "From"));
            assertThat(topBranch(second)).isNotEqualTo(topBranch(first));
            String requestUri = second.substring("INVITE ".length(), second.indexOf(" SIP/2.0"));
            assertCredentials(header(second, "Proxy-Authorization"), algorithm, nonce, "INVITE", requestUri);

            String contact = "<sip:carrier@127.0.0.2:" + trunk.localAddress().getPort() + ">";
            trunk.send(SipMessages.answer(second, 200, "OK", "trunk-tag", contact,
                    SipMessages.sdp("127.0.0.2", 42_000)));
            List<String> early = new ArrayList<>();
            String ok = pbx.receiveStartingWith("SIP/2.0 200 ", WAIT, early);
            assertThat(ok).as("the PBX gets the answer").isNotNull();
            assertThat(header(ok, "CSeq")).isEqualTo("1 INVITE");
            assertThat(early).noneMatch(m -> m.startsWith("SIP/2.0 407"));
            String target = RelayedCall.uriOf(header(ok, "Contact"));

            pbx.send(SipMessages.inDialog("ACK", target, "UDP", pbx.localAddress(), "auth-call@pbx",
                    header(ok, "From"), header(ok, "To"), 1, "z9hG4bK-pbx-ack"));
            String ack = trunk.receiveStartingWith("ACK ", WAIT);
            assertThat(header(ack, "CSeq")).as("the ACK names the INVITE that was answered").isEqualTo("2 ACK");

            pbx.send(SipMessages.inDialog("BYE", target, "UDP", pbx.localAddress(), "auth-call@pbx",
                    header(ok, "From"), header(ok, "To"), 2, "z9hG4bK-pbx-bye"));
            String bye = trunk.receiveStartingWith("BYE ", WAIT);
            assertThat(header(bye, "CSeq")).isEqualTo("3 BYE");
            trunk.send(SipMessages.answer(bye, 200, "OK", null, null));
            String byeOk = pbx.receiveStartingWith("SIP/2.0 200 ", WAIT);
            assertThat(header(byeOk, "CSeq")).isEqualTo("2 BYE");
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(SbcDaemonIT.metrics(sbc)).containsPattern(
                    "sbc_outbound_auth_total\\{result=\"answered\",zone=\"trunk\"} 1");
            assertThat(logsOf(dataDir)).doesNotContain(PASSWORD);
        }
    }

    @Test
    void theSameNonceChallengedAgainGoesBackToTheCallerWithoutALoop() throws Exception {
        try (TrunkAndPbx net = new TrunkAndPbx(dataDir, trunkAccount(account()))) {
            SbcDaemon sbc = net.sbc;
            UdpSipPeer trunk = net.trunk;
            UdpSipPeer pbx = net.pbx;
            InetSocketAddress sbcUdp = net.sbcUdp;
            String challengeValue = "Digest realm=\"" + REALM + "\", nonce=\"same\", algorithm=MD5, qop=\"auth\"";
            String first = RelayedCall.deliverInvite(pbx, trunk, SipMessages.invite("UDP", pbx.localAddress(), sbcUdp,
                    "5551234", "refused@pbx", "z9hG4bK-pbx-2", "pbx-tag"));
            trunk.send(challenge(first, 407, "Proxy-Authenticate", challengeValue));
            String second = trunk.receiveStartingWith("INVITE ", WAIT);
            assertThat(second).isNotNull().contains("Proxy-Authorization");
            trunk.send(challenge(second, 407, "Proxy-Authenticate", challengeValue));
            String refused = pbx.receiveStartingWith("SIP/2.0 407 ", WAIT);
            assertThat(refused).as("the refusal reaches the PBX").isNotNull();
            assertThat(header(refused, "CSeq")).isEqualTo("1 INVITE");
            assertThat(trunk.receiveStartingWith("INVITE ", 500)).as("no third INVITE").isNull();
            SbcDaemonIT.awaitDialogs(sbc, 0);
            assertThat(SbcDaemonIT.metrics(sbc)).containsPattern(
                    "sbc_outbound_auth_total\\{result=\"refused\",zone=\"trunk\"} 1");
        }
    }

    @Test
    void theSbcRegistersAtTheTrunkAnswersItsChallengeRefreshesAndLeavesAtStop() throws Exception {
        ZoneConfig.PeerAccount registering = new ZoneConfig.PeerAccount("441632960000",
                new DigestCredentials(AUTH_USER, PASSWORD, Map.of(), REALM), Duration.ofSeconds(60));
        try (TrunkAndPbx net = new TrunkAndPbx(dataDir, trunkAccount(registering))) {
            SbcDaemon sbc = net.sbc;
            UdpSipPeer trunk = net.trunk;
            UdpSipPeer pbx = net.pbx;
            InetSocketAddress sbcUdp = net.sbcUdp;
            String first = trunk.receiveStartingWith("REGISTER ", WAIT);
            assertThat(first).as("the SBC registers at start").isNotNull();
            assertThat(header(first, "To")).isEqualTo("<sip:441632960000@127.0.0.2>");
            assertThat(header(first, "Contact")).isEqualTo("<sip:441632960000@127.0.0.1:" + sbcUdp.getPort() + ">");
            assertThat(header(first, "Expires")).isEqualTo("60");
            String callId = header(first, "Call-ID");
            long cseq = cseqOf(first);
            trunk.send(challenge(first, 401, "WWW-Authenticate", "Digest realm=\"" + REALM
                    + "\", nonce=\"reg-1\", algorithm=SHA-256, qop=\"auth\""));
            String answered = trunk.receiveStartingWith("REGISTER ", WAIT);
            assertThat(header(answered, "Call-ID")).isEqualTo(callId);
            assertThat(cseqOf(answered)).isEqualTo(cseq + 1);
            String uri = answered.substring("REGISTER ".length(), answered.indexOf(" SIP/2.0"));
            assertCredentials(header(answered, "Authorization"), "SHA-256", "reg-1", "REGISTER", uri);
            trunk.send(granted(answered, 2));

            // Refreshed at 50-80 % of the 2 s granted, with the same Call-ID and a higher CSeq; challenged again.
            String refresh = trunk.receiveStartingWith("REGISTER ", WAIT);
            assertThat(refresh).as("refreshed before the 2 s lapse").isNotNull();
            assertThat(header(refresh, "Call-ID")).isEqualTo(callId);
            assertThat(cseqOf(refresh)).isGreaterThan(cseq + 1);
            trunk.send(challenge(refresh, 401, "WWW-Authenticate", "Digest realm=\"" + REALM
                    + "\", nonce=\"reg-2\", algorithm=MD5, qop=\"auth\""));
            String refreshAnswered = trunk.receiveStartingWith("REGISTER ", WAIT);
            assertCredentials(header(refreshAnswered, "Authorization"), "MD5", "reg-2", "REGISTER", uri);
            trunk.send(granted(refreshAnswered, 60));
            String trunks = awaitAdmin(sbc, "/admin/trunks", "\"state\":\"registered\"");
            assertThat(trunks).contains("\"zone\":\"trunk\"", "\"user\":\"441632960000\"")
                    .doesNotContain(PASSWORD);
            String metrics = SbcDaemonIT.metrics(sbc);
            assertThat(metrics).containsPattern("sbc_trunk_registration_state\\{zone=\"trunk\"} 1")
                    .containsPattern("sbc_trunk_registration_total\\{result=\"registered\",zone=\"trunk\"} 2")
                    .containsPattern("sbc_outbound_auth_total\\{result=\"answered\",zone=\"trunk\"} 2");

            sbc.close();
            String leave = trunk.receiveStartingWith("REGISTER ", WAIT);
            assertThat(leave).as("unregistered at stop").isNotNull();
            assertThat(header(leave, "Expires")).isEqualTo("0");
            assertThat(header(leave, "Call-ID")).isEqualTo(callId);
        }
    }

    private static long cseqOf(String message) {
        String cseq = header(message, "CSeq");
        return Long.parseLong(cseq.substring(0, cseq.indexOf(' ')));
    }

    /** A 200 to a REGISTER granting {@code seconds} to its Contact. */
    private static String granted(String register, int seconds) {
        return SipMessages.answer(register, 200, "OK", "registrar", header(register, "Contact") + ";expires="
                + seconds);
    }

    /** An admin answer containing {@code expected}, asked again (bounded) until it does. */
    private static String awaitAdmin(SbcDaemon sbc, String path, String expected) throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        String body = null;
        for (int i = 0; i < 200 && (body == null || !body.contains(expected)); i++) {
            if (body != null) {
                TimeUnit.MILLISECONDS.sleep(25);
            }
            body = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + sbc.managementPort() + path))
                    .header("Authorization", "Bearer test-token").build(),
                    HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
        }
        assertThat(body).contains(expected);
        return body;
    }

    /**
     * Sends a final response again until its ACK comes, at most 8 times 1 s apart, as a UAS does over UDP (RFC 3261
     * §17.2.1, Timer G): a daemon on a loaded machine may drop one that waited too long in its queue.
     */
    private static String resendUntilAcked(UdpSipPeer uas, String response) throws java.io.IOException {
        String ack = null;
        for (int attempt = 0; attempt < 8 && ack == null; attempt++) {
            uas.send(response);
            ack = uas.receiveStartingWith("ACK ", 1_000);
        }
        return ack;
    }

    /** A challenge answering {@code request} with one extra header. */
    static String challenge(String request, int status, String headerName, String value) {
        String answer = SipMessages.answer(request, status, status == 401 ? "Unauthorized"
                : "Proxy Authentication Required", "challenger", null);
        return answer.replace("Content-Length: 0\r\n", headerName + ": " + value + "\r\nContent-Length: 0\r\n");
    }

    /** Recomputes the credentials' response (RFC 7616 §3.4.1) with the JDK alone and compares. */
    static void assertCredentials(String credentials, String algorithm, String nonce, String method, String uri)
            throws Exception {
        assertThat(credentials).isNotNull().startsWith("Digest ");
        String cnonce = parameter(credentials, "cnonce");
        String nc = parameter(credentials, "nc");
        assertThat(parameter(credentials, "username")).isEqualTo(AUTH_USER);
        assertThat(parameter(credentials, "realm")).isEqualTo(REALM);
        assertThat(parameter(credentials, "nonce")).isEqualTo(nonce);
        assertThat(parameter(credentials, "uri")).isEqualTo(uri);
        assertThat(parameter(credentials, "qop")).isEqualTo("auth");
        assertThat(parameter(credentials, "algorithm")).isEqualTo(algorithm);
        assertThat(nc).isEqualTo("00000001");
        assertThat(cnonce).isNotBlank();
        String ha1 = h(algorithm, AUTH_USER + ":" + REALM + ":" + PASSWORD);
        String expected = h(algorithm, ha1 + ":" + nonce + ":" + nc + ":" + cnonce + ":auth:" + h(algorithm,
                method + ":" + uri));
        assertThat(parameter(credentials, "response")).isEqualTo(expected);
    }

    private static String h(String algorithm, String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(
                text.getBytes(StandardCharsets.UTF_8)));
    }

    static String parameter(String credentials, String name) {
        Matcher m = Pattern.compile("[ ,]" + name + "=(\"([^\"]*)\"|([^,\\s]+))").matcher(credentials);
        return m.find() ? (m.group(2) != null ? m.group(2) : m.group(3)) : null;
    }

    private static String logsOf(Path dataDir) throws java.io.IOException {
        StringBuilder all = new StringBuilder();
        try (var files = java.nio.file.Files.walk(dataDir)) {
            for (Path file : files.filter(java.nio.file.Files::isRegularFile).toList()) {
                all.append(java.nio.file.Files.readString(file, StandardCharsets.ISO_8859_1));
            }
        }
        return all.toString();
    }
}
