package org.edgesbc.policy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.edgesbc.fixtures.identity.TestStiCa;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PassportSignerTest {
    private static final String X5U = "https://cert.example.org/passport.cer";
    private final KeyPair keys = TestStiCa.ecKeys();

    @Test
    void writesAnIdentityHeaderOfCanonicalHeaderPayloadAndRawSignature() throws Exception {
        ShakenClaims claims = new ShakenClaims(Attestation.A, List.of("12155550131"), 1443208345L, "12155550121",
                "123e4567-e89b-12d3-a456-426655440000");

        String value = new PassportSigner(keys.getPrivate(), X5U).identityHeader(claims);

        assertThat(value).endsWith(";info=<https://cert.example.org/passport.cer>;alg=ES256;ppt=shaken");
        String[] parts = value.substring(0, value.indexOf(';')).split("\\.");
        assertThat(parts).hasSize(3);
        assertThat(decode(parts[0])).isEqualTo("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
                + "\"x5u\":\"https://cert.example.org/passport.cer\"}");
        assertThat(decode(parts[1])).isEqualTo("{\"attest\":\"A\",\"dest\":{\"tn\":[\"12155550131\"]},"
                + "\"iat\":1443208345,\"orig\":{\"tn\":\"12155550121\"},"
                + "\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}");
        byte[] signature = Base64.getUrlDecoder().decode(parts[2]);
        // RFC 7518 §3.4: R‖S, not a DER SEQUENCE (which would start with 0x30 and be 70-72 bytes).
        assertThat(signature).hasSize(64);
        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(keys.getPublic());
        verifier.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
        assertThat(verifier.verify(signature)).isTrue();
        assertThat(value).as("base64url without padding")
                .matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+;info=<[^>]+>;alg=ES256;ppt=shaken");
    }

    @Test
    void refusesKeysThatCannotSignEs256() {
        KeyPair rsa = TestStiCa.keys("RSA", null);
        KeyPair p384 = TestStiCa.keys("EC", new ECGenParameterSpec("secp384r1"));

        assertThatThrownBy(() -> new PassportSigner(rsa.getPrivate(), X5U))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
        assertThatThrownBy(() -> new PassportSigner(p384.getPrivate(), X5U))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("P-256");
        assertThatThrownBy(() -> new PassportSigner(null, X5U)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "cert.pem", "/cert.pem", "ftp://example.org/cert.pem", "file:///etc/passwd",
            "https://user@example.org/cert.pem", "https://example.org/a b.pem", "https://example.org/a>.pem",
            "https:///cert.pem"})
    void refusesAnX5uThatVerifiersCouldNotFetch(String x5u) {
        assertThatThrownBy(() -> new PassportSigner(keys.getPrivate(), x5u))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void acceptsAnX5uWithAPort() {
        String value = new PassportSigner(keys.getPrivate(), "https://127.0.0.1:8443/cert.pem").identityHeader(
                new ShakenClaims(Attestation.C, List.of("1"), 1L, "2", "u"));

        assertThat(value).contains(";info=<https://127.0.0.1:8443/cert.pem>;");
    }

    private static String decode(String base64url) {
        return new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8);
    }
}
