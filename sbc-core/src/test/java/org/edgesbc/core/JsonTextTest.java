package org.edgesbc.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonTextTest {
    @Test
    void escapesQuotesBackslashesAndEveryControlCharacterSoThatALineStaysOneLine() {
        String json = JsonText.string(new StringBuilder(), "a\"b\\c\nd\re\tf\u0001\u001f").toString();
        assertThat(json).isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\\u0001\\u001f\"");
        assertThat(json).doesNotContain("\n", "\r");
    }

    @Test
    void aFieldWithoutAValueIsNull() {
        assertThat(JsonText.field(new StringBuilder(), "user", null).toString()).isEqualTo("\"user\":null");
        assertThat(JsonText.field(new StringBuilder(), "zone", "phones").toString()).isEqualTo("\"zone\":\"phones\"");
    }
}
