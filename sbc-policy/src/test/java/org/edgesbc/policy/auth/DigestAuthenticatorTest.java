package org.edgesbc.policy.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;

class DigestAuthenticatorTest {
    private static final String REALM = "sbc.example";
    /** The Request-URI of the REGISTERs these credentials are computed for. */
    private static final String URI = "sip:" + REALM;
    private final ManualClock clock = new ManualClock();
    private final InetAddress phone = address("127.0.0.10");
    private final DigestAuthenticator auth = new DigestAuthenticator(REALM, List.of(DigestAlgorithm.values()),
            List.of(user("1001", "secret1001", true, List.of()),
            user("1002", "secret1002", false, List.of()),
            user("1003", "secret1003", true, List.of(Cidr.parse("10.0.0.0/8")))),
            Duration.ofMinutes(5), 1000, clock::nanos, new SecureRandom());

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static DigestUser user(String name, String password, boolean enabled, List<Cidr> sources) {
        return new DigestUser(name, Map.of(
                DigestAlgorithm.MD5, DigestAuthenticator.ha1(DigestAlgorithm.MD5, name, REALM, password),
                DigestAlgorithm.SHA_256, DigestAuthenticator.ha1(DigestAlgorithm.SHA_256, name, REALM, password)),
                enabled, sources);
    }

    @Test
    void rfc7616Section391ExampleResponses() {
        String nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
        String cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            String ha1 = DigestAuthenticator.ha1(algorithm, "Mufasa", "http-auth@example.org", "Circle of Life");
            String ha2 = DigestHashes.hash(algorithm, "GET:/dir/index.html");
            String response = DigestHashes.hash(algorithm, ha1 + ":" + nonce + ":00000001:" + cnonce
                    + ":auth:" + ha2);
            assertThat(response).isEqualTo(algorithm == DigestAlgorithm.MD5 ? "8ca523f5e9506fed4657c9700eebdbec"
                    : "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
        }
    }

