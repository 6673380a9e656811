package org.edgesbc.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestAuthenticator;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.policy.ban.AuthFailureTracker;
import org.edgesbc.policy.ban.BanReason;
import org.edgesbc.policy.ban.BanSettings;
import org.edgesbc.policy.event.SecurityAction;
import org.edgesbc.policy.event.SecurityEvent;
import org.edgesbc.policy.event.SecurityEventListener;
import org.edgesbc.policy.event.SecurityRule;
import org.edgesbc.policy.limit.MethodClass;
import org.edgesbc.policy.limit.PacketBudgets;
import org.edgesbc.policy.limit.RequestBudgets;
import org.edgesbc.policy.scan.ScannerFingerprints;
import org.junit.jupiter.api.Test;

class PolicyEngineTest {
    private static final String REALM = "sbc.local";
    private static final String URI = "sip:" + REALM;
    private static final ZoneTable.Zone PHONES = new ZoneTable.Zone("phones", ZoneKind.ACCESS);
    private static final ZoneTable.Zone OFFICE = new ZoneTable.Zone("office", ZoneKind.OFFICE);
    private static final ZoneTable.Zone TRUNK = new ZoneTable.Zone("carrier", ZoneKind.TRUNK);

    private final ManualClock clock = new ManualClock();
    private final List<SecurityEvent> events = new ArrayList<>();
    private final List<String> counted = new ArrayList<>();
    private final SecurityEventListener listener = new SecurityEventListener() {
        @Override
        public void onEvent(SecurityEvent event) {
            events.add(event);
        }

        @Override
        public void onCounted(SecurityRule rule, SecurityAction action) {
            counted.add(rule + "/" + action);
        }
    };
    private final PolicyConfig config = new PolicyConfig(BanSettings.DEFAULTS,
            new AuthFailureTracker.Settings(10, Duration.ofMinutes(10), 20, 3, 1000, 1000),
            new PacketBudgets(50, 200, 20_000, 100_000, 1000, Duration.ofMinutes(1)),
            new RequestBudgets(Map.of(MethodClass.REGISTER, 20.0, MethodClass.INVITE, 5.0, MethodClass.OPTIONS, 5.0,
                    MethodClass.OTHER, 20.0), 4, 50, 1000, Duration.ofMinutes(1)),
            ScannerFingerprints.defaults(), 100, Duration.ofMinutes(1), 2, 100, Duration.ofSeconds(5), false);
    private final DigestAuthenticator authenticator = new DigestAuthenticator(REALM, List.of(DigestAlgorithm.values()), List.of(
            user("1001", "secret1001", true, List.of()),
            user("1002", "secret1002", false, List.of()),
            user("1003", "secret1003", true, List.of(Cidr.parse("10.0.0.0/8")))),
            Duration.ofMinutes(5), 1000, clock, new SecureRandom());
    private final PolicyEngine engine = new PolicyEngine(config, authenticator, listener, clock, clock::nanos);
    private final InetAddress phone = Cidr.address("127.0.0.10");
    private final InetAddress guesser = Cidr.address("127.0.0.66");

