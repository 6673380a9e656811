package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The Replaces value of RFC 3891 §6.1, as a header and as a Refer-To URI header (RFC 3261 §19.1.1). */
class ReplacesValueTest {
    @Test
    void readsTheCallIdAndKeepsTheParametersAsWritten() {
        ReplacesValue value = ReplacesValue.parse(" 425928@bobster.example.org;to-tag=7743;from-tag=6472 ");
        assertThat(value.callId()).isEqualTo("425928@bobster.example.org");
        assertThat(value.parameter("TO-TAG")).isEqualTo("7743");
        assertThat(value.naming("s1.abc-0", ReplacesValue.Form.REPLACES, "b1", "s2").text())
                .isEqualTo("s1.abc-0;to-tag=b1;from-tag=s2");
        assertThat(ReplacesValue.parse("x;from-tag=1;to-tag=2;early-only").parameters())
                .isEqualTo(";from-tag=1;to-tag=2;early-only");
    }

    @Test
    void renamesADialogKeepingItsOtherParameters() {
        ReplacesValue early = ReplacesValue.parse("x@a;from-tag=1;early-only;to-tag=2");
        assertThat(early.naming("y@b", ReplacesValue.Form.REPLACES, "r", "s").text())
                .isEqualTo("y@b;from-tag=s;early-only;to-tag=r");
    }

    /** RFC 4538 §7: Target-Dialog names the dialog with remote-tag and local-tag; both must be there. */
    @Test
    void readsATargetDialogByItsOwnTagNames() {
        ReplacesValue target = ReplacesValue.parse("fa77as7dad8-sd98ajzz@host.example.com;local-tag=kkaz-;"
                + "remote-tag=6544", ReplacesValue.Form.TARGET_DIALOG);
        assertThat(target.parameter("remote-tag")).isEqualTo("6544");
        assertThat(target.naming("c2", ReplacesValue.Form.TARGET_DIALOG, "r", "s").text())
                .isEqualTo("c2;local-tag=s;remote-tag=r");
        assertThat(ReplacesValue.parse("c;to-tag=1;from-tag=2", ReplacesValue.Form.TARGET_DIALOG)).isNull();
        assertThat(ReplacesValue.parse("c;local-tag=1", ReplacesValue.Form.TARGET_DIALOG)).isNull();
    }

    @Test
    void refusesValuesWithoutBothTagsOrTooLong() {
        assertThat(ReplacesValue.parse("abc;to-tag=1")).isNull();
        assertThat(ReplacesValue.parse(";to-tag=1;from-tag=2")).isNull();
        assertThat(ReplacesValue.parse(null)).isNull();
        assertThat(ReplacesValue.parse("a".repeat(ReplacesValue.MAX_LENGTH) + ";to-tag=1;from-tag=2")).isNull();
    }

    /** RFC 3891 §7's example Refer-To, escaped and back. */
    @Test
    void escapesForAReferToAndUnescapesWhatItReads() {
        String escaped = "12345%40192.168.118.3%3Bto-tag%3D12345%3Bfrom-tag%3D5FFE-3994";
        String text = ReplacesValue.unescape(escaped);
        assertThat(text).isEqualTo("12345@192.168.118.3;to-tag=12345;from-tag=5FFE-3994");
        assertThat(ReplacesValue.parse(text).escaped()).isEqualTo(escaped);
        assertThat(ReplacesValue.unescape("bad%4")).isNull();
        assertThat(ReplacesValue.unescape("bad%zz")).isNull();
    }
}
