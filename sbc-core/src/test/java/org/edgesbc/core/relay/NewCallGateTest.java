package org.edgesbc.core.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NewCallGateTest {
    private final NewCallGate gate = new NewCallGate();

    @Test
    void openGateRefusesNothing() {
        assertThat(gate.open()).isTrue();
        assertThat(gate.refusal("5551234")).isZero();
    }

    @Test
    void shutGateRefusesWithItsRetryAfterButLetsEmergencyCallsThrough() {
        gate.shut(Duration.ofSeconds(90), Set.of("112", "911")::contains);

        assertThat(gate.open()).isFalse();
        assertThat(gate.refusal("5551234")).isEqualTo(90);
        assertThat(gate.refusal(null)).as("no dialled number is no emergency call").isEqualTo(90);
        assertThat(gate.refusal("112")).isZero();
        assertThat(gate.refusal("911")).isZero();
    }

    @Test
    void retryAfterIsAtLeastOneSecond() {
        gate.shut(Duration.ofMillis(200), number -> false);
        assertThat(gate.refusal("5551234")).isEqualTo(1);
    }
}