    private static DigestUser user(String name, String password, boolean enabled, List<Cidr> sources) {
        return new DigestUser(name, Map.of(DigestAlgorithm.SHA_256,
                DigestAuthenticator.ha1(DigestAlgorithm.SHA_256, name, REALM, password)), enabled, sources);
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private String nonce() {
        Matcher m = Pattern.compile("nonce=\"([^\"]+)\"").matcher(authenticator.challenge(false).get(0));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private String credentials(String method, String user, String password) throws Exception {
        String nonce = nonce();
        String ha1 = sha256(user + ":" + REALM + ":" + password);
        String response = sha256(ha1 + ":" + nonce + ":00000001:abc:auth:" + sha256(method + ":" + URI));
        return "Digest username=\"" + user + "\", realm=\"" + REALM + "\", nonce=\"" + nonce + "\", uri=\"" + URI
                + "\", response=\"" + response + "\", algorithm=SHA-256, qop=auth, nc=00000001, cnonce=\"abc\"";
    }

    private RequestFacts request(InetAddress source, ZoneTable.Zone zone, String method, String userAgent,
            String credentials, boolean inDialog, int transactions) {
        return new RequestFacts(source, zone.name(), zone.kind(), method, URI, userAgent, null, "1001", "1001",
                credentials == null ? List.of() : List.of(credentials), inDialog, transactions,
                clock.instant());
    }

    private RequestFacts register(InetAddress source, ZoneTable.Zone zone, String credentials) {
        return request(source, zone, "REGISTER", "Yealink SIP-T46S", credentials, false, 0);
    }

    @Test
    void registerWithoutCredentialsIsChallengedWith401AndInviteWith407() {
        Verdict register = engine.decide(register(phone, PHONES, null));
        assertThat(register.kind()).isEqualTo(Verdict.Kind.CHALLENGE);
        assertThat(register.status()).isEqualTo(401);
        assertThat(register.headerName()).isEqualTo("WWW-Authenticate");
        assertThat(register.headerValues()).hasSize(2);
        assertThat(register.headerValues().get(0)).contains("algorithm=SHA-256");
        Verdict invite = engine.decide(request(phone, PHONES, "INVITE", "Yealink", null, false, 0));
        assertThat(invite.status()).isEqualTo(407);
        assertThat(invite.headerName()).isEqualTo("Proxy-Authenticate");
        assertThat(events).as("a challenge is not a blocking decision").isEmpty();
    }

    @Test
    void validCredentialsAllowWithTheUserAndInDialogRequestsPassWithout() throws Exception {
        Verdict ok = engine.decide(register(phone, PHONES, credentials("REGISTER", "1001", "secret1001")));
        assertThat(ok.kind()).isEqualTo(Verdict.Kind.ALLOW);
        assertThat(ok.user()).isEqualTo("1001");
        assertThat(engine.decide(request(phone, PHONES, "BYE", "Yealink", null, true, 0)).kind())
                .isEqualTo(Verdict.Kind.ALLOW);
        assertThat(engine.decide(request(phone, PHONES, "ACK", "Yealink", null, false, 0)).kind())
                .as("ACK cannot be challenged, RFC 3261 §22.1").isEqualTo(Verdict.Kind.ALLOW);
        assertThat(engine.decide(request(TRUNK_ADDRESS, TRUNK, "INVITE", "carrier", null, false, 0)).kind())
                .as("the trunk does not authenticate at the SBC").isEqualTo(Verdict.Kind.ALLOW);
    }

    private static final InetAddress TRUNK_ADDRESS = Cidr.address("127.0.0.2");

    @Test
    void unknownUserWrongPasswordDisabledAndDisallowedSourceGetTheSameAnswer() throws Exception {
        List<Verdict> verdicts = List.of(
                engine.decide(register(phone, PHONES, credentials("REGISTER", "9999", "guess"))),
                engine.decide(register(phone, PHONES, credentials("REGISTER", "1001", "guess"))),
                engine.decide(register(phone, PHONES, credentials("REGISTER", "1002", "secret1002"))),
                engine.decide(register(phone, PHONES, credentials("REGISTER", "1003", "secret1003"))),
                engine.decide(register(phone, PHONES, null)));
        for (Verdict verdict : verdicts) {
            assertThat(verdict.kind()).isEqualTo(Verdict.Kind.CHALLENGE);
            assertThat(verdict.status()).isEqualTo(401);
            assertThat(verdict.reasonPhrase()).isEqualTo("Unauthorized");
            assertThat(verdict.headerName()).isEqualTo("WWW-Authenticate");
            assertThat(verdict.headerValues()).hasSize(2)
                    .allSatisfy(v -> assertThat(v.replaceAll("nonce=\"[^\"]+\"", "nonce=N"))
                            .isIn("Digest realm=\"sbc.local\", nonce=N, algorithm=SHA-256, qop=\"auth\"",
                                    "Digest realm=\"sbc.local\", nonce=N, algorithm=MD5, qop=\"auth\""));
        }
    }

    @Test
    void passwordGuessingBansTheSourceWhileTheRealUserRegistersFromElsewhere() throws Exception {
        Verdict last = null;
        int guesses = 0;
        while (guesses < 20 && (last == null || last.kind() == Verdict.Kind.CHALLENGE)) {
            last = engine.decide(register(guesser, PHONES, credentials("REGISTER", "1001", "guess" + guesses)));
            guesses++;
            assertThat(engine.decide(register(phone, PHONES, credentials("REGISTER", "1001", "secret1001"))).kind())
                    .isEqualTo(Verdict.Kind.ALLOW);
        }
        assertThat(last.kind()).isEqualTo(Verdict.Kind.BAN);
        assertThat(guesses).isEqualTo(10);
        assertThat(engine.admit(guesser, PHONES, clock.instant())).isEqualTo(PolicyEngine.Admission.BANNED);
        assertThat(engine.admit(phone, PHONES, clock.instant())).isEqualTo(PolicyEngine.Admission.ADMITTED);
        SecurityEvent ban = events.get(events.size() - 1);
        assertThat(ban.rule()).isEqualTo(SecurityRule.AUTH_FAILURES);
        assertThat(ban.action()).isEqualTo(SecurityAction.BAN);
        assertThat(ban.user()).isEqualTo("1001");
        assertThat(ban.counters()).containsEntry("failures", 10L).containsEntry("threshold", 10L)
                .containsEntry("window_seconds", 600L).containsEntry("offences", 1L);
        assertThat(ban.expires()).isEqualTo(clock.instant().plus(Duration.ofHours(1)));
        assertThat(engine.bans()).singleElement().satisfies(b -> assertThat(b.reason())
                .isEqualTo(BanReason.AUTH_FAILURES));
    }

    @Test
    void scannersAreBannedBeforeRateLimitsOrAuthenticationButKnownPeersOnlyDropped() {
        for (int i = 0; i < 100; i++) {
            engine.decide(request(phone, PHONES, "OPTIONS", "Yealink", null, false, 0));
        }
        Verdict scanner = engine.decide(request(phone, PHONES, "OPTIONS", "friendly-scanner", null, false, 0));
        assertThat(scanner.kind()).as("over its OPTIONS budget, yet the fingerprint decides first")
                .isEqualTo(Verdict.Kind.BAN);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.rule()).isEqualTo(SecurityRule.SCANNER);
            assertThat(e.reason()).isEqualTo("user-agent:friendly-scanner");
        });
        assertThat(engine.decide(request(phone, PHONES, "REGISTER", "Yealink", null, false, 0)).kind())
                .as("banned sources are dropped first").isEqualTo(Verdict.Kind.DROP);
        Verdict peer = engine.decide(request(TRUNK_ADDRESS, TRUNK, "OPTIONS", "sipvicious", null, false, 0));
        assertThat(peer.kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(engine.admit(TRUNK_ADDRESS, TRUNK, clock.instant())).isEqualTo(PolicyEngine.Admission.ADMITTED);
        assertThat(events.get(1).action()).isEqualTo(SecurityAction.DROP);
    }

