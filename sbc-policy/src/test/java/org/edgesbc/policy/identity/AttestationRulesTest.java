package org.edgesbc.policy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AttestationRulesTest {
    private final AttestationRules rules = new AttestationRules(List.of("1202555", "1303"), Set.of("acme", "zeta",
            "gw"), Map.of("zeta", Attestation.C, "trusted", Attestation.A), Map.of("1202", Attestation.B,
            "1202555019", Attestation.C, "1404", Attestation.A));

    @ParameterizedTest(name = "authenticated={0} account={1} orig={2} pbx={3} access={4} -> {5}")
    @CsvSource(nullValues = "-", value = {
            // A: an authenticated phone calling as itself
            "true,  acme,    19995550100, false, true,  A",
            "true,  -,       -,           false, true,  A",
            // A: the PBX calling from the operator's own ranges
            "false, acme,    13035550100, true,  false, A",
            // the PBX from a number outside them: the customer is known, the number is not
            "false, acme,    19995550100, true,  false, B",
            "false, -,       19995550100, true,  false, C",
            "false, -,       -,           true,  false, C",
            // authentication only counts for phones of the access zone
            "true,  acme,    19995550100, true,  false, B",
            "false, acme,    19995550100, false, true,  B",
            // gateway traffic
            "false, unknown, 19995550100, false, false, C",
            "false, -,       19995550100, false, false, C",
            // account overrides come first, even over an authenticated phone
            "true,  zeta,    13035550100, false, true,  C",
            "false, trusted, 19995550100, false, false, A",
            // then the longest prefix override: 1202555019 over 1202, and both over the operator range 1202555
            "false, acme,    12025550199, true,  false, C",
            "false, acme,    12025550100, true,  false, B",
            "false, gw,      14045550100, false, false, A",
    })
    void decisionTable(boolean authenticated, String account, String origTn, boolean fromPbx, boolean fromAccess,
            Attestation expected) {
        assertThat(rules.decide(new AttestationRules.Facts(authenticated, account, origTn, fromPbx, fromAccess)))
                .isEqualTo(expected);
    }

    @Test
    void prefixesMustBeE164Digits() {
        assertThatThrownBy(() -> new AttestationRules(List.of("+1202"), Set.of(), Map.of(), Map.of()))
                .hasMessageContaining("operator number range").hasMessageContaining("+1202");
        assertThatThrownBy(() -> new AttestationRules(List.of(), Set.of(), Map.of(), Map.of("1234567890123456",
                Attestation.A))).hasMessageContaining("attestation override prefix");
        assertThatThrownBy(() -> new AttestationRules(List.of(""), Set.of(), Map.of(), Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
