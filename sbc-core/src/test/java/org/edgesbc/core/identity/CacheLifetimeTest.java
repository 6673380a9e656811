package org.edgesbc.core.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CacheLifetimeTest {
    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
    private static final Duration MIN = Duration.ofMinutes(5);
    private static final Duration MAX = Duration.ofHours(24);
    private static final X509Certificate LEAF_FOR_A_YEAR =
            TestCertificates.chain(NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365))).get(0);

    private static Instant expires(HttpHeaders headers) {
        return CacheLifetime.expires(headers, NOW, LEAF_FOR_A_YEAR, MIN, MAX);
    }

    private static String httpDate(Instant instant) {
        return DateFormatter.format(Date.from(instant));
    }

    @ParameterizedTest(name = "Cache-Control: {0} keeps the chain {1} s")
    @CsvSource(delimiter = '|', value = {
        "max-age=3600 | 3600",
        "public, max-age=\"7200\" | 7200",
        "max-age=60 | 300",
        "max-age=999999999 | 86400",
        "max-age=99999999999999999999 | 86400",
        "s-maxage=7200 | 36000",
        "s-maxage=7200, max-age=3600 | 3600",
        "max-age=3600, no-store | 300",
        "no-cache, max-age=3600 | 300",
        "max-age=soon | 300",
        "max-age=3600, max-age=7200 | 3600",
    })
    void cacheControlMaxAgeIsClampedAndNoStoreOrNoCacheGiveTheMinimum(String cacheControl, long seconds) {
        HttpHeaders headers = new DefaultHttpHeaders().set("Cache-Control", cacheControl)
                .set("Expires", httpDate(NOW.plus(Duration.ofHours(10))));
        assertThat(expires(headers)).isEqualTo(NOW.plusSeconds(seconds));
    }

    @Test
    void expiresIsMeasuredFromTheAnswersDateSoThatAServerClockOffsetDoesNotMatter() {
        Instant serverNow = NOW.minus(Duration.ofDays(3));
        HttpHeaders headers = new DefaultHttpHeaders().set("Date", httpDate(serverNow))
                .set("Expires", httpDate(serverNow.plus(Duration.ofHours(2))));
        assertThat(expires(headers)).isEqualTo(NOW.plus(Duration.ofHours(2)));
    }

    @Test
    void expiresWithoutDateIsMeasuredFromNow() {
        HttpHeaders headers = new DefaultHttpHeaders().set("Expires", httpDate(NOW.plus(Duration.ofHours(3))));
        assertThat(expires(headers)).isEqualTo(NOW.plus(Duration.ofHours(3)));
    }

    @Test
    void anExpiresThatIsNotADateOrIsPastGivesTheMinimum() {
        assertThat(expires(new DefaultHttpHeaders().set("Expires", "0"))).isEqualTo(NOW.plus(MIN));
        assertThat(expires(new DefaultHttpHeaders().set("Expires", httpDate(NOW.minus(Duration.ofHours(1))))))
                .isEqualTo(NOW.plus(MIN));
    }

    @Test
    void noFreshnessInformationGivesTheMinimum() {
        assertThat(expires(new DefaultHttpHeaders())).isEqualTo(NOW.plus(MIN));
    }

    @Test
    void theLeafsNotAfterEndsTheLifetimeWhateverTheHeadersSay() {
        Instant notAfter = NOW.plus(Duration.ofMinutes(30));
        X509Certificate leaf = TestCertificates.chain(NOW.minus(Duration.ofDays(1)), notAfter).get(0);
        HttpHeaders headers = new DefaultHttpHeaders().set("Cache-Control", "max-age=86400");
        assertThat(CacheLifetime.expires(headers, NOW, leaf, MIN, MAX)).isEqualTo(notAfter);
        X509Certificate expired = TestCertificates.chain(NOW.minus(Duration.ofDays(2)), NOW.minusSeconds(1)).get(0);
        assertThat(CacheLifetime.expires(headers, NOW, expired, MIN, MAX)).isBefore(NOW);
    }
}
