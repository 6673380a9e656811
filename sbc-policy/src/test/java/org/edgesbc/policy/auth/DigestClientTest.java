package org.edgesbc.policy.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;

class DigestClientTest {
    // RFC 7616 §3.9.1: the example for MD5 and SHA-256.
    private static final String RFC_REALM = "http-auth@example.org";
    private static final String RFC_NONCE = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
    private static final String RFC_CNONCE = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
    private static final String RFC_OPAQUE = "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS";

    private static String rfcChallenge(String algorithm) {
        return "Digest realm=\"" + RFC_REALM + "\", qop=\"auth, auth-int\", algorithm=" + algorithm + ", nonce=\""
                + RFC_NONCE + "\", opaque=\"" + RFC_OPAQUE + "\"";
    }

    private static DigestClient rfcClient(DigestCredentials credentials) {
        return new DigestClient(credentials, () -> RFC_CNONCE);
    }

    private static final DigestCredentials MUFASA = new DigestCredentials("Mufasa", "Circle of Life", Map.of(), null);

    @Test
    void rfc7616Section391Md5() {
        DigestClient.Answer answer = rfcClient(MUFASA).answer(List.of(rfcChallenge("MD5")), "GET", "/dir/index.html",
                null);
        assertThat(answer.status()).isEqualTo(DigestClient.Status.ANSWERED);
        assertThat(answer.header()).isEqualTo("Digest username=\"Mufasa\", realm=\"http-auth@example.org\", nonce=\""
                + RFC_NONCE + "\", uri=\"/dir/index.html\", response=\"8ca523f5e9506fed4657c9700eebdbec\", cnonce=\""
                + RFC_CNONCE + "\", nc=00000001, qop=auth, algorithm=MD5, opaque=\"" + RFC_OPAQUE + "\"");
    }

    @Test
    void rfc7616Section391Sha256() {
        DigestClient.Answer answer = rfcClient(MUFASA).answer(List.of(rfcChallenge("SHA-256")), "GET",
                "/dir/index.html", null);
        assertThat(DigestParameters.parse(answer.header())).containsEntry("response",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1").containsEntry("algorithm",
                "SHA-256");
    }

