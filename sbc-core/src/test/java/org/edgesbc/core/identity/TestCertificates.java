package org.edgesbc.core.identity;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
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
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.edgesbc.fixtures.identity.TestStiCa;

/**
 * Certificates made at test time with Bouncy Castle: an x5u chain (leaf under an intermediate under a root, the
 * repository serving leaf and intermediate) and self-signed TLS server certificates for the https repository.
 */
final class TestCertificates {
    private TestCertificates() { }

    /** What a repository serves at x5u: a leaf valid until {@code leafNotAfter}, then its intermediate. */
    static List<X509Certificate> chain(Instant notBefore, Instant leafNotAfter) {
        TestStiCa ca = new TestStiCa("Test STI-CA", notBefore.plusSeconds(86_400));
        return List.of(ca.leaf(TestStiCa.ecKeys().getPublic(), TestStiCa.Tn.SPC, notBefore, leafNotAfter),
                ca.intermediate);
    }

    /** A TLS server: its key and a self-signed certificate for {@code names}, valid an hour either side of now. */
    record TlsServer(KeyPair keys, X509Certificate certificate) { }

    static TlsServer tlsServer(GeneralName... names) {
        KeyPair keys = TestStiCa.ecKeys();
        Instant now = Instant.now();
        return new TlsServer(keys, sign("CN=x5u repository", keys, "CN=x5u repository", keys,
                now.minusSeconds(3600), now.plusSeconds(3600), names));
    }

    static byte[] pem(List<X509Certificate> certificates) {
        return TestStiCa.pem(certificates);
    }

    private static X509Certificate sign(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys,
            Instant notBefore, Instant notAfter, GeneralName... alternativeNames) {
        try {
            var builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                    BigInteger.valueOf(System.nanoTime()), Date.from(notBefore), Date.from(notAfter),
                    new X500Name(subject), subjectKeys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
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
