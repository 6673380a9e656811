package org.edgesbc.transport.tls;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import org.edgesbc.transport.TransportConfig;

/**
 * Server and client TLS contexts: TLS 1.3 and 1.2 only (older versions are refused during the handshake), the
 * SBC's certificate chain from PEM, peers verified against a PEM bundle or the JDK's default trust store.
 */
public final class TlsContextFactory {
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private TlsContextFactory() { }

    public static SslContext server(TransportConfig.TlsSettings settings) throws IOException {
        SslContextBuilder builder = SslContextBuilder
                .forServer(PemFiles.privateKey(settings.privateKey()), PemFiles.certificates(settings.certificateChain()))
                .protocols(PROTOCOLS)
                .clientAuth(settings.requireClientCertificate() ? ClientAuth.REQUIRE : ClientAuth.NONE);
        if (settings.trustedCertificates() != null) {
            builder.trustManager(PemFiles.certificates(settings.trustedCertificates()));
        }
        return builder.build();
    }

    /** The context for connections the SBC opens; presents the SBC's certificate for peers that require mutual TLS. */
    public static SslContext client(TransportConfig.TlsSettings settings) throws IOException {
        return client(settings, new TransportConfig.ClientIdentity(settings.certificateChain(), settings.privateKey()));
    }

    /** The context for connections the SBC opens, presenting {@code identity}; trust as {@code settings} say. */
    public static SslContext client(TransportConfig.TlsSettings settings, TransportConfig.ClientIdentity identity)
            throws IOException {
        SslContextBuilder builder = SslContextBuilder.forClient()
                .protocols(PROTOCOLS)
                .keyManager(PemFiles.privateKey(identity.privateKey()), PemFiles.certificates(identity.certificateChain()));
        if (!settings.verifyPeers()) {
            // Lab setups with self-signed peers only; config documents that this must be on in production.
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE);
        } else {
            // RFC 5922 §7.2: the peer's certificate must name the host the SBC connects to (subjectAltName), the
            // configured host name of a named peer, else its address.
            builder.endpointIdentificationAlgorithm("HTTPS");
            if (settings.trustedCertificates() != null) {
                builder.trustManager(PemFiles.certificates(settings.trustedCertificates()));
            }
        }
        return builder.build();
    }
}
