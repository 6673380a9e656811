package org.edgesbc.transport.tls;

import java.io.IOException;
import java.io.StringWriter;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes the self-signed certificate a fresh install uses until the operator configures a real one: EC P-256,
 * SHA-256, one year, the SBC's addresses and names in subjectAltName, usable as TLS server and client.
 */
public final class SelfSignedCertificateGenerator {
    private static final Duration VALIDITY = Duration.ofDays(365);

    private SelfSignedCertificateGenerator() { }

    /**
     * Writes {@code certificateFile} and {@code keyFile} (PKCS#8, readable by the owner only), each atomically.
     *
     * @param names IP literals and DNS names the certificate is for; the first also becomes the subject CN
     * @throws IOException the files cannot be written, or a name is not a valid IP literal or DNS name
     */
    public static void generate(Path certificateFile, Path keyFile, List<String> names) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            KeyPair pair = generator.generateKeyPair();
            Instant now = Instant.now();
            X500Name subject = new X500Name("CN=" + (names.isEmpty() ? "edge-sbc" : names.get(0)) + ",O=Edge SBC");
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject,
                    new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                    Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(VALIDITY)), subject,
                    pair.getPublic());
            List<GeneralName> alternatives = new ArrayList<>();
            for (String name : names) {
                alternatives.add(isIpLiteral(name) ? new GeneralName(GeneralName.iPAddress, name)
                        : new GeneralName(GeneralName.dNSName, name));
            }
            if (!alternatives.isEmpty()) {
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternatives.toArray(new GeneralName[0])));
            }
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            var holder = builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(pair.getPrivate()));
            Files.createDirectories(certificateFile.toAbsolutePath().getParent());
            Files.createDirectories(keyFile.toAbsolutePath().getParent());
            writeAtomically(keyFile, pem(new JcaPKCS8Generator(pair.getPrivate(), null)), true);
            writeAtomically(certificateFile, pem(holder), false);
        } catch (GeneralSecurityException | OperatorCreationException | CertIOException | IllegalArgumentException e) {
            throw new IOException("cannot generate a self-signed certificate: " + e.getMessage(), e);
        }
    }

    /**
     * A dotted-quad IPv4 address or an IPv6 address (anything with a colon, which no DNS name has). Decided by
     * syntax alone: a name such as {@code cafe.de} is a DNS name and must never trigger a lookup here.
     */
    static boolean isIpLiteral(String name) {
        if (name.indexOf(':') >= 0) {
            return true;
        }
        String[] parts = name.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    private static String pem(Object object) throws IOException {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            if (object instanceof JcaPKCS8Generator pkcs8) {
                writer.writeObject(pkcs8.generate());
            } else {
                writer.writeObject(object);
            }
        }
        return out.toString();
    }

    private static void writeAtomically(Path target, String content, boolean secret) throws IOException {
        Path temp = Files.createTempFile(target.toAbsolutePath().getParent(), ".tmp-", ".pem");
        try {
            if (secret) {
                try {
                    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-------"));
                } catch (UnsupportedOperationException e) {
                    // Not a POSIX file system; the folder's own permissions protect the key there.
                }
            }
            try (Writer writer = Files.newBufferedWriter(temp, StandardCharsets.US_ASCII)) {
                writer.write(content);
            }
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
