package org.edgesbc.core.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
import org.edgesbc.transport.tls.PemFiles;

/**
 * Reads the key material the {@code stir-shaken} section names: the signing key and the STI-CA trust anchors. The
 * section reader calls these to validate the files, the daemon calls them again to build the signer and verifier
 * at start and at reload, so what the check accepts is what runs. PEM parsing itself is {@link PemFiles}'.
 *
 * <p>Every failure is an {@link IOException} whose message names the file and what is wrong with it, and never
 * holds any of the file's contents: a private key must not reach a log or a terminal.
 */
public final class StirShakenKeys {
    /** secp256r1 (RFC 5480 §2.1.1.1), the only curve ES256 signs with (RFC 7518 §3.4). */
    static final String P256_OID = "1.2.840.10045.3.1.7";

    private StirShakenKeys() { }

    /**
     * The signing key of a SHAKEN certificate: an unencrypted PEM EC private key on P-256, as PKCS#8
     * ({@code PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}). RFC 8588 §3 makes ES256 the PASSporT algorithm.
     *
     * @throws IOException when the file cannot be read, holds no unencrypted private key, or holds a key of
     *     another algorithm or curve
     */
    public static PrivateKey privateKey(Path file) throws IOException {
        requireReadable(file);
        PrivateKey key;
        try {
            key = PemFiles.privateKey(file);
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            // Bouncy Castle's messages may quote what it failed to parse; the cause stays out of the message.
            throw new IOException(file + ": holds no unencrypted PEM private key (PKCS#8 PRIVATE KEY or SEC1 EC "
                    + "PRIVATE KEY)");
        }
        if (!(key instanceof ECKey ec)) {
            throw new IOException(file + ": holds an " + key.getAlgorithm() + " key; ES256 (RFC 8588 §3) signs "
                    + "with an EC P-256 key only");
        }
        String curve = curveOid(ec);
        if (!P256_OID.equals(curve)) {
            throw new IOException(file + ": holds an EC key on curve " + curve + "; ES256 (RFC 8588 §3) signs with "
                    + "P-256 (" + P256_OID + ") only");
        }
        return key;
    }

    /**
     * The STI-CA root certificates of a PEM bundle, one trust anchor each, in file order. Text outside the
     * certificate blocks is ignored, so a bundle may carry comments.
     *
     * @throws IOException when the file cannot be read, holds no PEM certificate, or a block is not an X.509
     *     certificate
     */
    public static Set<TrustAnchor> trustAnchors(Path file) throws IOException {
        requireReadable(file);
        X509Certificate[] certificates;
        try {
            certificates = PemFiles.certificates(file);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new IOException(file + ": is not a PEM certificate bundle");
        }
        Set<TrustAnchor> anchors = new LinkedHashSet<>();
        for (X509Certificate certificate : certificates) {
            anchors.add(new TrustAnchor(certificate, null));
        }
        return Collections.unmodifiableSet(anchors);
    }

    private static void requireReadable(Path file) throws IOException {
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IOException(file + ": no readable file");
        }
    }

    /** The object identifier of the key's named curve, or a description when the curve has none. */
    private static String curveOid(ECKey key) {
        try {
            AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
            parameters.init(key.getParams());
            return parameters.getParameterSpec(ECGenParameterSpec.class).getName();
        } catch (GeneralSecurityException e) {
            return "(a curve without a name)";
        }
    }
}
