package org.edgesbc.transport;

import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import org.edgesbc.transport.gate.SipMessageGate;
import org.edgesbc.transport.tls.PemFiles;
import org.edgesbc.transport.tls.TlsContextFactory;

/**
 * What of the transport can change while it runs, built completely before it is swapped in with
 * {@link SipTransportService#replaceSettings}: the strict gate's limits and the TLS contexts (certificate chain,
 * private key, trust bundle, client-certificate and peer-verification policy). Listeners, I/O threads, buffers and
 * connection caps are fixed at start. Immutable.
 *
 * @param gate the strict gate with its limits
 * @param serverTls the context of inbound TLS connections, null without TLS
 * @param clientTls the context of outbound TLS connections, null without TLS
 * @param certificateExpiry notAfter of the SBC's own (first) certificate, null without TLS
 */
public record TransportSettings(SipMessageGate gate, SslContext serverTls, SslContext clientTls,
        Instant certificateExpiry) {

    /**
     * Reads the TLS key material (every time: a rotated certificate keeps its file name) and builds both contexts.
     *
     * @param tls key material and policy, or null without TLS
     * @throws IOException when a PEM file cannot be read or the key does not fit a context
     */
    public static TransportSettings build(TransportConfig.GateLimits gate, TransportConfig.TlsSettings tls)
            throws IOException {
        SipMessageGate messageGate = new SipMessageGate(gate);
        if (tls == null) {
            return new TransportSettings(messageGate, null, null, null);
        }
        X509Certificate[] chain = PemFiles.certificates(tls.certificateChain());
        return new TransportSettings(messageGate, TlsContextFactory.server(tls), TlsContextFactory.client(tls),
                chain[0].getNotAfter().toInstant());
    }
}
