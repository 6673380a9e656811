package org.edgesbc.policy.scan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScannerFingerprintsTest {
    private final ScannerFingerprints defaults = ScannerFingerprints.defaults();

    @Test
    void knownScannerUserAgentsMatchWhateverTheirCase() {
        assertThat(defaults.match("friendly-scanner", null).name()).isEqualTo("user-agent:friendly-scanner");
        assertThat(defaults.match("SIPVicious 0.3.4", null).substring()).isEqualTo("sipvicious");
        assertThat(defaults.match("VaxSIPUserAgent/3.1", null).substring()).isEqualTo("vaxsipuseragent");
        assertThat(defaults.match("sipcli/v1.8", null)).isNotNull();
        assertThat(defaults.match("sundayddr", null)).isNotNull();
    }

    @Test
    void ordinaryPhonesAndDiagnosticToolsPass() {
        assertThat(defaults.match("Yealink SIP-T46S 66.86.0.15", "Alice")).isNull();
        assertThat(defaults.match("Linphone/5.2.0 (belle-sip/5.2.0)", null)).isNull();
        assertThat(defaults.match("sipsak 0.9.8", null)).as("an administrator's test tool").isNull();
        assertThat(defaults.match("PortSIP VoIP SDK 11.2", null)).as("commercial softphones").isNull();
        assertThat(defaults.match(null, null)).isNull();
    }

    @Test
    void fromDisplayNameOfSipviciousMatches() {
        assertThat(defaults.match("Grandstream GXP2170", "sipvicious").name())
                .isEqualTo("from-display-name:sipvicious");
    }

    @Test
    void onlyTheStartOfAHugeHeaderIsExamined() {
        String padded = "x".repeat(ScannerFingerprints.MAX_SCANNED_LENGTH) + "friendly-scanner";
        assertThat(defaults.match(padded, null)).isNull();
        assertThat(defaults.match("x".repeat(ScannerFingerprints.MAX_SCANNED_LENGTH - 16) + "friendly-scanner",
                null)).isNotNull();
    }

    @Test
    void configuredListsReplaceTheDefaults() {
        ScannerFingerprints custom = ScannerFingerprints.of(List.of("sipsak"), List.of());
        assertThat(custom.match("sipsak 0.9.8", null)).isNotNull();
        assertThat(custom.match("friendly-scanner", null)).isNull();
        assertThatThrownBy(() -> ScannerFingerprints.of(List.of(" "), List.of()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
