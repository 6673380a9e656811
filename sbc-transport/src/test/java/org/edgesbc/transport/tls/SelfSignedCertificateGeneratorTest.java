package org.edgesbc.transport.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.edgesbc.transport.TransportConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The first-start certificate and the PEM reading and TLS contexts built on it. */
class SelfSignedCertificateGeneratorTest {
    private static final int SAN_DNS = 2;
    private static final int SAN_IP = 7;

    @TempDir
    Path folder;

    @Test
    void certificateNamesTheGivenHostsAndAddressesForAYear() throws Exception {
        Path certificate = folder.resolve("tls/sbc.crt");
        Path key = folder.resolve("tls/sbc.key");
        SelfSignedCertificateGenerator.generate(certificate, key,
                List.of("sbc.example.net", "127.0.0.1", "::1", "cafe.de"));

        X509Certificate[] chain = PemFiles.certificates(certificate);
        assertThat(chain).hasSize(1);
        X509Certificate cert = chain[0];
        assertThat(cert.getSubjectX500Principal().getName()).contains("CN=sbc.example.net");
        assertThat(cert.getSubjectAlternativeNames()).containsExactlyInAnyOrder(
                List.of(SAN_DNS, "sbc.example.net"), List.of(SAN_IP, "127.0.0.1"),
                List.of(SAN_IP, "0:0:0:0:0:0:0:1"), List.of(SAN_DNS, "cafe.de"));
        Duration validity = Duration.between(cert.getNotBefore().toInstant(), cert.getNotAfter().toInstant());
        assertThat(validity).isBetween(Duration.ofDays(365), Duration.ofDays(366));
        assertThat(cert.getPublicKey().getAlgorithm()).isEqualTo("EC");
        cert.verify(cert.getPublicKey());

        PrivateKey privateKey = PemFiles.privateKey(key);
        assertThat(privateKey.getAlgorithm()).isEqualTo("EC");
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var files = Files.list(certificate.getParent())) {
            assertThat(files).as("no temporary files left behind").hasSize(2);
        }
    }

    @Test
    void ipLiteralsAreRecognisedBySyntaxAlone() {
        assertThat(SelfSignedCertificateGenerator.isIpLiteral("192.0.2.10")).isTrue();
        assertThat(SelfSignedCertificateGenerator.isIpLiteral("2001:db8::1")).isTrue();
        assertThat(SelfSignedCertificateGenerator.isIpLiteral("cafe.de")).isFalse();
        assertThat(SelfSignedCertificateGenerator.isIpLiteral("1.2.3")).isFalse();
        assertThat(SelfSignedCertificateGenerator.isIpLiteral("1.2.3.256")).isFalse();
        assertThat(SelfSignedCertificateGenerator.isIpLiteral("10.0.0.1.example")).isFalse();
    }

    @Test
    void aMalformedAddressFailsWithAnIoException() {
        assertThatThrownBy(() -> SelfSignedCertificateGenerator.generate(folder.resolve("c.pem"),
                folder.resolve("k.pem"), List.of("not:an:address:at:all")))
                .isInstanceOf(IOException.class);
    }

    @Test
    void traditionalPemKeysAsOpensslWritesThemAreReadToo() throws Exception {
        // Throwaway keys made for this test by `openssl ecparam -genkey -noout` and `openssl genrsa -traditional`.
        for (String name : List.of("traditional-ec.key", "traditional-rsa.key")) {
            Path key = folder.resolve(name);
            try (var in = getClass().getResourceAsStream(name)) {
                Files.copy(in, key);
            }
            String algorithm = name.contains("-ec") ? "EC" : "RSA";
            assertThat(Files.readString(key)).startsWith("-----BEGIN " + algorithm + " PRIVATE KEY-----");
            assertThat(PemFiles.privateKey(key).getAlgorithm()).isEqualTo(algorithm);
        }
    }

    @Test
    void filesWithoutPemContentAreRefusedNamingTheFile() throws Exception {
        Path empty = Files.writeString(folder.resolve("empty.pem"), "nothing here\n");
        assertThatThrownBy(() -> PemFiles.certificates(empty)).isInstanceOf(IOException.class)
                .hasMessageContaining("empty.pem");
        assertThatThrownBy(() -> PemFiles.privateKey(empty)).isInstanceOf(IOException.class)
                .hasMessageContaining("empty.pem");
    }

    @Test
    void contextsAllowOnlyTls13And12AndRequireClientCertificatesWhenAsked() throws Exception {
        Path certificate = folder.resolve("sbc.crt");
        Path key = folder.resolve("sbc.key");
        SelfSignedCertificateGenerator.generate(certificate, key, List.of("127.0.0.1"));
        TransportConfig.TlsSettings mutual = new TransportConfig.TlsSettings(certificate, key, certificate, true, true);

        SslContext server = TlsContextFactory.server(mutual);
        assertThat(server.isServer()).isTrue();
        var engine = server.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT);
        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(engine.getNeedClientAuth()).isTrue();
        SslContext client = TlsContextFactory.client(mutual);
        assertThat(client.newEngine(io.netty.buffer.ByteBufAllocator.DEFAULT).getEnabledProtocols())
                .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
    }
}