    @Test
    void requestsOverTheirMethodBudgetAreDroppedBeforeAuthenticationWork() throws Exception {
        int challenged = 0;
        for (int i = 0; i < 25; i++) {
            if (engine.decide(request(phone, PHONES, "INVITE", "Yealink", null, false, 0)).kind()
                    == Verdict.Kind.CHALLENGE) {
                challenged++;
            }
        }
        assertThat(challenged).as("burst of four seconds at 5/s").isEqualTo(20);
        assertThat(counted).contains("REQUEST_BUDGET/DROP");
        assertThat(engine.decide(request(phone, PHONES, "INVITE", "Yealink",
                credentials("INVITE", "1001", "secret1001"), false, 0)).kind()).isEqualTo(Verdict.Kind.DROP);
        assertThat(engine.decide(register(phone, PHONES, null)).kind()).as("other classes keep their budget")
                .isEqualTo(Verdict.Kind.CHALLENGE);
    }

    @Test
    void overloadRefusesNewInvitesWith503WhileInDialogRequestsFlow() throws Exception {
        Verdict capped = engine.decide(request(TRUNK_ADDRESS, TRUNK, "INVITE", "carrier", null, false, 100));
        assertThat(capped.kind()).isEqualTo(Verdict.Kind.REJECT);
        assertThat(capped.status()).isEqualTo(503);
        assertThat(capped.headerName()).isEqualTo("Retry-After");
        assertThat(capped.headerValues()).containsExactly("5");
        assertThat(engine.decide(request(TRUNK_ADDRESS, TRUNK, "BYE", "carrier", null, true, 100)).kind())
                .isEqualTo(Verdict.Kind.ALLOW);
        assertThat(engine.decide(request(TRUNK_ADDRESS, TRUNK, "INVITE", "carrier", null, true, 100)).kind())
                .as("a re-INVITE is in-dialog").isEqualTo(Verdict.Kind.ALLOW);
        assertThat(engine.decide(request(TRUNK_ADDRESS, TRUNK, "INVITE", "carrier", null, false, 99)).kind())
                .isEqualTo(Verdict.Kind.ALLOW);
        assertThat(engine.decide(request(TRUNK_ADDRESS, TRUNK, "INVITE", "carrier", null, false, 0)).kind())
                .isEqualTo(Verdict.Kind.ALLOW);
        assertThat(engine.decide(request(TRUNK_ADDRESS, TRUNK, "INVITE", "carrier", null, false, 0)).status())
                .as("over 2 new INVITEs per second").isEqualTo(503);
        assertThat(events).as("one overload event per second, not one per request").hasSize(1);
        assertThat(events.get(0).counters()).containsEntry("server_transactions", 100L);
        clock.advance(Duration.ofSeconds(1));
        assertThat(engine.decide(request(TRUNK_ADDRESS, TRUNK, "INVITE", "carrier", null, false, 0)).kind())
                .isEqualTo(Verdict.Kind.ALLOW);
    }

