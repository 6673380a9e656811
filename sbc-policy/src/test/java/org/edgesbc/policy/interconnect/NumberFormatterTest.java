package org.edgesbc.policy.interconnect;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.edgesbc.policy.fraud.DialPlan;
import org.junit.jupiter.api.Test;

class NumberFormatterTest {
    private static final DialPlan UK = new DialPlan("44", "0", "00", Set.of("999", "112"));
    private static final DialPlan US = new DialPlan("1", "1", "011", Set.of("911"));

    @Test
    void nationalNumbersBecomeE164WithAPlus() {
        assertThat(NumberFormatter.format("02079460000", UK, UK, NumberFormat.E164)).isEqualTo("+442079460000");
        assertThat(NumberFormatter.format("00493012345", UK, UK, NumberFormat.E164)).isEqualTo("+493012345");
        assertThat(NumberFormatter.format("+442079460000", UK, UK, NumberFormat.E164)).isEqualTo("+442079460000");
    }

    @Test
    void e164NumbersBecomeNationalOrInternationalInTheTargetsPlan() {
        assertThat(NumberFormatter.format("+442079460000", UK, UK, NumberFormat.NATIONAL)).isEqualTo("02079460000");
        assertThat(NumberFormatter.format("+493012345", UK, UK, NumberFormat.NATIONAL)).isEqualTo("00493012345");
        assertThat(NumberFormatter.format("+442079460000", UK, US, NumberFormat.NATIONAL)).isEqualTo("011442079460000");
        assertThat(NumberFormatter.format("02079460000", UK, US, NumberFormat.E164)).isEqualTo("+442079460000");
    }

    @Test
    void whatIsNotInE164ReachStaysAsItIs() {
        for (String number : new String[] {"999", "4711", "alice", "+", "", "0" + "1".repeat(20)}) {
            assertThat(NumberFormatter.format(number, UK, UK, NumberFormat.E164)).as(number).isEqualTo(number);
        }
        assertThat(NumberFormatter.format(null, UK, UK, NumberFormat.E164)).isNull();
        assertThat(NumberFormatter.format("02079460000", UK, UK, NumberFormat.AS_DIALLED)).isEqualTo("02079460000");
    }
}
