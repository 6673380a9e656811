package org.edgesbc.policy.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.edgesbc.policy.Cidr;
import org.edgesbc.policy.ManualClock;
import org.junit.jupiter.api.Test;

class PacketAdmissionTest {
    private final ManualClock clock = new ManualClock();
    private final PacketAdmission admission = new PacketAdmission(
            new PacketBudgets(10, 20, 1_000, 30, 100, Duration.ofMinutes(1)), clock::nanos);
    private final InetAddress phone = Cidr.address("127.0.0.10");
    private final InetAddress trunk = Cidr.address("127.0.0.2");

    @Test
    void aSourceGetsItsBurstThenItsRate() {
        for (int i = 0; i < 20; i++) {
            assertThat(admission.admit(phone, false, clock.nanos())).isEqualTo(PacketAdmission.Status.ADMITTED);
        }
        assertThat(admission.admit(phone, false, clock.nanos())).isEqualTo(PacketAdmission.Status.SOURCE_OVER_BUDGET);
        clock.advance(Duration.ofMillis(100));
        assertThat(admission.admit(phone, false, clock.nanos())).isEqualTo(PacketAdmission.Status.ADMITTED);
    }

    @Test
    void manySourcesTogetherHitTheGlobalBudgetButKnownPeersDoNot() {
        int admitted = 0;
        for (int host = 1; host <= 40; host++) {
            if (admission.admit(Cidr.address("127.0.1." + host), false, clock.nanos())
                    == PacketAdmission.Status.ADMITTED) {
                admitted++;
            }
        }
        assertThat(admitted).isEqualTo(30);
        assertThat(admission.admit(Cidr.address("127.0.1.99"), false, clock.nanos()))
                .isEqualTo(PacketAdmission.Status.GLOBAL_OVER_BUDGET);
        for (int i = 0; i < 500; i++) {
            assertThat(admission.admit(trunk, true, clock.nanos())).isEqualTo(PacketAdmission.Status.ADMITTED);
        }
        assertThat(admission.trackedSources()).isEqualTo(42);
    }

    @Test
    void methodClassesAreNamedExactly() {
        assertThat(MethodClass.of("REGISTER")).isEqualTo(MethodClass.REGISTER);
        assertThat(MethodClass.of("INVITE")).isEqualTo(MethodClass.INVITE);
        assertThat(MethodClass.of("OPTIONS")).isEqualTo(MethodClass.OPTIONS);
        assertThat(MethodClass.of("invite")).as("methods are case-sensitive").isEqualTo(MethodClass.OTHER);
        assertThat(MethodClass.of(null)).isEqualTo(MethodClass.OTHER);
    }
}
