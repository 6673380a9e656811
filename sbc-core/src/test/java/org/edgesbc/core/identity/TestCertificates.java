package org.edgesbc.core.identity;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Certificates made at test time with Bouncy Castle: an x5u chain (leaf under an intermediate under a root, the
 * repository serving leaf and intermediate) and self-signed TLS server certificates for the https repository.
 */
final class TestCertificates {
    private TestCertificates() { }

    /** What a repository serves at x5u: a leaf valid until {@code leafNotAfter}, then its intermediate. */
    static List<X509Certificate> chain(Instant notBefore, Instant leafNotAfter) {
        KeyPair root = ecKeys();
        KeyPair intermediate = ecKeys();
        Instant caNotAfter = leafNotAfter.plusSeconds(86_400L * 3650);
        X509Certificate intermediateCertificate = sign("CN=Test STI-CA intermediate", intermediate, "CN=Test STI-CA",
                root, notBefore, caNotAfter, true);
        X509Certificate leaf = sign("CN=SHAKEN 1234", ecKeys(), "CN=Test STI-CA intermediate", intermediate,
                notBefore, leafNotAfter, false);
        return List.of(leaf, intermediateCertificate);
    }

    /** A TLS server: its key and a self-signed certificate for {@code names}, valid an hour either side of now. */
    record TlsServer(KeyPair keys, X509Certificate certificate) { }

    static TlsServer tlsServer(GeneralName... names) {
        KeyPair keys = ecKeys();
        Instant now = Instant.now();
        return new TlsServer(keys, sign("CN=x5u repository", keys, "CN=x5u repository", keys,
                now.minusSeconds(3600), now.plusSeconds(3600), false, names));
    }

    static byte[] pem(List<X509Certificate> certificates) {
        StringWriter text = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(text)) {
            for (X509Certificate certificate : certificates) {
                writer.writeObject(certificate);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static KeyPair ecKeys() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static X509Certificate sign(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
            Instant notBefore, Instant notAfter, boolean ca, GeneralName... alternativeNames) {
        try {
            var builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                    BigInteger.valueOf(System.nanoTime()), Date.from(notBefore), Date.from(notAfter),
                    new X500Name(subject), subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (alternativeNames.length > 0) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(alternativeNames));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