    @Test
    void ha1InsteadOfThePasswordGivesTheSameResponse() {
        DigestCredentials stored = new DigestCredentials("Mufasa", null, Map.of(DigestAlgorithm.SHA_256,
                DigestHashes.ha1(DigestAlgorithm.SHA_256, "Mufasa", RFC_REALM, "Circle of Life")), RFC_REALM);
        DigestClient.Answer answer = rfcClient(stored).answer(List.of(rfcChallenge("MD5"), rfcChallenge("SHA-256")),
                "GET", "/dir/index.html", null);
        assertThat(answer.algorithm()).isEqualTo(DigestAlgorithm.SHA_256);
        assertThat(DigestParameters.parse(answer.header())).containsEntry("response",
                "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    }

    @Test
    void sha256IsPreferredWhicheverComesFirst() {
        DigestClient client = rfcClient(MUFASA);
        assertThat(client.answer(List.of(rfcChallenge("MD5"), rfcChallenge("SHA-256")), "GET", "/", null).algorithm())
                .isEqualTo(DigestAlgorithm.SHA_256);
        assertThat(client.answer(List.of(rfcChallenge("SHA-256"), rfcChallenge("MD5")), "GET", "/", null).algorithm())
                .isEqualTo(DigestAlgorithm.SHA_256);
    }

    @Test
    void theSameNonceCountsUpAndANewOneStartsAgain() {
        DigestClient client = rfcClient(MUFASA);
        assertThat(DigestParameters.parse(client.answer(List.of(rfcChallenge("MD5")), "GET", "/", null).header()))
                .containsEntry("nc", "00000001");
        assertThat(DigestParameters.parse(client.answer(List.of(rfcChallenge("MD5")), "GET", "/", "other").header()))
                .containsEntry("nc", "00000002");
        String fresh = rfcChallenge("MD5").replace(RFC_NONCE, "fresh");
        assertThat(DigestParameters.parse(client.answer(List.of(fresh), "GET", "/", null).header()))
                .containsEntry("nc", "00000001");
    }

    @Test
    void theSameNonceAgainWithoutStaleIsARefusal() {
        DigestClient client = rfcClient(MUFASA);
        DigestClient.Answer first = client.answer(List.of(rfcChallenge("MD5")), "INVITE", "sip:a@b", null);
        DigestClient.Answer second = client.answer(List.of(rfcChallenge("MD5")), "INVITE", "sip:a@b", first.nonce());
        assertThat(second.status()).isEqualTo(DigestClient.Status.REFUSED);
        assertThat(second.header()).isNull();
        DigestClient.Answer stale = client.answer(List.of(rfcChallenge("MD5") + ", stale=true"), "INVITE", "sip:a@b",
                first.nonce());
        assertThat(stale.status()).isEqualTo(DigestClient.Status.ANSWERED);
    }

    @Test
    void challengesItCannotAnswerAreUnusable() {
        DigestClient client = rfcClient(MUFASA);
        DigestCredentials otherRealm = new DigestCredentials("Mufasa", "Circle of Life", Map.of(), "carrier.example");
        assertThat(rfcClient(otherRealm).answer(List.of(rfcChallenge("MD5")), "GET", "/", null).status())
                .isEqualTo(DigestClient.Status.UNUSABLE);
        for (String challenge : List.of("Basic realm=\"x\"", rfcChallenge("SHA-512-256"),
                rfcChallenge("MD5").replace("auth, auth-int", "auth-int"), "Digest realm=\"x\"", "Digest nonce=\"n\"",
                "Digest realm=\"x, nonce=\"n\"")) {
            assertThat(client.answer(List.of(challenge), "GET", "/", null).status()).as(challenge)
                    .isEqualTo(DigestClient.Status.UNUSABLE);
        }
        assertThat(client.answer(List.of(), "GET", "/", null).status()).isEqualTo(DigestClient.Status.UNUSABLE);
    }

    @Test
    void aChallengeWithoutQopIsAnsweredTheRfc2617Way() {
        String challenge = "Digest realm=\"" + RFC_REALM + "\", nonce=\"" + RFC_NONCE + "\"";
        Map<String, String> answer = DigestParameters.parse(rfcClient(MUFASA).answer(List.of(challenge), "GET",
                "/dir/index.html", null).header());
        String ha1 = DigestHashes.ha1(DigestAlgorithm.MD5, "Mufasa", RFC_REALM, "Circle of Life");
        assertThat(answer).containsEntry("response", DigestHashes.hash(DigestAlgorithm.MD5, ha1 + ":" + RFC_NONCE
                + ":" + DigestHashes.hash(DigestAlgorithm.MD5, "GET:/dir/index.html"))).doesNotContainKey("nc");
    }

    @Test
    void theSbcsOwnAuthenticatorAcceptsWhatTheClientAnswers() throws Exception {
        ManualClock clock = new ManualClock();
        String realm = "carrier.example";
        DigestAuthenticator server = new DigestAuthenticator(realm, List.of(DigestAlgorithm.values()),
                List.of(new DigestUser("trunk-user", Map.of(
                        DigestAlgorithm.MD5, DigestAuthenticator.ha1(DigestAlgorithm.MD5, "trunk-user", realm, "pw"),
                        DigestAlgorithm.SHA_256, DigestAuthenticator.ha1(DigestAlgorithm.SHA_256, "trunk-user", realm,
                                "pw")), true, List.of())),
                Duration.ofMinutes(5), 100, clock::nanos, new SecureRandom());
        DigestClient client = new DigestClient(new DigestCredentials("trunk-user", "pw", Map.of(), null),
                DigestClient.randomCnonces(new SecureRandom()));
        List<String> challenge = server.challenge(false);
        for (int i = 0; i < 2; i++) {
            DigestClient.Answer answer = client.answer(challenge, "INVITE", "sip:+4420@carrier.example", null);
            assertThat(server.verify(List.of(answer.header()), "INVITE", "sip:+4420@carrier.example",
                    InetAddress.getLoopbackAddress()).outcome()).isEqualTo(AuthOutcome.OK);
        }
    }

    @Test
    void secretsStayOutOfToStringAndHa1NeedsItsRealm() {
        DigestCredentials credentials = new DigestCredentials("user", "s3cret-pass", Map.of(), "carrier.example");
        assertThat(credentials.toString()).contains("user").doesNotContain("s3cret-pass");
        String ha1 = DigestHashes.ha1(DigestAlgorithm.MD5, "user", "carrier.example", "s3cret-pass");
        assertThat(new DigestCredentials("user", null, Map.of(DigestAlgorithm.MD5, ha1), "carrier.example")
                .toString()).doesNotContain(ha1);
        assertThatThrownBy(() -> new DigestCredentials("user", null, Map.of(DigestAlgorithm.MD5, ha1), null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new DigestCredentials("user", null, Map.of(), null))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
