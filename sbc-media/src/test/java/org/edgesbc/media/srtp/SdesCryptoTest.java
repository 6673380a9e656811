package org.edgesbc.media.srtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;

/** RFC 4568 §9.1 a=crypto values: what is read, what is refused, and what the SBC writes. */
class SdesCryptoTest {
    private static final String KEY_30 = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";

    @Test
    void readsTagSuiteKeyAndAcceptsALifetime() {
        SdesCrypto crypto = SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|2^20");
        assertThat(crypto).isNotNull();
        assertThat(crypto.tag()).isEqualTo(1);
        assertThat(crypto.suite()).isEqualTo(SrtpSuite.AES_CM_128_HMAC_SHA1_80);
        assertThat(crypto.format()).isEqualTo("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30);
        assertThat(SdesCrypto.parse("2 AES_CM_128_HMAC_SHA1_32 inline:" + KEY_30).suite())
                .isEqualTo(SrtpSuite.AES_CM_128_HMAC_SHA1_32);
    }

    @Test
    void refusesWhatItCannotHonour() {
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|2^20|1:4")).as("MKI").isNull();
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + "|1:4")).as("MKI alone").isNull();
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30 + " KDR=1")).as("session param")
                .isNull();
        assertThat(SdesCrypto.parse("1 F8_128_HMAC_SHA1_80 inline:" + KEY_30)).as("unsupported suite").isNull();
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:c2hvcnQ=")).as("short key").isNull();
        assertThat(SdesCrypto.parse("1 AEAD_AES_128_GCM inline:" + KEY_30)).as("30 bytes for GCM's 28").isNull();
        assertThat(SdesCrypto.parse("x AES_CM_128_HMAC_SHA1_80 inline:" + KEY_30)).as("tag").isNull();
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 " + KEY_30)).as("no inline:").isNull();
        assertThat(SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:!!!notbase64!!!")).isNull();
        assertThat(SdesCrypto.parse("")).isNull();
    }

    @Test
    void freshKeysServeEverySuiteAndReadBackTheSame() {
        SrtpKeys keys = SrtpKeys.random(new SecureRandom());
        for (SrtpSuite suite : SrtpSuite.values()) {
            SdesCrypto written = new SdesCrypto(3, suite, keys);
            SdesCrypto read = SdesCrypto.parse(written.format());
            assertThat(read).as("%s", suite).isNotNull();
            assertThat(read.format()).isEqualTo(written.format());
            assertThat(read.keys().toInline(suite.masterSaltBytes())).isEqualTo(keys.toInline(suite.masterSaltBytes()));
        }
        assertThat(SrtpKeys.random(new SecureRandom()).toInline()).isNotEqualTo(keys.toInline());
    }
}
