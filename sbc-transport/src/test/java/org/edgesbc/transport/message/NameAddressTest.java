package org.edgesbc.transport.message;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A value read from a message's bytes gives the same parts as one made from its text. */
class NameAddressTest {
    @Test
    void aValueInAngleBracketsIsItsPartsAsWritten() {
        NameAddress read = read("  \"Alice \\\"A\\\"\" <sip:alice@example.com;transport=udp> ;tag=1928 ;x=\"a;b\"  ");

        assertThat(read).isEqualTo(new NameAddress("\"Alice \\\"A\\\"\" <sip:alice@example.com;transport=udp>",
                "Alice \\\"A\\\"", "sip:alice@example.com;transport=udp", ";tag=1928 ;x=\"a;b\""));
        assertThat(read.tag()).isEqualTo("1928");
        assertThat(read.parameter("x")).isEqualTo("\"a;b\"");
        assertThat(read.untagged()).isEqualTo("\"Alice \\\"A\\\"\" <sip:alice@example.com;transport=udp>;x=\"a;b\"");
    }

    @Test
    void anAddrSpecIsPutInAngleBracketsAndItsParametersAreTheHeaders() {
        NameAddress read = read("sip:bob@example.com;TAG = 77;lr");

        assertThat(read.address()).isEqualTo("<sip:bob@example.com>");
        assertThat(read.displayName()).isNull();
        assertThat(read.uri()).isEqualTo("sip:bob@example.com");
        assertThat(read.parameters()).isEqualTo(";TAG = 77;lr");
        assertThat(read.tag()).as("names match whatever their case and blanks").isEqualTo("77");
        assertThat(read.parameter("lr")).isEmpty();
        assertThat(read.parameter("tagx")).isNull();
        assertThat(read.withTag("abc")).isEqualTo("<sip:bob@example.com>;lr;tag=abc");
    }

    @Test
    void aValueWithoutParametersHasNoTag() {
        NameAddress read = read("<sip:carol@example.com>");

        assertThat(read.parameters()).isEmpty();
        assertThat(read.tag()).isNull();
        assertThat(read.isWildcard()).isFalse();
        assertThat(read.hashCode()).isEqualTo(new NameAddress("<sip:carol@example.com>", null, "sip:carol@example.com",
                "").hashCode());
    }

    private static NameAddress read(String value) {
        byte[] m = ("X" + value + "Y").getBytes(StandardCharsets.UTF_8);
        return NameAddress.parse(m, 1, m.length - 1);
    }
}