    @Test
    void aFloodingAccessSourceIsBannedButAFloodingOfficeIsNot() {
        InetAddress office = Cidr.address("127.0.0.70");
        PolicyEngine.Admission last = null;
        for (int i = 0; i < 400 && last != PolicyEngine.Admission.BANNED; i++) {
            last = engine.admit(guesser, PHONES, clock.instant());
        }
        assertThat(last).isEqualTo(PolicyEngine.Admission.BANNED);
        assertThat(events).singleElement().satisfies(e -> {
            assertThat(e.rule()).isEqualTo(SecurityRule.FLOOD);
            assertThat(e.counters()).containsEntry("dropped", 100L).containsEntry("threshold", 100L);
        });
        int dropped = 0;
        for (int i = 0; i < 20_400; i++) {
            dropped += engine.admit(office, OFFICE, clock.instant()) == PolicyEngine.Admission.OVER_BUDGET ? 1 : 0;
        }
        assertThat(dropped).isEqualTo(400);
        assertThat(engine.admit(office, OFFICE, clock.instant())).isEqualTo(PolicyEngine.Admission.OVER_BUDGET);
        assertThat(engine.admit(Cidr.address("127.0.0.200"), null, clock.instant()))
                .isEqualTo(PolicyEngine.Admission.NO_ZONE);
        assertThat(engine.stats().activeBans()).isEqualTo(1);
    }

    @Test
    void guessingFromAnOfficeIsNeverBannedAutomatically() throws Exception {
        InetAddress office = Cidr.address("127.0.0.70");
        for (int i = 0; i < 30; i++) {
            assertThat(engine.decide(register(office, OFFICE, credentials("REGISTER", "1001", "guess" + i))).kind())
                    .isEqualTo(Verdict.Kind.CHALLENGE);
        }
        assertThat(engine.bans()).isEmpty();
        assertThat(events).extracting(SecurityEvent::rule).containsOnly(SecurityRule.USER_UNDER_ATTACK);
    }

    @Test
    void operatorsAddAndRemoveBansWithEvents() {
        engine.addBan(guesser, Duration.ofMinutes(30), "seen in honeypot", clock.instant());
        assertThat(engine.admit(guesser, PHONES, clock.instant())).isEqualTo(PolicyEngine.Admission.BANNED);
        assertThat(engine.removeBan(guesser, clock.instant())).isTrue();
        assertThat(engine.removeBan(guesser, clock.instant())).isFalse();
        assertThat(engine.admit(guesser, PHONES, clock.instant())).isEqualTo(PolicyEngine.Admission.ADMITTED);
        assertThat(events).extracting(SecurityEvent::action).containsExactly(SecurityAction.BAN, SecurityAction.UNBAN);
    }

    @Test
    void anAuthenticatedUserMayNotActInAnotherUsersName() throws Exception {
        RequestFacts foreignRegister = new RequestFacts(phone, PHONES.name(), PHONES.kind(), "REGISTER", URI,
                "Yealink", null, "1001", "1003", List.of(credentials("REGISTER", "1001", "secret1001")), false, 0,
                clock.instant());
        Verdict verdict = engine.decide(foreignRegister);
        assertThat(verdict.kind()).isEqualTo(Verdict.Kind.REJECT);
        assertThat(verdict.status()).isEqualTo(403);
        RequestFacts foreignCall = new RequestFacts(phone, PHONES.name(), PHONES.kind(), "INVITE", URI, "Yealink",
                null, "1003", "200", List.of(credentials("INVITE", "1001", "secret1001")), false, 0, clock.instant());
        assertThat(engine.decide(foreignCall).status()).isEqualTo(403);
        assertThat(events).extracting(SecurityEvent::rule).containsExactly(SecurityRule.IDENTITY,
                SecurityRule.IDENTITY);
    }
}
