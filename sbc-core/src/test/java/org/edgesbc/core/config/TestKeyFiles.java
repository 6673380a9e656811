package org.edgesbc.core.config;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;
import org.edgesbc.transport.tls.SelfSignedCertificateGenerator;

/** Key and certificate files made at test time for the stir-shaken section, so no key material is checked in. */
final class TestKeyFiles {
    private TestKeyFiles() { }

    /** A fresh EC key pair on {@code curve}, such as secp256r1 or secp384r1. */
    static KeyPair ec(String curve) throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    /** Writes {@code key} as PKCS#8 PEM ({@code PRIVATE KEY}), encoded by the JDK alone. */
    static Path pkcs8(Path file, PrivateKey key) throws IOException {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(key.getEncoded());
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + body + "\n-----END PRIVATE KEY-----\n");
        return file;
    }

    /**
     * Writes an EC key as SEC1 ({@code EC PRIVATE KEY}) with its curve inside, as OpenSSL does (RFC 5915 §3); the
     * JDK's PKCS#8 encoding carries the curve in the algorithm identifier instead, so it is moved over.
     */
    static Path sec1(Path file, ECPrivateKey key) throws IOException {
        PrivateKeyInfo pkcs8 = PrivateKeyInfo.getInstance(key.getEncoded());
        org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(
                pkcs8.parsePrivateKey());
        org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
                key.getParams().getOrder().bitLength(), inner.getKey(), inner.getPublicKey(),
                pkcs8.getPrivateKeyAlgorithm().getParameters());
        StringWriter pem = new StringWriter();
        try (PemWriter writer = new PemWriter(pem)) {
            writer.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        Files.writeString(file, pem.toString());
        return file;
    }

    /** Writes a self-signed certificate to {@code file}; its key goes to a file beside it that tests ignore. */
    static Path certificate(Path file) throws IOException {
        SelfSignedCertificateGenerator.generate(file, file.resolveSibling(file.getFileName() + ".key"),
                List.of("sti-ca.example"));
        return file;
    }
}
