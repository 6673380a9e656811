package org.edgesbc.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.TrustAnchor;
import java.security.interfaces.ECPrivateKey;
import java.util.Set;
import org.edgesbc.policy.identity.PassportSigner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StirShakenKeysTest {
    @TempDir
    Path dir;

    @Test
    void readsAP256KeyInPkcs8AndSec1FormThatTheSignerTakes() throws Exception {
        KeyPair pair = TestKeyFiles.ec("secp256r1");
        Path pkcs8 = TestKeyFiles.pkcs8(dir.resolve("pkcs8.pem"), pair.getPrivate());
        Path sec1 = TestKeyFiles.sec1(dir.resolve("sec1.pem"), (ECPrivateKey) pair.getPrivate());
        assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");

        for (Path file : new Path[] {pkcs8, sec1}) {
            PrivateKey key = StirShakenKeys.privateKey(file);
            assertThat(((ECPrivateKey) key).getS()).isEqualTo(((ECPrivateKey) pair.getPrivate()).getS());
            assertThat(new PassportSigner(key, "https://certs.example.net/sbc.pem")).isNotNull();
        }
    }

    @Test
    void refusesKeysTheSignerWouldRefuse() throws Exception {
        Path rsa = TestKeyFiles.pkcs8(dir.resolve("rsa.pem"), TestKeyFiles.rsa().getPrivate());
        Path p384 = TestKeyFiles.pkcs8(dir.resolve("p384.pem"), TestKeyFiles.ec("secp384r1").getPrivate());
        assertThatThrownBy(() -> StirShakenKeys.privateKey(rsa)).isInstanceOf(IOException.class)
                .hasMessage(rsa + ": holds an RSA key; ES256 (RFC 8588 §3) signs with an EC P-256 key only");
        assertThatThrownBy(() -> StirShakenKeys.privateKey(p384)).isInstanceOf(IOException.class)
                .hasMessage(p384 + ": holds an EC key on curve 1.3.132.0.34; ES256 (RFC 8588 §3) signs with P-256 "
                        + "(1.2.840.10045.3.1.7) only");
    }

    @Test
    void aBrokenKeyFileIsReportedWithoutItsContents() throws Exception {
        Path broken = dir.resolve("broken.pem");
        Files.writeString(broken, "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIsecretsecret!!\n"
                + "-----END EC PRIVATE KEY-----\n");
        Path certificateOnly = TestKeyFiles.certificate(dir.resolve("cert.pem"));
        for (Path file : new Path[] {broken, certificateOnly}) {
            assertThatThrownBy(() -> StirShakenKeys.privateKey(file)).isInstanceOf(IOException.class)
                    .hasMessage(file + ": holds no unencrypted PEM private key (PKCS#8 PRIVATE KEY or SEC1 EC "
                            + "PRIVATE KEY)")
                    .hasNoCause();
        }
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> StirShakenKeys.privateKey(missing)).hasMessage(missing + ": no readable file");
        assertThatThrownBy(() -> StirShakenKeys.privateKey(dir)).hasMessage(dir + ": no readable file");
    }

    @Test
    void trustAnchorsAreEveryCertificateOfTheBundle() throws Exception {
        String first = Files.readString(TestKeyFiles.certificate(dir.resolve("root1.pem")));
        String second = Files.readString(TestKeyFiles.certificate(dir.resolve("root2.pem")));
        Path bundle = dir.resolve("sti-ca.pem");
        Files.writeString(bundle, "# STI-CA roots\n" + first + "# the second root\n" + second);

        Set<TrustAnchor> anchors = StirShakenKeys.trustAnchors(bundle);
        assertThat(anchors).hasSize(2);
        assertThat(anchors).allSatisfy(anchor -> assertThat(anchor.getTrustedCert()).isNotNull());
    }

    @Test
    void aBundleWithoutCertificatesIsRefused() throws Exception {
        Path empty = dir.resolve("empty.pem");
        Files.writeString(empty, "# no roots yet\n");
        Path keyOnly = TestKeyFiles.pkcs8(dir.resolve("key.pem"), TestKeyFiles.ec("secp256r1").getPrivate());
        Path garbled = dir.resolve("garbled.pem");
        Files.writeString(garbled, "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> StirShakenKeys.trustAnchors(empty)).isInstanceOf(IOException.class)
                .hasMessage(empty + ": no PEM certificate found");
        assertThatThrownBy(() -> StirShakenKeys.trustAnchors(keyOnly)).hasMessage(keyOnly
                + ": no PEM certificate found");
        assertThatThrownBy(() -> StirShakenKeys.trustAnchors(garbled)).isInstanceOf(IOException.class)
                .hasMessageStartingWith(garbled + ": ");
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> StirShakenKeys.trustAnchors(missing)).hasMessage(missing + ": no readable file");
    }
}
