package org.edgesbc.core.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.edgesbc.core.GuardedHandOff;
import org.edgesbc.core.HandOffMetrics;
import org.edgesbc.core.RecordMetrics;
import org.edgesbc.core.config.LogsConfig;
import org.edgesbc.core.config.SecurityConfig;
import org.edgesbc.core.config.ZoneConfig;
import org.edgesbc.fixtures.sip.SipDigest;
import org.edgesbc.fixtures.time.ManualClock;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.auth.DigestAlgorithm;
import org.edgesbc.policy.auth.DigestAuthenticator;
import org.edgesbc.policy.auth.DigestUser;
import org.edgesbc.policy.ban.BanReason;
import org.edgesbc.transport.SipParseException;
import org.edgesbc.transport.message.SipMessageView;
import org.edgesbc.transport.message.SplicedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessPolicyTest {
    private static final String PASSWORD = "correct-horse-1001";
    private static final String WRONG = "Digest username=\"1001\", realm=\"sbc.test\", nonce=\"forged\", "
            + "uri=\"sip:sbc.test\", response=\"00000000000000000000000000000000\", qop=auth, nc=00000001, cnonce=\"x\"";

    @TempDir
    Path dir;

    private final ManualClock clock = SecurityTestSupport.clock();
    private RecordingBanWriter file;
    private SecurityEventLog events;
    private BanService bans;
    private DropSummary drops;

    @AfterEach
    void close() {
        if (bans != null) {
            bans.close();
            bans = null;
        }
        if (events != null) {
            events.close();
            events = null;
        }
    }

    private AccessPolicy policy(boolean office, double newInvitesPerSecond) {
        DigestUser user = new DigestUser("1001", Map.of(DigestAlgorithm.MD5,
                DigestAuthenticator.ha1(DigestAlgorithm.MD5, "1001", SecurityTestSupport.REALM, PASSWORD)), true,
                List.of(Cidr.parse("10.0.0.0/8")));
        return policy(List.of(user), SecurityTestSupport.zones(office), newInvitesPerSecond);
    }

    private AccessPolicy policy(List<DigestUser> users, List<ZoneConfig> zoneConfigs, double newInvitesPerSecond) {
        SecurityConfig config = SecurityTestSupport.config(dir, users, newInvitesPerSecond);
        events = new SecurityEventLog(dir.resolve("events.jsonl"),
                LogsConfig.DEFAULTS.securityEvents(), RecordMetrics.NONE);
        file = new RecordingBanWriter();
        bans = new BanService(config, file, events, SecurityMetrics.NONE, new GuardedHandOff(HandOffMetrics.NONE),
                clock, clock::nanoTime, org.edgesbc.policy.cluster.SingleNodeState.INSTANCE);
        SecurityZones zones = new SecurityZones(zoneConfigs);
        drops = new DropSummary(events, clock, 100);
        return new AccessPolicy(zones, config, bans, new FloodWatch(zones, config.floodBanAfter(),
                config.packetsPerSecond(), bans, clock::nanoTime), drops, events, SecurityMetrics.NONE, clock,
                clock::nanoTime);
    }

    private static SplicedRequest request(String method, String target, String from, String extraHeaders)
            throws SipParseException {
        String text = method + " " + target + " SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.5;branch=z9hG4bK-" + extraHeaders
                .hashCode() + "\r\nMax-Forwards: 70\r\nFrom: <sip:" + from + "@sbc.test>;tag=1\r\nTo: <" + target
                + ">\r\nCall-ID: c" + extraHeaders.hashCode() + "\r\nCSeq: 1 " + method + "\r\n" + extraHeaders
                + "Content-Length: 0\r\n\r\n";
        return SplicedRequest.of(SipMessageView.parse(text.getBytes(StandardCharsets.US_ASCII)));
    }

    private static SplicedRequest register(String authorization) throws SipParseException {
        return request("REGISTER", "sip:sbc.test", "1001",
                authorization == null ? "" : "Authorization: " + authorization + "\r\n");
    }

    /** An INVITE from {@code from} answered with the credentials of 1001 for {@code challenge}, nonce count nc. */
    private static SplicedRequest invite(String from, String challenge, int nc, String extraHeaders)
            throws SipParseException {
        return invite("sip:2000@sbc.test", from, challenge, nc, extraHeaders);
    }

    private static SplicedRequest invite(String target, String from, String challenge, int nc, String extraHeaders)
            throws SipParseException {
        String credentials = SipDigest.credentials(challenge, SecurityTestSupport.REALM, "1001", PASSWORD, "INVITE",
                target, nc);
        return request("INVITE", target, from, "Proxy-Authorization: " + credentials + "\r\n" + extraHeaders);
    }

    private static String md5Challenge(Verdict verdict) {
        return verdict.headers().values().iterator().next().stream().filter(c -> c.contains("algorithm=MD5"))
                .findFirst().orElseThrow();
    }

    @Test
    void aRequestWithoutCredentialsIsChallengedAndAGoodAnswerPasses() throws Exception {
        AccessPolicy policy = policy(false, 1_000);
        InetAddress phone = InetAddress.getByName("10.0.0.5");
        Verdict challenge = policy.check("phones", phone, request("INVITE", "sip:2000@sbc.test", "1001", ""), true,
                true);
        assertThat(challenge.kind()).isEqualTo(Verdict.Kind.CHALLENGE);
        assertThat(challenge.status()).isEqualTo(407);
        Verdict allowed = policy.check("phones", phone, invite("1001", md5Challenge(challenge), 1, ""), true, true);
        assertThat(allowed.allowed()).isTrue();
        assertThat(allowed.user()).isEqualTo("1001");
        assertThat(allowed.fraud()).as("toll fraud is the relay's question to the fraud service").isNull();
    }

    /** The algorithm= of each challenge of a verdict, in order. */
    private static List<String> challengedAlgorithms(Verdict verdict) {
        return verdict.headers().values().iterator().next().stream()
                .map(c -> c.replaceAll(".*algorithm=([A-Z0-9-]+).*", "$1")).toList();
    }

    @Test
    void anAccountOrAZoneWithItsOwnAlgorithmsIsChallengedWithThoseAlone() throws Exception {
        String ha1 = DigestAuthenticator.ha1(DigestAlgorithm.MD5, "1001", SecurityTestSupport.REALM, PASSWORD);
        DigestUser baresip = new DigestUser("1001", Map.of(DigestAlgorithm.MD5, ha1), true, List.of(),
                List.of(DigestAlgorithm.MD5));
        DigestUser other = new DigestUser("1002", Map.of(DigestAlgorithm.MD5, ha1), true, List.of());
        AccessPolicy policy = policy(List.of(baresip, other), SecurityTestSupport.zones(false), 1_000);
        InetAddress phone = InetAddress.getByName("10.0.0.5");
        Verdict forAccount = policy.check("phones", phone, request("INVITE", "sip:2000@sbc.test", "1001", ""), true,
                true);
        assertThat(challengedAlgorithms(forAccount)).containsExactly("MD5");
        assertThat(policy.check("phones", phone, invite("1001", md5Challenge(forAccount), 1, ""), true, true)
                .allowed()).isTrue();
        assertThat(challengedAlgorithms(policy.check("phones", phone, request("INVITE", "sip:2000@sbc.test", "1002",
                ""), true, true))).as("other accounts keep SHA-256 first").containsExactly("SHA-256", "MD5");
        close();

        List<ZoneConfig> md5Zone = SecurityTestSupport.zones(false).stream().map(z -> z.name().equals("phones")
                ? new ZoneConfig(z.name(), z.role(), z.networks(), z.peer(), z.srtp(), false,
                        List.of(DigestAlgorithm.MD5)) : z).toList();
        AccessPolicy zonePolicy = policy(List.of(other), md5Zone, 1_000);
        assertThat(challengedAlgorithms(zonePolicy.check("phones", phone, register(null), false, true)))
                .containsExactly("MD5");
    }

    @Test
    void anExtensionSweepIsBannedAsAScannerWhileAPhoneThatAuthenticatesEachCallIsNot() throws Exception {
        AccessPolicy policy = policy(false, 1_000);
        InetAddress phone = InetAddress.getByName("10.0.0.5");
        for (int i = 0; i < 30; i++) {
            String target = "sip:" + (5000 + i) + "@sbc.test";
            Verdict challenge = policy.check("phones", phone, request("INVITE", target, "1001", ""), true, true);
            assertThat(challenge.kind()).as("call %d", i).isEqualTo(Verdict.Kind.CHALLENGE);
            assertThat(policy.check("phones", phone, invite(target, "1001", md5Challenge(challenge), 1, ""), true,
                    true).allowed()).isTrue();
            clock.advance(Duration.ofSeconds(1));
        }

        InetAddress sweeper = InetAddress.getByName("10.0.0.6");
        for (int extension = 100; extension < 119; extension++) {
            SplicedRequest probe = request("REGISTER", "sip:" + extension + "@sbc.test", Integer.toString(extension), "");
            assertThat(policy.check("phones", sweeper, probe, false, true).kind()).as("extension %d", extension)
                    .isEqualTo(Verdict.Kind.CHALLENGE);
            clock.advance(Duration.ofMillis(500));
        }
        assertThat(policy.check("phones", sweeper, request("OPTIONS", "sip:119@sbc.test", "119", ""), false,
                false).kind()).as("the 20th distinct extension").isEqualTo(Verdict.Kind.DROP);
        close();
        assertThat(Files.readAllLines(dir.resolve("events.jsonl")))
                .noneSatisfy(e -> assertThat(e).contains("10.0.0.5"))
                .anySatisfy(e -> assertThat(e).contains("\"source\":\"10.0.0.6\"", "\"rule\":\"EXTENSION_SWEEP\"",
                        "\"action\":\"ban\"", "\"numeric_users\":20", "\"last_user\":\"119\""));
    }

    @Test
    void aPhoneCallingAsSomeoneElseGets403AndAnEvent() throws Exception {
        AccessPolicy policy = policy(false, 1_000);
        InetAddress phone = InetAddress.getByName("10.0.0.5");
        String challenge = md5Challenge(policy.check("phones", phone, request("INVITE", "sip:2000@sbc.test", "1001",
                ""), true, true));
        Verdict asOther = policy.check("phones", phone, invite("1002", challenge, 1, ""), true, true);
        assertThat(asOther.kind()).isEqualTo(Verdict.Kind.REJECT);
        assertThat(asOther.status()).isEqualTo(403);
        Verdict asserted = policy.check("phones", phone, invite("1001", challenge, 2,
                "P-Asserted-Identity: <sip:1003@sbc.test>\r\n"), true, true);
        assertThat(asserted.status()).as("nor may it assert another identity").isEqualTo(403);
        close();
        assertThat(Files.readAllLines(dir.resolve("events.jsonl"))).hasSize(2)
                .allSatisfy(e -> assertThat(e).contains("\"rule\":\"IDENTITY\"", "\"action\":\"reject\""));
    }

    @Test
    void newInvitesOverTheBudgetGet503WithRetryAfter() throws Exception {
        AccessPolicy policy = policy(false, 1);
        InetAddress phone = InetAddress.getByName("10.0.0.5");
        String challenge = md5Challenge(policy.check("phones", phone, request("INVITE", "sip:2000@sbc.test", "1001",
                ""), true, true));
        assertThat(policy.check("phones", phone, invite("1001", challenge, 1, ""), true, true).allowed()).isTrue();
        Verdict overload = policy.check("phones", phone, invite("1001", challenge, 2, ""), true, true);
        assertThat(overload.status()).isEqualTo(503);
        assertThat(overload.headers()).containsEntry("Retry-After", List.of("5"));
        InetAddress trunk = InetAddress.getByName("192.0.2.1");
        SplicedRequest fromTrunk = request("INVITE", "sip:2000@sbc.test", "5551234", "");
        assertThat(policy.check("trunk", trunk, fromTrunk, true, true).status()).as("one budget for every zone")
                .isEqualTo(503);
        clock.advance(Duration.ofSeconds(1));
        assertThat(policy.check("trunk", trunk, fromTrunk, true, true).allowed()).isTrue();
    }

    @Test
    void registersOverTheSourceBudgetAreDropped() throws Exception {
        AccessPolicy policy = policy(false, 1_000);
        InetAddress phone = InetAddress.getByName("10.0.0.5");
        int challenged = 0;
        for (int i = 0; i < 20; i++) {
            if (policy.check("phones", phone, register(null), false, true).kind() == Verdict.Kind.CHALLENGE) {
                challenged++;
            }
        }
        assertThat(challenged).as("a burst of four seconds' worth (2/s), then drops").isEqualTo(8);
        clock.advance(Duration.ofSeconds(1));
        assertThat(policy.check("phones", phone, register(null), false, true).kind()).as("refilled on the clock")
                .isEqualTo(Verdict.Kind.CHALLENGE);
    }

    @Test
    void aScannerIsDroppedAndBannedByTheBanThread() throws Exception {
        AccessPolicy policy = policy(false, 1_000);
        InetAddress scanner = InetAddress.getByName("10.0.0.13");
        SplicedRequest options = request("OPTIONS", "sip:100@sbc.test", "100", "User-Agent: friendly-scanner\r\n");
        assertThat(policy.check("phones", scanner, options, false, true)).isEqualTo(Verdict.DROP);
        RecordingBanWriter.Write write = file.next();
        assertThat(write.thread()).isEqualTo("sbc-bans");
        assertThat(write.bans()).singleElement().satisfies(ban -> {
            assertThat(ban.source()).isEqualTo(scanner);
            assertThat(ban.reason()).isEqualTo(BanReason.SCANNER);
        });
    }

    @Test
    void scannersWithoutAScannerUserAgentAreKnownByFromContactOrViaAndOfficeScansAreSummarised() throws Exception {
        AccessPolicy policy = policy(false, 1_000);
        InetAddress svmap = InetAddress.getByName("10.0.0.14");
        SplicedRequest byFrom = SplicedRequest.of(SipMessageView.parse(("OPTIONS sip:100@sbc.test SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 10.0.0.14:5060;branch=z9hG4bK-1\r\nMax-Forwards: 70\r\n"
                + "From: \"sipvicious\"<sip:100@1.1.1.1>;tag=6665\r\nTo: \"sipvicious\"<sip:100@1.1.1.1>\r\n"
                + "Call-ID: 5050\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII)));
        assertThat(policy.check("phones", svmap, byFrom, false, true)).isEqualTo(Verdict.DROP);
        assertThat(file.next().bans()).singleElement().satisfies(ban -> assertThat(ban.reason())
                .isEqualTo(BanReason.SCANNER));
        close();

        AccessPolicy office = policy(true, 1_000);
        InetAddress colleague = InetAddress.getByName("10.0.0.15");
        SplicedRequest scan = request("OPTIONS", "sip:100@sbc.test", "100", "User-Agent: sipcli/v1.8\r\n");
        for (int i = 0; i < 3; i++) {
            assertThat(office.check("phones", colleague, scan, false, true)).isEqualTo(Verdict.DROP);
        }
        assertThat(bans.activeBans()).as("an office is never banned").isZero();
        drops.flush();
        close();
        assertThat(Files.readAllLines(dir.resolve("events.jsonl"))).as("the svmap ban, then the summary")
                .hasSize(2).last().asString().contains("\"source\":\"10.0.0.15\"", "\"rule\":\"DROPS\"", "\"scanner\":3", "\"action\":\"drop\"");
    }

    @Test
    void officesGetLargerBudgetsAndAreNeverBannedForFailures() throws Exception {
        AccessPolicy policy = policy(true, 1_000);
        InetAddress office = InetAddress.getByName("10.0.0.6");
        for (int i = 0; i < 20; i++) {
            assertThat(policy.check("phones", office, register(WRONG), false, true).kind())
                    .isEqualTo(Verdict.Kind.CHALLENGE);
        }
        close();

        AccessPolicy strict = policy(false, 1_000);
        List<Verdict.Kind> kinds = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) {
            kinds.add(strict.check("phones", office, register(WRONG), false, true).kind());
        }
        assertThat(kinds).as("the third failure from an ordinary access zone bans the source")
                .containsExactly(Verdict.Kind.CHALLENGE, Verdict.Kind.CHALLENGE, Verdict.Kind.DROP);
        assertThat(file.next().bans()).singleElement().satisfies(ban -> {
            assertThat(ban.source()).isEqualTo(office);
            assertThat(ban.reason()).isEqualTo(BanReason.AUTH_FAILURES);
        });
    }
}
