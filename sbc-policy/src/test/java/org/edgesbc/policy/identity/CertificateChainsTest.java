package org.edgesbc.policy.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.edgesbc.fixtures.identity.TestStiCa;
import org.junit.jupiter.api.Test;

class CertificateChainsTest {
    private static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
    private static final TestStiCa CA = new TestStiCa("STI-CA", NOW);
    private static final X509Certificate LEAF = CA.leaf(TestStiCa.ecKeys().getPublic());

    @Test
    void readsTheChainInTheOrderServed() {
        byte[] pem = TestStiCa.pem(List.of(LEAF, CA.intermediate));

        assertThat(CertificateChains.parsePem(pem)).containsExactly(LEAF, CA.intermediate);
    }

    @Test
    void ignoresTextOutsideTheBlocks() {
        String pem = "Subject: SHAKEN 1234\r\n" + ascii(TestStiCa.pem(List.of(LEAF))).replace("\n", "\r\n")
                + "Issuer: intermediate\n" + ascii(TestStiCa.pem(List.of(CA.intermediate)));

        assertThat(CertificateChains.parsePem(pem.getBytes(StandardCharsets.US_ASCII)))
                .containsExactly(LEAF, CA.intermediate);
    }

    @Test
    void refusesWhatIsNotABoundedPemChain() {
        byte[] eleven = TestStiCa.pem(Collections.nCopies(CertificateChains.MAX_CERTIFICATES + 1, LEAF));
        byte[] tooBig = new byte[CertificateChains.MAX_BYTES + 1];
        String one = ascii(TestStiCa.pem(List.of(LEAF)));

        assertThat(CertificateChains.parsePem(TestStiCa.pem(Collections.nCopies(CertificateChains.MAX_CERTIFICATES,
                LEAF)))).hasSize(CertificateChains.MAX_CERTIFICATES);
        assertThatThrownBy(() -> CertificateChains.parsePem(eleven)).hasMessageContaining("more than 10");
        assertThatThrownBy(() -> CertificateChains.parsePem(tooBig)).hasMessageContaining("65536 bytes");
        assertThatThrownBy(() -> CertificateChains.parsePem(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CertificateChains.parsePem(new byte[0])).hasMessageContaining("no PEM");
        assertThatThrownBy(() -> CertificateChains.parsePem(LEAF.getEncoded())).as("DER, not PEM")
                .hasMessageContaining("no PEM");
        assertThatThrownBy(() -> CertificateChains.parsePem(bytes(one.replace("-----END CERTIFICATE-----", ""))))
                .hasMessageContaining("no END line");
        assertThatThrownBy(() -> CertificateChains.parsePem(bytes(one.replaceFirst("\n(.)", "\n\\$$1"))))
                .hasMessageContaining("certificate 1 is not");
        assertThatThrownBy(() -> CertificateChains.parsePem(bytes("-----BEGIN CERTIFICATE-----\nAAAA\n"
                + "-----END CERTIFICATE-----\n"))).hasMessageContaining("certificate 1 is not");
    }

    private static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
