package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The header reads of RFC 4028 §4 on what peers send: numbers, parameters, hostile values. */
class SessionTimerTest {
    @Test
    void deltaSecondsAreOneToTenDigitsBeforeAnyParameter() {
        assertThat(SessionTimer.deltaSeconds("1800")).isEqualTo(1800);
        assertThat(SessionTimer.deltaSeconds(" 90 ;refresher=uac")).isEqualTo(90);
        assertThat(SessionTimer.deltaSeconds("4294967295")).isEqualTo(4_294_967_295L);
        assertThat(SessionTimer.deltaSeconds("")).isEqualTo(-1);
        assertThat(SessionTimer.deltaSeconds(";refresher=uas")).isEqualTo(-1);
        assertThat(SessionTimer.deltaSeconds("-5")).isEqualTo(-1);
        assertThat(SessionTimer.deltaSeconds("1e3")).isEqualTo(-1);
        assertThat(SessionTimer.deltaSeconds("99999999999")).as("eleven digits").isEqualTo(-1);
    }

    @Test
    void theRefresherParameterIsReadWithoutRegardToCase() {
        assertThat(SessionTimer.parameter("1800;refresher=UAC", "refresher")).isEqualTo("uac");
        assertThat(SessionTimer.parameter("1800 ; Refresher = uas ;x=1", "refresher")).isEqualTo("uas");
        assertThat(SessionTimer.parameter("1800", "refresher")).isNull();
        assertThat(SessionTimer.parameter("1800;refresher", "refresher")).isNull();
    }
}
