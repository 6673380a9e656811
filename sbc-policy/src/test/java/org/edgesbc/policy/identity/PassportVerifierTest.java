package org.edgesbc.policy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.edgesbc.fixtures.identity.TestStiCa;
import org.edgesbc.policy.fraud.DialPlan;
import org.edgesbc.policy.fraud.E164Normalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PassportVerifierTest {
    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
    private static final String X5U = "https://cert.example.org/passport.cer";
    private static final String ORIG = "12025550100";
    private static final String DEST = "12025550199";
    private static final TestStiCa CA = new TestStiCa("STI-CA", NOW);
    private static final KeyPair SIGNING_KEYS = TestStiCa.ecKeys();
    private static final X509Certificate LEAF = CA.leaf(SIGNING_KEYS.getPublic());
    private static final List<X509Certificate> CHAIN = List.of(LEAF, CA.intermediate);

    private final PassportVerifier verifier = new PassportVerifier(Set.of(CA.anchor()),
            PassportVerifier.DEFAULT_MAX_AGE);

    private static ShakenClaims claims(long iat) {
        return new ShakenClaims(Attestation.A, List.of(DEST), iat, ORIG, "0bfc6a38-5b8c-4c8e-9a5e-6d1f5b0c2a11");
    }

    private static String signed(ShakenClaims claims) {
        return new PassportSigner(SIGNING_KEYS.getPrivate(), X5U).identityHeader(claims);
    }

    private static final String GOOD = signed(claims(NOW.getEpochSecond()));

    private IdentityStatus verify(String identity) {
        return verify(List.of(identity), CHAIN, NOW);
    }

    private IdentityStatus verify(List<String> identity, List<X509Certificate> chain, Instant now) {
        PassportVerifier.Precheck precheck = verifier.precheck(identity, ORIG, DEST, now);
        return verifier.verify(precheck, chain, now);
    }

    @Test
    void aTokenSignedHereVerifies() {
        PassportVerifier.Precheck precheck = verifier.precheck(List.of(GOOD), ORIG, DEST, NOW);

        assertThat(precheck.needsCertificate()).isTrue();
        assertThat(precheck.x5u()).isEqualTo(X5U);
        assertThat(precheck.claims()).isEqualTo(claims(NOW.getEpochSecond()));
        assertThat(precheck.signingInput()).isEqualTo(GOOD.substring(0, GOOD.lastIndexOf('.', GOOD.indexOf(';'))));
        assertThat(verifier.verify(precheck, CHAIN, NOW)).isEqualTo(IdentityStatus.VALID);
    }

    @Test
    void eachTamperedPartHasItsStatus() {
        String[] parts = token(GOOD).split("\\.");
        String params = GOOD.substring(GOOD.indexOf(';'));
        String otherPayload = encode(CanonicalJson.write(new ShakenClaims(Attestation.A, List.of(DEST),
                NOW.getEpochSecond(), "12025550111", "0bfc6a38-5b8c-4c8e-9a5e-6d1f5b0c2a11").toJson()));
        // The same header with another member order: same meaning, other bytes.
        String reorderedHeader = encode("{\"x5u\":\"" + X5U + "\",\"alg\":\"ES256\",\"typ\":\"passport\","
                + "\"ppt\":\"shaken\"}");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        signature[10] ^= 1;

        assertThat(verify(reorderedHeader + "." + parts[1] + "." + parts[2] + params))
                .isEqualTo(IdentityStatus.BAD_SIGNATURE);
        assertThat(verifier.precheck(List.of(parts[0] + "." + otherPayload + "." + parts[2] + params),
                "12025550111", DEST, NOW).needsCertificate()).isTrue();
        assertThat(verifier.verify(verifier.precheck(List.of(parts[0] + "." + otherPayload + "." + parts[2]
                + params), "12025550111", DEST, NOW), CHAIN, NOW)).isEqualTo(IdentityStatus.BAD_SIGNATURE);
        assertThat(verify(parts[0] + "." + parts[1] + "." + encode(signature) + params))
                .isEqualTo(IdentityStatus.BAD_SIGNATURE);
        assertThat(verify(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 43) + params))
                .as("a 32-byte signature").isEqualTo(IdentityStatus.BAD_SIGNATURE);
        assertThat(verify(token(GOOD) + ";info=<https://cert.example.org/other.cer>;alg=ES256;ppt=shaken"))
                .isEqualTo(IdentityStatus.INFO_MISMATCH);
        assertThat(verify(token(GOOD) + ";alg=ES256;ppt=shaken")).isEqualTo(IdentityStatus.INFO_MISMATCH);
    }

    @Test
    void theSignatureIsCheckedOverTheBytesAsReceivedNotARe_serialisation() throws Exception {
        // Another implementation's token: valid JSON with whitespace and its own member order, signed as sent.
        String header = encode("{ \"typ\":\"passport\", \"alg\":\"ES256\", \"ppt\":\"shaken\", \"x5u\":\"" + X5U
                + "\" }");
        String payload = encode("{\n  \"orig\": {\"tn\": \"+" + ORIG + "\"},\n  \"dest\": {\"tn\": [\"" + DEST
                + "\"]},\n  \"iat\": " + NOW.getEpochSecond() + ",\n  \"attest\": \"B\",\n  \"origid\": \"x\"\n}");
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(SIGNING_KEYS.getPrivate());
        signer.update((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
        String identity = header + "." + payload + "." + encode(signer.sign()) + ";info=<" + X5U + ">;alg=ES256;"
                + "ppt=shaken";

        assertThat(verify(identity)).isEqualTo(IdentityStatus.VALID);
    }

    @Test
    void iatMustBeFreshInBothDirections() {
        assertThat(verify(List.of(GOOD), CHAIN, NOW.plusSeconds(60))).isEqualTo(IdentityStatus.VALID);
        assertThat(verify(List.of(GOOD), CHAIN, NOW.plusSeconds(61))).isEqualTo(IdentityStatus.STALE);
        assertThat(verify(List.of(GOOD), CHAIN, NOW.minusSeconds(60))).isEqualTo(IdentityStatus.VALID);
        assertThat(verify(List.of(GOOD), CHAIN, NOW.minusSeconds(61))).as("iat in the future")
                .isEqualTo(IdentityStatus.STALE);
        assertThat(verify(signed(claims(Long.MIN_VALUE)))).isEqualTo(IdentityStatus.STALE);
        assertThat(verify(signed(claims(Long.MAX_VALUE)))).isEqualTo(IdentityStatus.STALE);

        PassportVerifier lenient = new PassportVerifier(Set.of(CA.anchor()), Duration.ofMinutes(5));
        assertThat(lenient.precheck(List.of(GOOD), ORIG, DEST, NOW.plusSeconds(300)).status())
                .isEqualTo(IdentityStatus.VALID);
        assertThat(lenient.precheck(List.of(GOOD), ORIG, DEST, NOW.plusSeconds(301)).status())
                .isEqualTo(IdentityStatus.STALE);
        assertThatThrownBy(() -> new PassportVerifier(Set.of(CA.anchor()), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PassportVerifier(Set.of(CA.anchor()), Duration.ofDays(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PassportVerifier(Set.of(), Duration.ofSeconds(60)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void origAndDestAreComparedWithTheRequestsNormalisedNumbers() {
        E164Normalizer normalizer = new E164Normalizer(new DialPlan("1", "", "011", Set.of("911")));
        String fromUser = normalizer.normalize("+1 (202) 555-0100").digits();
        String requestUser = normalizer.normalize("+1-202-555-0199").digits();
        String plusInToken = signed(new ShakenClaims(Attestation.A, List.of("+15550000000", "+" + DEST),
                NOW.getEpochSecond(), "+" + ORIG, "u"));

        assertThat(verifier.precheck(List.of(GOOD), fromUser, requestUser, NOW).status())
                .isEqualTo(IdentityStatus.VALID);
        assertThat(verify(plusInToken)).as("token TNs lose a leading '+'").isEqualTo(IdentityStatus.VALID);
        assertThat(verifier.precheck(List.of(GOOD), "12025550101", DEST, NOW).status())
                .isEqualTo(IdentityStatus.ORIG_MISMATCH);
        assertThat(verifier.precheck(List.of(GOOD), null, DEST, NOW).status())
                .isEqualTo(IdentityStatus.ORIG_MISMATCH);
        assertThat(verifier.precheck(List.of(GOOD), ORIG, "12025550198", NOW).status())
                .isEqualTo(IdentityStatus.DEST_MISMATCH);
        assertThat(verifier.precheck(List.of(GOOD), ORIG, null, NOW).status())
                .isEqualTo(IdentityStatus.DEST_MISMATCH);
    }

    @Test
    void headerParametersAsOtherImplementationsWriteThem() {
        String token = token(GOOD);
        String portX5u = "https://127.0.0.1:8443/cert.pem";
        String withPort = new PassportSigner(SIGNING_KEYS.getPrivate(), portX5u).identityHeader(
                claims(NOW.getEpochSecond()));

        assertThat(verify(token + ";info=<" + X5U + ">;alg=ES256;ppt=\"shaken\"")).isEqualTo(IdentityStatus.VALID);
        assertThat(verify(token + " ; INFO = <" + X5U + "> ; ppt=shaken")).as("no alg, case and spaces")
                .isEqualTo(IdentityStatus.VALID);
        assertThat(verify(withPort)).isEqualTo(IdentityStatus.VALID);
        assertThat(verifier.precheck(List.of(withPort), ORIG, DEST, NOW).x5u()).isEqualTo(portX5u);
        assertThat(verify(token + ";info=<" + X5U + ">;alg=ES384;ppt=shaken"))
                .isEqualTo(IdentityStatus.UNSUPPORTED_ALGORITHM);
        assertThat(verify(token + ";info=<" + X5U + ">;ppt=shaken;ppt=shaken")).isEqualTo(IdentityStatus.MALFORMED);
    }

    @Test
    void picksTheFirstShakenValueAmongSeveral() {
        String div = token(GOOD) + ";info=<" + X5U + ">;alg=ES256;ppt=div";

        assertThat(verify(List.of(div, "garbage", GOOD), CHAIN, NOW)).isEqualTo(IdentityStatus.VALID);
        assertThat(verify(List.of(div), CHAIN, NOW)).isEqualTo(IdentityStatus.UNSUPPORTED_PPT);
        assertThat(verify(List.of(token(GOOD) + ";info=<" + X5U + ">"), CHAIN, NOW))
                .isEqualTo(IdentityStatus.UNSUPPORTED_PPT);
        assertThat(verify(List.of("garbage;;", div), CHAIN, NOW)).isEqualTo(IdentityStatus.MALFORMED);
        assertThat(verify(List.of(), CHAIN, NOW)).isEqualTo(IdentityStatus.NO_IDENTITY);
        assertThat(verify(null, CHAIN, NOW)).isEqualTo(IdentityStatus.NO_IDENTITY);
    }

    @Test
    void theTokenHeaderMustBeEs256ShakenPassportWithAUsableX5u() {
        assertThat(verify(withHeader("{\"alg\":\"ES384\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" + X5U
                + "\"}", X5U))).isEqualTo(IdentityStatus.UNSUPPORTED_ALGORITHM);
        assertThat(verify(withHeader("{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\",\"x5u\":\"" + X5U
                + "\"}", X5U))).isEqualTo(IdentityStatus.UNSUPPORTED_PPT);
        assertThat(verify(withHeader("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"JWT\",\"x5u\":\"" + X5U
                + "\"}", X5U))).isEqualTo(IdentityStatus.MALFORMED);
        assertThat(verify(withHeader("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\"}", X5U)))
                .isEqualTo(IdentityStatus.INFO_MISMATCH);
        assertThat(verify(withHeader("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
                + "\"x5u\":\"file:///etc/passwd\"}", "file:///etc/passwd")))
                .isEqualTo(IdentityStatus.CERTIFICATE_UNAVAILABLE);
    }

    @Test
    void theCertificateChainDecidesTrust() {
        KeyPair otherKeys = TestStiCa.ecKeys();
        TestStiCa otherCa = new TestStiCa("Other STI-CA", NOW);
        X509Certificate noTnAuthList = CA.leaf(SIGNING_KEYS.getPublic(), TestStiCa.Tn.NONE,
                NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
        X509Certificate expired = CA.leaf(SIGNING_KEYS.getPublic(), TestStiCa.Tn.SPC,
                NOW.minus(Duration.ofDays(365)), NOW.minus(Duration.ofHours(1)));
        X509Certificate notYetValid = CA.leaf(SIGNING_KEYS.getPublic(), TestStiCa.Tn.SPC,
                NOW.plus(Duration.ofHours(1)), NOW.plus(Duration.ofDays(365)));
        X509Certificate criticalTnAuthList = CA.leaf(SIGNING_KEYS.getPublic(), TestStiCa.Tn.SPC_CRITICAL,
                NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
        X509Certificate rsaLeaf = CA.leaf(TestStiCa.keys("RSA", null).getPublic());

        assertThat(verify(List.of(GOOD), List.of(LEAF, CA.intermediate, CA.root), NOW)).as("root served too")
                .isEqualTo(IdentityStatus.VALID);
        assertThat(verify(List.of(GOOD), List.of(criticalTnAuthList, CA.intermediate), NOW))
                .isEqualTo(IdentityStatus.VALID);
        assertThat(verify(List.of(GOOD), List.of(noTnAuthList, CA.intermediate), NOW))
                .isEqualTo(IdentityStatus.NO_TN_AUTHORIZATION);
        assertThat(verify(List.of(GOOD), List.of(expired, CA.intermediate), NOW))
                .isEqualTo(IdentityStatus.CERTIFICATE_EXPIRED);
        assertThat(verify(List.of(GOOD), List.of(notYetValid, CA.intermediate), NOW))
                .isEqualTo(IdentityStatus.CERTIFICATE_EXPIRED);
        assertThat(verify(List.of(GOOD), List.of(otherCa.leaf(SIGNING_KEYS.getPublic()), otherCa.intermediate),
                NOW)).isEqualTo(IdentityStatus.CERTIFICATE_UNTRUSTED);
        assertThat(verify(List.of(GOOD), List.of(LEAF), NOW)).as("intermediate missing")
                .isEqualTo(IdentityStatus.CERTIFICATE_UNTRUSTED);
        assertThat(verify(List.of(GOOD), List.of(rsaLeaf, CA.intermediate), NOW))
                .isEqualTo(IdentityStatus.CERTIFICATE_UNTRUSTED);
        assertThat(verify(List.of(GOOD), List.of(CA.leaf(otherKeys.getPublic()), CA.intermediate), NOW))
                .as("a trusted certificate of another key").isEqualTo(IdentityStatus.BAD_SIGNATURE);
        assertThat(verify(List.of(GOOD), List.of(), NOW)).isEqualTo(IdentityStatus.CERTIFICATE_UNAVAILABLE);
        assertThat(verify(List.of(GOOD), null, NOW)).isEqualTo(IdentityStatus.CERTIFICATE_UNAVAILABLE);
        assertThat(verify(List.of(GOOD), CertificateChains.parsePem(TestStiCa.pem(CHAIN)), NOW))
                .isEqualTo(IdentityStatus.VALID);
    }

    @Test
    void aFailedPrecheckKeepsItsStatusInStepTwo() {
        PassportVerifier.Precheck stale = verifier.precheck(List.of(GOOD), ORIG, DEST, NOW.plusSeconds(3600));

        assertThat(stale.needsCertificate()).isFalse();
        assertThat(verifier.verify(stale, CHAIN, NOW.plusSeconds(3600))).isEqualTo(IdentityStatus.STALE);
        assertThat(verifier.verify(null, CHAIN, NOW)).isEqualTo(IdentityStatus.MALFORMED);
    }

    /** Every prefix of a good value, as a truncated header would arrive: a status, never an exception. */
    @Test
    void truncatedValuesFailWithoutThrowing() {
        for (int length = 0; length < GOOD.length(); length++) {
            assertThat(verify(GOOD.substring(0, length))).as("prefix of %d characters", length)
                    .isNotEqualTo(IdentityStatus.VALID);
        }
    }

    /**
     * Random characters written over the token (not over the last character of a part, whose spare bits a base64
     * decoder may ignore): another byte signed, or no token at all. Damage to the parameters must not throw either.
     */
    @Test
    void randomDamageFailsWithoutThrowing() {
        Random random = new Random(8224);
        String alphabet = "AZaz09-_.;=<>\" \t\u0000\u00e9\uFFFF+/";
        String token = token(GOOD);
        for (int i = 0; i < 2_000; i++) {
            StringBuilder damaged = new StringBuilder(GOOD);
            int position = random.nextInt(token.length());
            if (position + 1 == token.length() || token.charAt(position + 1) == '.') {
                continue;
            }
            damaged.setCharAt(position, alphabet.charAt(random.nextInt(alphabet.length())));
            damaged.setCharAt(token.length() + random.nextInt(GOOD.length() - token.length()),
                    alphabet.charAt(random.nextInt(alphabet.length())));
            String value = damaged.toString();
            if (value.charAt(position) != GOOD.charAt(position)) {
                assertThat(verify(value)).as(value).isNotEqualTo(IdentityStatus.VALID);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", ";", ".", "..", "...", "a.b", "a.b.c.d", "a..c;ppt=shaken",
            "ab$c.def.ghi;ppt=shaken", "e30.e30.e30;ppt=shaken", "e30.e30.;ppt=shaken", "====.====.====;ppt=shaken",
            "eyJ.eyJ.AA;ppt=shaken", "a.b.c;ppt=shaken;info=<", "a.b.c;ppt=\"shaken", "a.b.c;ppt=shaken;=x",
            "a.b.c;ppt=shaken;", "a.b.c;info=<>;ppt=shaken"})
    void hostileValuesAreStatusesNotExceptions(String value) {
        assertThat(verify(value)).isIn(IdentityStatus.MALFORMED, IdentityStatus.UNSUPPORTED_PPT);
    }

    @Test
    void hugeAndDeepTokensAreRefusedCheaply() {
        String deep = encode("{\"a\":" + "[".repeat(5_000) + "]".repeat(5_000) + "}");
        String huge = encode("{\"a\":\"" + "x".repeat(100_000) + "\"}");
        String header = token(GOOD).split("\\.")[0];
        String signature = token(GOOD).split("\\.")[2];
        String params = ";info=<" + X5U + ">;alg=ES256;ppt=shaken";

        assertThat(verify(header + "." + deep + "." + signature + params)).isEqualTo(IdentityStatus.MALFORMED);
        assertThat(verify(header + "." + huge + "." + signature + params)).isEqualTo(IdentityStatus.MALFORMED);
        assertThat(verify(withHeader("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"" + X5U
                + "\",\"alg\":\"none\"}", X5U))).as("duplicate alg").isEqualTo(IdentityStatus.MALFORMED);
        assertThat(verify(encode("{}") + "." + encode("[1]") + "." + signature + params))
                .isEqualTo(IdentityStatus.MALFORMED);
        assertThat(verify(header + "." + encode(CanonicalJson.write(Map.of("attest", "D", "dest", Map.of("tn",
                List.of(DEST)), "iat", NOW.getEpochSecond(), "orig", Map.of("tn", ORIG), "origid", "u"))) + "."
                + signature + params)).as("attest D").isEqualTo(IdentityStatus.MALFORMED);
        assertThat(verify(header + "." + encode(CanonicalJson.write(Map.of("attest", "A", "dest", Map.of("uri",
                List.of("sip:a@example.org")), "iat", NOW.getEpochSecond(), "orig", Map.of("tn", ORIG), "origid",
                "u"))) + "." + signature + params)).as("dest without tn").isEqualTo(IdentityStatus.MALFORMED);
        assertThat(verify(header + "." + encode(CanonicalJson.write(Map.of("attest", "A", "dest", Map.of("tn",
                List.of(DEST)), "iat", String.valueOf(NOW.getEpochSecond()), "orig", Map.of("tn", ORIG), "origid",
                "u"))) + "." + signature + params)).as("iat as a string").isEqualTo(IdentityStatus.MALFORMED);
    }

    @Test
    void statusesCarryTheirRfc8224Responses() {
        assertThat(IdentityStatus.NO_IDENTITY.sipStatus()).isEqualTo(428);
        assertThat(IdentityStatus.NO_IDENTITY.reason()).isEqualTo("Use Identity Header");
        assertThat(IdentityStatus.INFO_MISMATCH.sipStatus()).isEqualTo(436);
        assertThat(IdentityStatus.CERTIFICATE_UNAVAILABLE.reason()).isEqualTo("Bad Identity Info");
        assertThat(IdentityStatus.CERTIFICATE_EXPIRED.sipStatus()).isEqualTo(437);
        assertThat(IdentityStatus.NO_TN_AUTHORIZATION.reason()).isEqualTo("Unsupported Credential");
        assertThat(IdentityStatus.BAD_SIGNATURE.sipStatus()).isEqualTo(438);
        assertThat(IdentityStatus.DEST_MISMATCH.reason()).isEqualTo("Invalid Identity Header");
        assertThat(IdentityStatus.STALE.sipStatus()).isEqualTo(403);
        assertThat(IdentityStatus.STALE.reason()).isEqualTo("Stale Date");
        List<IdentityStatus> rejections = new ArrayList<>(List.of(IdentityStatus.values()));
        rejections.remove(IdentityStatus.VALID);
        assertThat(rejections).allSatisfy(status -> assertThat(status.sipStatus()).isBetween(403, 438));
    }

    /** A token with {@code headerJson} as its header, signed properly, and {@code info} in the header field. */
    private static String withHeader(String headerJson, String info) {
        try {
            String signingInput = encode(headerJson) + "." + encode(CanonicalJson.write(
                    claims(NOW.getEpochSecond()).toJson()));
            Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
            signer.initSign(SIGNING_KEYS.getPrivate());
            signer.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            return signingInput + "." + encode(signer.sign()) + ";info=<" + info + ">;alg=ES256;ppt=shaken";
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String token(String identity) {
        return identity.substring(0, identity.indexOf(';'));
    }

    private static String encode(String json) {
        return encode(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String encode(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
