package org.edgesbc.policy.identity;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A test STI-CA made with Bouncy Castle at test time: a root, an intermediate under it, and leaves signed by the
 * intermediate, valid from a day before {@link #NOW} for a year unless a test asks otherwise. The TNAuthList of a
 * leaf holds one SPC entry (RFC 8226 §9: {@code TNEntry ::= CHOICE { spc [0] ServiceProviderCode, ... }}).
 */
final class TestStiCa {
    static final Instant NOW = Instant.parse("2026-03-02T10:00:00Z");
    private static final ASN1ObjectIdentifier TN_AUTH_LIST = new ASN1ObjectIdentifier("1.3.6.1.5.5.7.1.26");

    final KeyPair rootKeys = ecKeys();
    final X509Certificate root;
    final KeyPair intermediateKeys = ecKeys();
    final X509Certificate intermediate;
    private final String intermediateName;
    private long serial = 1;

    TestStiCa(String name) {
        String rootName = "CN=" + name + " root";
        intermediateName = "CN=" + name + " intermediate";
        root = certificate(rootName, rootKeys.getPublic(), rootName, rootKeys.getPrivate(),
                NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(3650)), true, Tn.NONE);
        intermediate = certificate(intermediateName, intermediateKeys.getPublic(), rootName, rootKeys.getPrivate(),
                NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(3650)), true, Tn.NONE);
    }

    /** How a leaf carries TNAuthList. */
    enum Tn { NONE, SPC, SPC_CRITICAL }

    TrustAnchor anchor() {
        return new TrustAnchor(root, null);
    }

    /** A leaf for {@code key} with an SPC TNAuthList, valid around {@link #NOW}. */
    X509Certificate leaf(PublicKey key) {
        return leaf(key, Tn.SPC, NOW.minus(Duration.ofDays(1)), NOW.plus(Duration.ofDays(365)));
    }

    X509Certificate leaf(PublicKey key, Tn tn, Instant notBefore, Instant notAfter) {
        return certificate("CN=SHAKEN 1234", key, intermediateName, intermediateKeys.getPrivate(), notBefore,
                notAfter, false, tn);
    }

    static KeyPair ecKeys() {
        return keys("EC", new ECGenParameterSpec("secp256r1"));
    }

    static KeyPair keys(String algorithm, java.security.spec.AlgorithmParameterSpec spec) {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            if (spec != null) {
                generator.initialize(spec);
            } else {
                generator.initialize(2048);
            }
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Certificates as a repository serves them at x5u: PEM, in the order given. */
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

    private X509Certificate certificate(String subject, PublicKey key, String issuer, PrivateKey issuerKey,
            Instant notBefore, Instant notAfter, boolean ca, Tn tn) {
        try {
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(new X500Name(issuer),
                    BigInteger.valueOf(serial++), Date.from(notBefore), Date.from(notAfter), new X500Name(subject),
                    key);
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            builder.addExtension(Extension.keyUsage, true,
                    new KeyUsage(ca ? KeyUsage.keyCertSign | KeyUsage.cRLSign : KeyUsage.digitalSignature));
            if (tn != Tn.NONE) {
                builder.addExtension(TN_AUTH_LIST, tn == Tn.SPC_CRITICAL,
                        new DERSequence(new DERTaggedObject(true, 0, new DERIA5String("1234"))));
            }
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
        } catch (IOException | GeneralSecurityException | OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }
}
