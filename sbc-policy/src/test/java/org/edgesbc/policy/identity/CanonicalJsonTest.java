package org.edgesbc.policy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
    /** RFC 8225 Appendix A: the example's header and payload, members given out of order on purpose. */
    @Test
    void rfc8225AppendixAHeaderAndPayload() {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("x5u", "https://cert.example.org/passport.cer");
        header.put("typ", "passport");
        header.put("alg", "ES256");
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("orig", Map.of("tn", "12155551212"));
        payload.put("iat", 1443208345L);
        payload.put("dest", Map.of("uri", List.of("sip:alice@example.com")));

        assertThat(CanonicalJson.write(header))
                .isEqualTo("{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"https://cert.example.org/passport.cer\"}");
        String canonicalPayload = CanonicalJson.write(payload);
        assertThat(canonicalPayload).isEqualTo(
                "{\"dest\":{\"uri\":[\"sip:alice@example.com\"]},\"iat\":1443208345,\"orig\":{\"tn\":\"12155551212\"}}");
        // The base64url payload of RFC 8225 Appendix A (also in erratum 5985 for §7.1).
        assertThat(Base64.getUrlEncoder().withoutPadding()
                .encodeToString(canonicalPayload.getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("eyJkZXN0Ijp7InVyaSI6WyJzaXA6YWxpY2VAZXhhbXBsZS5jb20iXX0sImlhdCI6MTQ0MzIwODM0NSwib3JpZy"
                        + "I6eyJ0biI6IjEyMTU1NTUxMjEyIn19");
    }

    /** RFC 8588 §6: the SHAKEN example (with iat a number, as erratum 6656 corrects it). */
    @Test
    void rfc8588Example() {
        Map<String, Object> header = Map.of("alg", "ES256", "typ", "passport", "ppt", "shaken", "x5u",
                "https://cert.example.org/passport.cer");
        ShakenClaims claims = new ShakenClaims(Attestation.A, List.of("12155550131"), 1443208345L, "12155550121",
                "123e4567-e89b-12d3-a456-426655440000");

        assertThat(CanonicalJson.write(header)).isEqualTo("{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
                + "\"x5u\":\"https://cert.example.org/passport.cer\"}");
        assertThat(CanonicalJson.write(claims.toJson())).isEqualTo("{\"attest\":\"A\",\"dest\":{\"tn\":"
                + "[\"12155550131\"]},\"iat\":1443208345,\"orig\":{\"tn\":\"12155550121\"},"
                + "\"origid\":\"123e4567-e89b-12d3-a456-426655440000\"}");
    }

    @Test
    void membersAreOrderedByCodePointAtEveryLevel() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("b", 2);
        inner.put("B", 1);
        inner.put("a", List.of(Map.of("z", true, "y", false)));
        // UTF-16 code units would put U+1F600 (surrogates D83D DE00) before U+FFFD; code points put it after.
        Map<String, Object> outer = new LinkedHashMap<>();
        outer.put("\uD83D\uDE00", null);
        outer.put("\uFFFD", inner);
        outer.put("ab", 0);
        outer.put("a", BigInteger.TEN.pow(20));

        assertThat(CanonicalJson.write(outer)).isEqualTo("{\"a\":100000000000000000000,\"ab\":0,"
                + "\"\uFFFD\":{\"B\":1,\"a\":[{\"y\":false,\"z\":true}],\"b\":2},\"\uD83D\uDE00\":null}");
    }

    @Test
    void stringsAreEscapedOnlyWhereJsonRequires() {
        assertThat(CanonicalJson.write(Map.of("s", "q\" b\\ /\b\f\n\r\t\u0001\u001f\u2028é")))
                .isEqualTo("{\"s\":\"q\\\" b\\\\ /\\u0008\\u000c\\n\\r\\t\\u0001\\u001f\u2028é\"}");
    }

    @Test
    void writeRefusesWhatHasNoCanonicalForm() {
        assertThatThrownBy(() -> CanonicalJson.write(Map.of("n", 1.5))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CanonicalJson.write(Map.of("m", Map.of(1, "x"))))
                .isInstanceOf(IllegalArgumentException.class);
        Map<String, Object> deep = Map.of();
        for (int i = 0; i < CanonicalJson.MAX_DEPTH; i++) {
            deep = Map.of("d", deep);
        }
        Map<String, Object> tooDeep = deep;
        assertThatThrownBy(() -> CanonicalJson.write(tooDeep)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesWhatTheWriterWritesAndWhitespaceAroundTokens() {
        Map<String, Object> parsed = CanonicalJson.parseObject(" {\n \"attest\" : \"A\", \"dest\":{\"tn\":[\"1\","
                + " \"2\"]},\t\"iat\":1443208345,\"big\":123456789012345678901234,\"r\":-1.5e3,\"t\":true,"
                + "\"f\":false,\"n\":null,\"e\":\"\\u00e9\\\"\\/\"} ");

        assertThat(parsed).containsEntry("attest", "A").containsEntry("iat", 1443208345L)
                .containsEntry("big", new BigInteger("123456789012345678901234"))
                .containsEntry("r", new BigDecimal("-1.5e3")).containsEntry("t", true).containsEntry("f", false)
                .containsEntry("n", null).containsEntry("e", "é\"/");
        assertThat(parsed.get("dest")).isEqualTo(Map.of("tn", List.of("1", "2")));
        assertThat(parsed.keySet()).containsExactly("attest", "dest", "iat", "big", "r", "t", "f", "n", "e");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "[]", "\"s\"", "1", "{", "}", "{\"a\"}", "{\"a\":}", "{\"a\":1,}", "{,}",
            "{\"a\":1}x", "{\"a\":1}{}", "{a:1}", "{'a':1}", "{\"a\":01}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":.5}",
            "{\"a\":1e}", "{\"a\":+1}", "{\"a\":True}", "{\"a\":nul}", "{\"a\":\"x}", "{\"a\":\"\\x\"}",
            "{\"a\":\"\\u12\"}", "{\"a\":\"\\u１２３４\"}", "{\"a\":\"tab\there\"}", "{\"a\":1,\"a\":2}",
            "{\"a\":[1,]}", "{\"a\":[1 2]}", "{\"a\":NaN}", "{\"a\":\"\\"})
    void rejectsWhatIsNotExactlyOneObject(String json) {
        assertThatThrownBy(() -> CanonicalJson.parseObject(json)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void boundsLengthAndNesting() {
        String nested = "{\"a\":".repeat(CanonicalJson.MAX_DEPTH) + "1" + "}".repeat(CanonicalJson.MAX_DEPTH);
        assertThat(CanonicalJson.parseObject(nested)).containsKey("a");

        String tooDeep = "{\"a\":" + "[".repeat(CanonicalJson.MAX_DEPTH) + "]".repeat(CanonicalJson.MAX_DEPTH) + "}";
        assertThatThrownBy(() -> CanonicalJson.parseObject(tooDeep)).hasMessageContaining("nested deeper");
        String brackets = "{\"a\":" + "[".repeat(CanonicalJson.MAX_LENGTH - 6) + "}";
        assertThatThrownBy(() -> CanonicalJson.parseObject(brackets)).hasMessageContaining("nested deeper");
        String huge = "{\"a\":\"" + "x".repeat(CanonicalJson.MAX_LENGTH) + "\"}";
        assertThatThrownBy(() -> CanonicalJson.parseObject(huge)).hasMessageContaining("longer than");
        assertThatThrownBy(() -> CanonicalJson.parseObject(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
