package org.edgesbc.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.edgesbc.core.RecordMetrics;
import org.edgesbc.core.config.LogsConfig;
import org.edgesbc.core.config.StirShakenConfig;
import org.edgesbc.core.config.StirShakenConfig.FailureAction;
import org.edgesbc.core.security.SecurityEventLog;
import org.edgesbc.core.security.SecurityMetrics;
import org.edgesbc.fixtures.identity.TestStiCa;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.identity.Attestation;
import org.edgesbc.policy.identity.AttestationRules;
import org.edgesbc.policy.identity.IdentityStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The verdicts and signatures of {@link CallerIdentityService} for calls whose outcome needs no certificate: what
 * each zone policy makes of a missing or malformed Identity header, and what a signed call carries.
 */
class CallerIdentityServiceTest {
    private static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
    private static final DialPlan PLAN = new DialPlan("49", "0", "00", Set.of("112"));
    private static final InetAddress TRUNK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private SecurityEventLog events;
    private CallerIdentityService service;

    @AfterEach
    void close() {
        if (service != null) {
            service.close();
        }
        if (events != null) {
            events.close();
        }
    }

    private CallerIdentityService service() throws Exception {
        TestStiCa ca = new TestStiCa("STI-CA", NOW);
        KeyPair keys = TestStiCa.ecKeys();
        Files.write(dir.resolve("key.pem"), TestStiCa.pem(keys.getPrivate()));
        Files.write(dir.resolve("root.pem"), TestStiCa.pem(List.of(ca.root)));
        StirShakenConfig config = new StirShakenConfig(
                new StirShakenConfig.Signing(Set.of("carrier"), dir.resolve("key.pem"),
                        "https://certs.example.net:8443/sbc.pem", List.of("4989111"), Map.of("700", Attestation.C),
                        Map.of()),
                new StirShakenConfig.Verification(Map.of("pass", FailureAction.PASS, "mark", FailureAction.MARK,
                        "reject", FailureAction.REJECT), dir.resolve("root.pem"), Duration.ofSeconds(60),
                        Duration.ofSeconds(2), 10, Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofMinutes(1),
                        Set.of()));
        events = new SecurityEventLog(dir.resolve("events.jsonl"),
                LogsConfig.DEFAULTS.securityEvents(), RecordMetrics.NONE);
        service = CallerIdentityService.start(config, PLAN, Set.of("200"), events, SecurityMetrics.NONE,
                IdentityMetrics.NONE, Clock.fixed(NOW, ZoneOffset.UTC));
        return service;
    }

    private static CallerIdentityService.Verdict verdict(CallerIdentityService service, String zone,
            List<String> identity) {
        List<CallerIdentityService.Verdict> answers = new ArrayList<>();
        service.verify(zone, TRUNK, identity, "+49891111111", "+49892222222", answers::add);
        assertThat(answers).as("answered at once: no certificate is needed").hasSize(1);
        return answers.get(0);
    }

    @Test
    void aCallWithoutIdentityIsNotValidatedUnlessTheZoneRejectsIt() throws Exception {
        CallerIdentityService service = service();
        assertThat(verdict(service, "pass", List.of())).isEqualTo(new CallerIdentityService.Verdict(
                IdentityStatus.NO_IDENTITY, CallerIdentityService.NOT_VALIDATED, 0, null));
        assertThat(verdict(service, "mark", List.of()).verstat()).isEqualTo(CallerIdentityService.NOT_VALIDATED);
        CallerIdentityService.Verdict rejected = verdict(service, "reject", List.of());
        assertThat(rejected.refused()).isTrue();
        assertThat(rejected.refusal()).as("RFC 8224 §6.2.2: Use Identity Header").isEqualTo(428);
    }

    @Test
    void aMalformedTokenIsPassedOnUnvalidatedMarkedFailedOrRefusedBy438() throws Exception {
        CallerIdentityService service = service();
        List<String> garbage = List.of("not-a-token;info=<https://x.example/c.pem>;alg=ES256;ppt=shaken");
        assertThat(verdict(service, "pass", garbage).verstat()).isEqualTo(CallerIdentityService.NOT_VALIDATED);
        assertThat(verdict(service, "mark", garbage).verstat()).isEqualTo(CallerIdentityService.FAILED);
        CallerIdentityService.Verdict rejected = verdict(service, "reject", garbage);
        assertThat(rejected.refusal()).isEqualTo(438);
        assertThat(rejected.status()).isEqualTo(IdentityStatus.MALFORMED);
    }

    @Test
    void signsOnlyForSigningZonesWithTheAttestationTheRulesGive() throws Exception {
        CallerIdentityService service = service();
        assertThat(service.signs("carrier")).isTrue();
        assertThat(service.signs("pbx")).isFalse();
        CallerIdentityService.Signature fromRange = service.sign(new AttestationRules.Facts(false, "100", null, true,
                false), "0891111111", "+12025550123").orElseThrow();
        assertThat(fromRange.attestation()).as("the PBX calling from the operator's range").isEqualTo(Attestation.A);
        String payload = new String(Base64.getUrlDecoder().decode(fromRange.identityHeader().split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(payload).contains("\"iat\":" + NOW.getEpochSecond(), "\"orig\":{\"tn\":\"49891111111\"}",
                "\"dest\":{\"tn\":[\"12025550123\"]}", "\"origid\":\"" + fromRange.origId() + "\"");
        assertThat(service.sign(new AttestationRules.Facts(false, "200", null, true, false), "0301234567",
                "+12025550123").orElseThrow().attestation()).as("a known account, another number").isEqualTo(
                        Attestation.B);
        assertThat(service.sign(new AttestationRules.Facts(false, "700", null, true, false), "0891111111",
                "+12025550123").orElseThrow().attestation()).as("an account override").isEqualTo(Attestation.C);
        assertThat(service.sign(new AttestationRules.Facts(false, "100", null, true, false), "anonymous",
                "+12025550123")).as("no telephone number: nothing to attest").isEmpty();
    }

    @Test
    void aReloadedAccountListAndDialPlanDecideTheNextSignature() throws Exception {
        CallerIdentityService service = service();
        AttestationRules.Facts newAccount = new AttestationRules.Facts(false, "300", null, true, false);
        assertThat(service.sign(newAccount, "0301234567", "+12025550123").orElseThrow().attestation())
                .as("an account the SBC does not know yet").isEqualTo(Attestation.C);
        service.reconfigure(new DialPlan("33", "0", "00", Set.of("112")), Set.of("200", "300"));
        CallerIdentityService.Signature after = service.sign(newAccount, "0301234567", "+12025550123")
                .orElseThrow();
        assertThat(after.attestation()).as("known after the reload").isEqualTo(Attestation.B);
        String payload = new String(Base64.getUrlDecoder().decode(after.identityHeader().split("\\.")[1]),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(payload).as("national numbers read with the new country code").contains(
                "\"orig\":{\"tn\":\"33301234567\"}");
    }

    @Test
    void offSignsAndVerifiesNothing() {
        CallerIdentityService off = CallerIdentityService.off(Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(off.signs("trunk")).isFalse();
        assertThat(off.verifies("trunk")).isNull();
        assertThat(off.certificates()).isEmpty();
        assertThat(off.longestWait()).isZero();
    }
}
