package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.SplittableRandom;
import org.edgesbc.policy.JsonString;
import org.junit.jupiter.api.Test;

class JsonTextTest {
    @Test
    void escapesQuotesBackslashesAndEveryControlCharacterSoThatALineStaysOneLine() {
        String json = JsonText.string(new StringBuilder(), "a\"b\\c\nd\re\tf\u0001\u001f").toString();
        assertThat(json).isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\u0001\\u001f\"");
        assertThat(json).doesNotContain("\n", "\r");
    }

    @Test
    void escapesWhereverTheFirstEscapeFallsAndLineSeparatorsOnlyForLogLines() {
        assertThat(JsonText.string(new StringBuilder(), "\"x").toString()).isEqualTo("\"\\\"x\"");
        assertThat(JsonText.string(new StringBuilder(), "caf\u00e9 sip:a@b;tag=1").toString())
                .isEqualTo("\"caf\u00e9 sip:a@b;tag=1\"");
        assertThat(JsonText.string(new StringBuilder(), "a\u2028b\u2029").toString())
                .isEqualTo("\"a\\u2028b\\u2029\"");
        assertThat(JsonString.appendMinimal(new StringBuilder(), "a\u2028b\\").toString())
                .isEqualTo("\"a\u2028b\\\\\"");
        assertThat(JsonText.string(new StringBuilder(), "").toString()).isEqualTo("\"\"");
    }

    @Test
    void aFieldWithoutAValueIsNull() {
        assertThat(JsonText.field(new StringBuilder(), "user", null).toString()).isEqualTo("\"user\":null");
        assertThat(JsonText.field(new StringBuilder(), "zone", "phones").toString()).isEqualTo("\"zone\":\"phones\"");
    }

    @Test
    void aTimestampIsUtcToTheMillisecondWhateverTheClockGave() {
        assertThat(JsonText.timestamp(new StringBuilder(), "start", Instant.parse("2026-01-05T10:00:00Z")).toString())
                .isEqualTo("\"start\":\"2026-01-05T10:00:00.000Z\"");
        assertThat(JsonText.timestamp(new StringBuilder(), "end", Instant.parse("2024-02-29T23:59:59.999999999Z"))
                .toString()).as("cut, not rounded into the next day").isEqualTo("\"end\":\"2024-02-29T23:59:59.999Z\"");
        assertThat(JsonText.timestamp(new StringBuilder(), "t", Instant.parse("1969-12-31T23:59:58.5Z")).toString())
                .as("before the epoch").isEqualTo("\"t\":\"1969-12-31T23:59:58.500Z\"");
        assertThat(JsonText.timestamp(new StringBuilder(), "expires", null).toString()).isEqualTo("\"expires\":null");
        assertThat(JsonText.timestamp(new StringBuilder(), "t", Instant.parse("+10000-01-01T00:00:00Z")).toString())
                .as("beyond four-digit years").isEqualTo("\"t\":\"+10000-01-01T00:00:00Z\"");
    }

    @Test
    void aTimestampReadsAsTheJdkWritesItToTheMillisecond() {
        DateTimeFormatter millis = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
        SplittableRandom random = new SplittableRandom(4711);
        for (int i = 0; i < 20_000; i++) {
            Instant time = Instant.ofEpochSecond(random.nextLong(-62_167_219_200L, 253_402_300_800L),
                    random.nextInt(1_000_000_000));
            assertThat(JsonText.timestamp(new StringBuilder(), "t", time).toString())
                    .isEqualTo("\"t\":\"" + millis.format(time) + "\"");
        }
    }
}
