package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

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
}
