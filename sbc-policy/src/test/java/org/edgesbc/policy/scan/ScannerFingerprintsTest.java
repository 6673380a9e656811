package org.edgesbc.policy.scan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.edgesbc.policy.scan.ScannerFingerprint.Header;
import org.junit.jupiter.api.Test;

class ScannerFingerprintsTest {

    private static ScannerFingerprint match(ScannerFingerprints fingerprints, Map<Header, List<String>> request) {
        return fingerprints.match(header -> request.getOrDefault(header, List.of()));
    }

    @Test
    void theShippedListCoversUserAgentFromToContactAndVia() {
        List<ScannerFingerprint> shipped = ScannerFingerprints.shipped().list();
        assertThat(shipped).hasSizeGreaterThanOrEqualTo(25);
        assertThat(shipped).extracting(ScannerFingerprint::header).contains(Header.USER_AGENT, Header.FROM,
                Header.TO, Header.CONTACT, Header.VIA);
        assertThat(shipped).allSatisfy(f -> assertThat(f.tool()).isNotBlank());
    }

    @Test
    void svmapIsKnownByItsUserAgentAndByItsFromWithoutOne() {
        ScannerFingerprints shipped = ScannerFingerprints.shipped();
        assertThat(match(shipped, Map.of(Header.USER_AGENT, List.of("Friendly-Scanner")))).isNotNull()
                .extracting(ScannerFingerprint::contains).isEqualTo("friendly-scanner");
        ScannerFingerprint byFrom = match(shipped, Map.of(Header.FROM,
                List.of("\"sipvicious\"<sip:100@1.1.1.1>;tag=6665")));
        assertThat(byFrom).isNotNull();
        assertThat(byFrom.header()).isEqualTo(Header.FROM);
        assertThat(match(shipped, Map.of(Header.FROM, List.of("<sip:nm@nm>;tag=root"), Header.VIA,
                List.of("SIP/2.0/TCP nm;branch=foo")))).as("nmap's sip library").isNotNull();
    }

    @Test
    void ordinaryPhonesAndOurOwnLoadToolsPass() {
        ScannerFingerprints shipped = ScannerFingerprints.shipped();
        for (String agent : List.of("baresip v3.10.1 (x86_64/linux)", "Linphone/5.2.0", "Yealink SIP-T46S 66.86",
                "Grandstream GXP2170 1.0.11.3", "PolycomVVX-VVX_411-UA/6.4.3", "sipp", "Zoiper rv2.10.19",
                "MicroSIP/3.21.3", "Asterisk PBX 20.5.0", "FPBX-16.0.33(18.20.0)")) {
            assertThat(match(shipped, Map.of(Header.USER_AGENT, List.of(agent), Header.FROM,
                    List.of("<sip:1001@sbc.example>;tag=a73kszlfl"), Header.VIA,
                    List.of("SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK776asdhds")))).as(agent).isNull();
        }
    }

    @Test
    void theOperatorsFingerprintsAreAddedOrReplaceTheShippedOnes() {
        ScannerFingerprint own = new ScannerFingerprint(Header.USER_AGENT, "Evil-Dialer", "seen in our logs");
        ScannerFingerprints added = ScannerFingerprints.shipped().and(List.of(own));
        ScannerFingerprints replaced = new ScannerFingerprints(List.of(own));
        Map<Header, List<String>> evil = Map.of(Header.USER_AGENT, List.of("evil-dialer/1.0"));
        Map<Header, List<String>> svmap = Map.of(Header.USER_AGENT, List.of("friendly-scanner"));
        assertThat(match(added, evil)).isEqualTo(own);
        assertThat(match(added, svmap)).isNotNull();
        assertThat(match(replaced, evil)).isEqualTo(own);
        assertThat(match(replaced, svmap)).isNull();
    }
}