    private String nonce() {
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(auth.challenge(false).get(0));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private static String credentials(DigestAlgorithm algorithm, String user, String password, String nonce,
            String nc) {
        return credentials(algorithm, user, password, nonce, nc, "REGISTER", URI);
    }

    private static String credentials(DigestAlgorithm algorithm, String user, String password, String nonce,
            String nc, String method, String uri) {
        String ha1 = DigestAuthenticator.ha1(algorithm, user, REALM, password);
        String ha2 = DigestHashes.hash(algorithm, method + ":" + uri);
        String response = DigestHashes.hash(algorithm, ha1 + ":" + nonce + ":" + nc + ":c0ffee:auth:" + ha2);
        return "Digest username=\"" + user + "\", realm=\"" + REALM + "\", nonce=\"" + nonce + "\", uri=\"" + uri
                + "\", response=\"" + response + "\", algorithm=" + algorithm.token()
                + ", qop=auth, nc=" + nc + ", cnonce=\"c0ffee\"";
    }

    @Test
    void onlyTheConfiguredAlgorithmsAreChallengedInTheirOrderAndAccepted() {
        DigestAuthenticator md5Only = new DigestAuthenticator(REALM, List.of(DigestAlgorithm.MD5),
                List.of(user("1001", "secret1001", true, List.of())), Duration.ofMinutes(5), 1000, clock::nanos,
                new SecureRandom());
        List<String> challenges = md5Only.challenge(false);
        assertThat(challenges).hasSize(1);
        assertThat(challenges.get(0)).contains("algorithm=MD5");
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(challenges.get(0));
        assertThat(m.find()).isTrue();
        assertThat(md5Only.verify(List.of(credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", m.group(1),
                "00000001")), "REGISTER", URI, phone).outcome()).as("an algorithm not offered").isEqualTo(AuthOutcome.FAILED);
        assertThat(md5Only.verify(List.of(credentials(DigestAlgorithm.MD5, "1001", "secret1001", m.group(1),
                "00000002")), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.OK);
        assertThat(auth.challenge(false)).as("the default order: SHA-256 first (RFC 7616 §3.7)")
                .satisfiesExactly(c -> assertThat(c).contains("algorithm=SHA-256"),
                        c -> assertThat(c).contains("algorithm=MD5"));
    }

    @Test
    void aNonceCountThatIsNotEightHexadecimalDigitsIsRefused() {
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(auth.challenge(false).get(0));
        assertThat(m.find()).isTrue();
        for (String nc : new String[] {"0000001", "000000001", "000000g1", "0000000\u0661", "0000 001"}) {
            assertThat(auth.verify(List.of(credentials(DigestAlgorithm.MD5, "1001", "secret1001", m.group(1), nc)),
                    "REGISTER", URI, phone).outcome()).as(nc).isEqualTo(AuthOutcome.FAILED);
        }
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.MD5, "1001", "secret1001", m.group(1),
                "0000000A")), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.OK);
    }

    @Test
    void anAccountsOwnAlgorithmsComeBeforeItsZonesAndTheZonesBeforeTheDefault() {
        DigestUser baresip = new DigestUser("2001", Map.of(DigestAlgorithm.MD5,
                DigestAuthenticator.ha1(DigestAlgorithm.MD5, "2001", REALM, "secret2001")), true, List.of(),
                List.of(DigestAlgorithm.MD5));
        DigestAuthenticator perAccount = new DigestAuthenticator(REALM, List.of(DigestAlgorithm.values()),
                List.of(baresip, user("1001", "secret1001", true, List.of())), Duration.ofMinutes(5), 1000, clock::nanos,
                new SecureRandom());
        List<DigestAlgorithm> md5Zone = List.of(DigestAlgorithm.MD5);

        assertThat(perAccount.algorithmsFor("2001", List.of())).containsExactly(DigestAlgorithm.MD5);
        assertThat(perAccount.algorithmsFor("2001", List.of(DigestAlgorithm.SHA_256)))
                .as("the account's list wins over its zone's").containsExactly(DigestAlgorithm.MD5);
        assertThat(perAccount.algorithmsFor("1001", md5Zone)).containsExactly(DigestAlgorithm.MD5);
        assertThat(perAccount.algorithmsFor("1001", List.of()))
                .containsExactly(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);
        assertThat(perAccount.algorithmsFor("no-such-user", List.of()))
                .containsExactly(DigestAlgorithm.SHA_256, DigestAlgorithm.MD5);
        assertThat(perAccount.algorithmsFor(null, md5Zone)).containsExactly(DigestAlgorithm.MD5);

        List<String> challenge = perAccount.challenge(false, perAccount.algorithmsFor("2001", List.of()));
        assertThat(challenge).singleElement().asString().contains("algorithm=MD5").doesNotContain("SHA-256");
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(challenge.get(0));
        assertThat(m.find()).isTrue();
        assertThat(perAccount.verify(List.of(credentials(DigestAlgorithm.MD5, "2001", "secret2001", m.group(1),
                "00000001")), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.OK);

        m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(perAccount.challenge(false).get(0));
        assertThat(m.find()).isTrue();
        String nonce = m.group(1);
        assertThat(perAccount.verify(List.of(credentials(DigestAlgorithm.MD5, "1001", "secret1001", nonce,
                "00000001")), "REGISTER", URI, phone, List.of(DigestAlgorithm.SHA_256)).outcome())
                .as("an algorithm the zone does not offer").isEqualTo(AuthOutcome.FAILED);
        assertThat(perAccount.verify(List.of(credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", nonce,
                "00000002")), "REGISTER", URI, phone, List.of(DigestAlgorithm.SHA_256)).outcome())
                .isEqualTo(AuthOutcome.OK);
    }

    @Test
    void validCredentialsAuthenticateWithEitherAlgorithm() {
        for (DigestAlgorithm algorithm : DigestAlgorithm.values()) {
            DigestAuthenticator.Result result = auth.verify(
                    List.of(credentials(algorithm, "1001", "secret1001", nonce(), "00000001")), "REGISTER", URI, phone);
            assertThat(result.outcome()).as(algorithm.name()).isEqualTo(AuthOutcome.OK);
            assertThat(result.user()).isEqualTo("1001");
        }
    }

    @Test
    void challengesOfferSha256FirstThenMd5() {
        List<String> challenge = auth.challenge(true);
        assertThat(challenge).hasSize(2);
        assertThat(challenge.get(0)).contains("algorithm=SHA-256", "qop=\"auth\"", "stale=true");
        assertThat(challenge.get(1)).contains("algorithm=MD5");
        assertThat(auth.verify(List.of(), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.MISSING);
    }

    @Test
    void unknownUserWrongPasswordDisabledAndDisallowedSourceAllFailAlike() {
        String nonce = nonce();
        List<DigestAuthenticator.Result> results = List.of(
                auth.verify(List.of(credentials(DigestAlgorithm.MD5, "9999", "whatever", nonce, "00000001")),
                        "REGISTER", URI, phone),
                auth.verify(List.of(credentials(DigestAlgorithm.MD5, "1001", "wrong", nonce, "00000001")),
                        "REGISTER", URI, phone),
                auth.verify(List.of(credentials(DigestAlgorithm.MD5, "1002", "secret1002", nonce, "00000001")),
                        "REGISTER", URI, phone),
                auth.verify(List.of(credentials(DigestAlgorithm.MD5, "1003", "secret1003", nonce, "00000001")),
                        "REGISTER", URI, phone));
        assertThat(results).extracting(DigestAuthenticator.Result::outcome).containsOnly(AuthOutcome.FAILED);
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.MD5, "1003", "secret1003", nonce, "00000001")),
                "REGISTER", URI, address("10.1.2.3")).outcome()).isEqualTo(AuthOutcome.OK);
    }

    @Test
    void expiredNonceIsStaleAndForgedNonceFails() {
        String nonce = nonce();
        clock.advance(Duration.ofMinutes(6));
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", nonce, "00000001")),
                "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.STALE);
        String forged = nonce.substring(0, nonce.length() - 2) + (nonce.endsWith("AA") ? "BB" : "AA");
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", forged, "00000001")),
                "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.FAILED);
    }

    @Test
    void aNonceLivesItsLifetimeWhenTheWallClockStepsForwardOrBack() {
        String nonce = nonce();
        clock.stepWall(Duration.ofHours(1));
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", nonce, "00000001")),
                "REGISTER", URI, phone).outcome()).as("a step forward expires no nonce").isEqualTo(AuthOutcome.OK);
        clock.stepWall(Duration.ofHours(-3));
        clock.advance(Duration.ofMinutes(5).plusSeconds(1));
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", nonce, "00000002")),
                "REGISTER", URI, phone).outcome()).as("a step back revives no nonce").isEqualTo(AuthOutcome.STALE);
    }

    @Test
    void replayedNonceCountIsRefused() {
        String nonce = nonce();
        String first = credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", nonce, "00000001");
        assertThat(auth.verify(List.of(first), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.OK);
        assertThat(auth.verify(List.of(first), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.REPLAY);
        String next = credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", nonce, "00000002");
        assertThat(auth.verify(List.of(next), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.OK);
    }

    @Test
    void malformedCredentialsFail() {
        assertThat(DigestParameters.parse("Digest username=\"a\", username=\"b\"")).isNull();
        assertThat(DigestParameters.parse("Digest username=\"unterminated")).isNull();
        assertThat(DigestParameters.parse("Basic dXNlcjpwYXNz")).isNull();
        assertThat(DigestParameters.parse("Digest realm=\"a\\\"b\", nc=00000001"))
                .containsEntry("realm", "a\"b").containsEntry("nc", "00000001");
        String noQop = credentials(DigestAlgorithm.MD5, "1001", "secret1001", nonce(), "00000001")
                .replace(", qop=auth", "");
        assertThat(auth.verify(List.of(noQop), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.FAILED);
    }

    @Test
    void rfc2617Section35ExampleResponse() {
        // RFC 2617 §3.5: Mufasa / "Circle Of Life" in testrealm@host.com, MD5, qop=auth.
        String ha1 = DigestAuthenticator.ha1(DigestAlgorithm.MD5, "Mufasa", "testrealm@host.com", "Circle Of Life");
        String ha2 = DigestHashes.hash(DigestAlgorithm.MD5, "GET:/dir/index.html");
        assertThat(DigestHashes.hash(DigestAlgorithm.MD5, ha1 + ":dcd98b7102dd2f0e8b11d0f600bfb0c093"
                + ":00000001:0a4f113b:auth:" + ha2)).isEqualTo("6629fae49393a05397450978507c4ef1");
    }

    @Test
    void credentialsForAnotherRequestUriFailLikeAWrongPassword() {
        String nonce = nonce();
        String target = "sip:200@" + REALM;
        String forAnother = credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", nonce, "00000001", "INVITE",
                "sip:900@" + REALM);
        String wrongPassword = credentials(DigestAlgorithm.SHA_256, "1001", "wrong", nonce, "00000001", "INVITE",
                target);
        assertThat(auth.verify(List.of(forAnother), "INVITE", target, phone))
                .isEqualTo(auth.verify(List.of(wrongPassword), "INVITE", target, phone))
                .isEqualTo(new DigestAuthenticator.Result(AuthOutcome.FAILED, null));
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", nonce, "00000001",
                "INVITE", target + ";user=phone")), "INVITE", target, phone).outcome())
                .as("a parameter more is another URI").isEqualTo(AuthOutcome.FAILED);
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", nonce, "00000001",
                "INVITE", "sip:200@SBC.example")), "INVITE", target, phone).outcome())
                .as("the host is compared as written").isEqualTo(AuthOutcome.FAILED);
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.SHA_256, "1001", "secret1001", nonce, "00000001",
                "INVITE", target)), "INVITE", target, phone).outcome())
                .as("the refusals did not use up the nonce-count").isEqualTo(AuthOutcome.OK);
    }

    @Test
    void theSchemeOfTheRequestUriIsComparedWithoutRegardToCase() {
        String credentials = credentials(DigestAlgorithm.MD5, "1001", "secret1001", nonce(), "00000001", "REGISTER",
                "SIP:" + REALM);
        assertThat(auth.verify(List.of(credentials), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.OK);
    }

    @Test
    void aNonceForgottenByTheFullCountTableIsStaleNotReplayable() {
        DigestAuthenticator small = new DigestAuthenticator(REALM, List.of(DigestAlgorithm.values()), List.of(user("1001", "secret1001", true,
                List.of())), Duration.ofMinutes(5), 2, clock::nanos, new SecureRandom());
        java.util.function.Supplier<String> fresh = () -> {
            Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(small.challenge(false).get(0));
            assertThat(m.find()).isTrue();
            return m.group(1);
        };
        String first = fresh.get();
        String captured = credentials(DigestAlgorithm.MD5, "1001", "secret1001", first, "00000001");
        assertThat(small.verify(List.of(captured), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.OK);
        clock.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 2; i++) {
            String other = fresh.get();
            assertThat(small.verify(List.of(credentials(DigestAlgorithm.MD5, "1001", "secret1001", other,
                    "00000001")), "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.OK);
        }
        assertThat(small.verify(List.of(captured), "REGISTER", URI, phone).outcome())
                .as("the history of the first nonce is gone, so it must not be accepted again")
                .isEqualTo(AuthOutcome.STALE);
    }

    @Test
    void parserRefusesOversizedAndOverlongCredentials() {
        assertThat(DigestParameters.parse("Digest username=\"" + "a".repeat(DigestParameters.MAX_LENGTH) + "\""))
                .isNull();
        StringBuilder many = new StringBuilder("Digest ");
        for (int i = 0; i <= DigestParameters.MAX_PARAMETERS; i++) {
            many.append("p").append(i).append("=x, ");
        }
        assertThat(DigestParameters.parse(many.toString())).isNull();
        assertThat(DigestParameters.parse("Digest =x")).isNull();
        assertThat(DigestParameters.parse("Digest username = \"a b\" , qop=auth"))
                .containsEntry("username", "a b").containsEntry("qop", "auth");
    }

    @Test
    void replacedUsersTakeEffectAndAChallengeIssuedBeforeStillCounts() {
        String before = nonce();
        auth.replaceUsers(List.of(user("1001", "new1001", true, List.of()), user("1009", "secret1009", true,
                List.of())));
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.MD5, "1009", "secret1009", before, "00000001")),
                "REGISTER", URI, phone).outcome()).as("an added user, on a nonce from before")
                .isEqualTo(AuthOutcome.OK);
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.MD5, "1001", "secret1001", nonce(), "00000001")),
                "REGISTER", URI, phone).outcome()).as("the old password").isEqualTo(AuthOutcome.FAILED);
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.MD5, "1001", "new1001", nonce(), "00000001")),
                "REGISTER", URI, phone).outcome()).isEqualTo(AuthOutcome.OK);
        assertThat(auth.verify(List.of(credentials(DigestAlgorithm.MD5, "1003", "secret1003", nonce(), "00000001")),
                "REGISTER", URI, address("10.1.1.1")).outcome()).as("a removed user").isEqualTo(AuthOutcome.FAILED);
    }
}
