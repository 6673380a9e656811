package org.edgesbc.policy.identity;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Reads the certificates served at an {@code x5u} URL: PEM (RFC 7468 §5), leaf first, then intermediates, as
 * SHAKEN certificate repositories serve them. Text outside the BEGIN/END lines is ignored, as RFC 7468 §2 allows;
 * everything inside must be base64 of one DER certificate. Bounded at {@value #MAX_BYTES} bytes and
 * {@value #MAX_CERTIFICATES} certificates, since the bytes come from a URL the caller chose.
 */
public final class CertificateChains {
    public static final int MAX_BYTES = 64 * 1024;
    public static final int MAX_CERTIFICATES = 10;

    private static final String BEGIN = "-----BEGIN CERTIFICATE-----";
    private static final String END = "-----END CERTIFICATE-----";

    private CertificateChains() { }

    /**
     * The certificates in the order served.
     *
     * @throws IllegalArgumentException when the bytes are too many, hold no certificate or more than
     *     {@value #MAX_CERTIFICATES}, or a block is not one certificate
     */
    public static List<X509Certificate> parsePem(byte[] pem) {
        if (pem == null || pem.length > MAX_BYTES) {
            throw new IllegalArgumentException("a certificate chain is at most " + MAX_BYTES + " bytes");
        }
        // PEM is ASCII; ISO-8859-1 maps each byte to one char, so no byte can hide inside a decoding error.
        String text = new String(pem, StandardCharsets.ISO_8859_1);
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        int from = 0;
        while (true) {
            int begin = text.indexOf(BEGIN, from);
            if (begin < 0) {
                break;
            }
            int end = text.indexOf(END, begin);
            if (end < 0) {
                throw new IllegalArgumentException("certificate " + (chain.size() + 1) + " has no END line");
            }
            if (chain.size() == MAX_CERTIFICATES) {
                throw new IllegalArgumentException("more than " + MAX_CERTIFICATES + " certificates");
            }
            chain.add(certificate(factory, text.substring(begin + BEGIN.length(), end), chain.size() + 1));
            from = end + END.length();
        }
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("no PEM certificate");
        }
        return List.copyOf(chain);
    }

    private static X509Certificate certificate(CertificateFactory factory, String base64, int position) {
        StringBuilder body = new StringBuilder(base64.length());
        for (int i = 0; i < base64.length(); i++) {
            char c = base64.charAt(i);
            if (c != '\r' && c != '\n' && c != ' ' && c != '\t') {
                body.append(c);
            }
        }
        try {
            // The basic decoder refuses anything outside the base64 alphabet (the MIME one would skip it).
            byte[] der = Base64.getDecoder().decode(body.toString());
            return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
        } catch (IllegalArgumentException | CertificateException e) {
            throw new IllegalArgumentException("certificate " + position + " is not a DER X.509 certificate", e);
        }
    }
}
